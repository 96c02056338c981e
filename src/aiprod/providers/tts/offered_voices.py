"""The narration voices offered by name, per language the planner writes.

A voice id is what a spec's ``voice`` field takes: ``""`` (None) is the language's default
(Piper's natural voice for English, espeak-ng's for the others); ``espeak:<name>`` is an
espeak-ng voice or variant. Any other espeak-ng voice still works through the API; these
are the ones the studio lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Voice:
    """A voice to offer: its id (None: the language's default) and a human label."""

    id: str | None
    label: str


VOICES: Final[dict[str, tuple[Voice, ...]]] = {
    "en": (
        Voice(None, "Joe, natural (US English)"),
        Voice("espeak:en-us", "Synthetic, US English"),
        Voice("espeak:en-gb", "Synthetic, British English"),
        Voice("espeak:en-us+f3", "Synthetic, US English, higher pitch"),
    ),
    "fr": (
        Voice(None, "Synthétique, français de France"),
        Voice("espeak:fr+f3", "Synthétique, français, voix aiguë"),
        Voice("espeak:fr-be", "Synthétique, français de Belgique"),
    ),
}

SAMPLE_SENTENCES: Final[dict[str, str]] = {
    "en": "Hello! This is how the narration of your video will sound.",
    "fr": "Bonjour ! Voici comment sonnera la voix de votre vidéo.",
}


def voices_for(language: str) -> tuple[Voice, ...]:
    """The voices listed for ``language`` (a BCP-47 tag; its primary subtag decides)."""
    return VOICES.get(language.strip().replace("_", "-").casefold().split("-")[0], ())
