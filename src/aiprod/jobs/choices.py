"""A brief's explicit choices: the language the planner writes in, the narration voice and
the music mood. Each wins over what the planner would infer from the brief.

Checked before anything is stored (:func:`check_choices`): the planner writes English and
French (any region: ``en-GB``, ``fr-CA``); the voice must be one that can speak the
language (chosen, or detected in the brief); the mood one the composer knows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from aiprod.errors import ProviderRejectedInput, ProviderUnavailable, SpecProblem
from aiprod.planner.keywords import detect_language
from aiprod.providers.music.styles import MOODS
from aiprod.providers.tts.registry import select_tts
from aiprod.providers.tts.sentences import primary_language

PLANNER_LANGUAGES: Final = {"en": "English", "fr": "French"}


@dataclass(frozen=True)
class BriefChoices:
    """What the caller chose for a brief's video (None: the planner decides)."""

    language: str | None = None
    voice: str | None = None
    music_mood: str | None = None

    @classmethod
    def of(cls, request: dict[str, Any]) -> BriefChoices:
        """The choices kept in a job's request."""
        found = {name: request.get(name) for name in ("language", "voice", "music_mood")}
        return cls(**{k: v for k, v in found.items() if isinstance(v, str) and v})

    def fields(self) -> dict[str, str]:
        """The choices made, for a job's stored request."""
        found = {"language": self.language, "voice": self.voice, "music_mood": self.music_mood}
        return {name: value for name, value in found.items() if value}


def check_choices(choices: BriefChoices, brief: str | None) -> list[SpecProblem]:
    """Every problem with ``choices`` for ``brief`` (None: a spec, which sets its own)."""
    made = choices.fields()
    if brief is None:
        return [
            SpecProblem(name, f"'{name}' applies to a brief; a spec sets its own") for name in made
        ]
    problems = []
    if choices.language and primary_language(choices.language) not in PLANNER_LANGUAGES:
        problems.append(
            SpecProblem(
                "language",
                f"the planner writes English (en) or French (fr), not '{choices.language}'; "
                "for another language send a spec",
            )
        )
    if choices.music_mood and choices.music_mood not in MOODS:
        known = ", ".join(MOODS)
        problems.append(SpecProblem("music_mood", f"unknown mood (known: {known})"))
    if choices.voice and not problems:
        language = choices.language or detect_language(brief)
        try:
            select_tts(language, choices.voice)
        except (ProviderRejectedInput, ProviderUnavailable) as refused:
            problems.append(SpecProblem("voice", str(refused)))
    return problems
