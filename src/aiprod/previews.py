"""Voice and music previews: a sentence spoken by a chosen voice, a few seconds composed
for a mood, before spending a render on them.

Both are made by the product's own local providers (:func:`select_tts`,
:func:`compose_music`) and cached by content in ``<cache dir>/previews/<sha256>.wav``: the
same request is made once per machine. Bad input is :class:`InvalidSpec` (422 in the
API) with the field it concerns. No web framework here: the API and the studio share it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final, cast

from aiprod.config import Settings
from aiprod.errors import (
    InvalidSpec,
    NotReady,
    ProviderRejectedInput,
    ProviderUnavailable,
    SpecProblem,
)
from aiprod.providers.music.composer import compose_music
from aiprod.providers.music.styles import MOODS, Mood
from aiprod.providers.tts.offered_voices import SAMPLE_SENTENCES
from aiprod.providers.tts.registry import select_tts
from aiprod.providers.tts.sentences import primary_language

CACHE_VERSION: Final = 1
MAX_TEXT_CHARS: Final = 200
MAX_MUSIC_S: Final = 8.0
MIN_MUSIC_S: Final = 2.0
MUSIC_SAMPLE_RATE: Final = 24000  # a preview: 8 s of stereo in 768 KB
LANGUAGE_TAG: Final = re.compile(r"^[a-zA-Z]{2,3}(?:[-_][a-zA-Z0-9]{2,8})*$")


@dataclass(frozen=True)
class Preview:
    """A preview WAV on disk and its content key (a strong HTTP ETag)."""

    path: Path
    key: str


def _key(parts: dict[str, object]) -> str:
    text = json.dumps({"v": CACHE_VERSION, **parts}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _cached(settings: Settings, key: str) -> tuple[Path, bool]:
    folder = settings.cache_dir / "previews"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{key}.wav"
    return path, path.is_file()


@contextmanager
def _unavailable_as_not_ready() -> Iterator[None]:
    """A missing engine (espeak-ng, FluidSynth, the Piper voice) is the server's state: 503."""
    try:
        yield
    except ProviderUnavailable as missing:
        raise NotReady(f"previews are unavailable on this server: {missing}") from None


def _publish(made: Path, path: Path) -> None:
    os.replace(made, path)  # atomic: a concurrent reader sees the whole file or none


def sample_sentence(language: str) -> str:
    """The sentence a voice preview speaks when given no text."""
    return SAMPLE_SENTENCES.get(primary_language(language), SAMPLE_SENTENCES["en"])


def preview_voice(
    *, settings: Settings, language: str, voice: str | None, text: str | None = None
) -> Preview:
    """``text`` (or a sample sentence in ``language``) spoken by ``voice``, as a WAV.

    Raises InvalidSpec naming ``language``, ``voice`` or ``text`` when it cannot be spoken.
    """
    if not LANGUAGE_TAG.fullmatch(language):
        raise InvalidSpec([SpecProblem("language", f"'{language}' is not a BCP-47 tag")])
    spoken = (text or "").strip() or sample_sentence(language)
    if len(spoken) > MAX_TEXT_CHARS:
        problem = SpecProblem("text", f"at most {MAX_TEXT_CHARS} characters for a preview")
        raise InvalidSpec([problem])
    voice = voice or None
    try:
        with _unavailable_as_not_ready():
            provider = select_tts(language, voice)
    except ProviderRejectedInput as rejected:
        field = "voice" if voice else "language"
        raise InvalidSpec([SpecProblem(field, str(rejected))]) from None
    key = _key(
        {
            "kind": "voice",
            "provider": provider.name,
            "lang": language,
            "voice": voice,
            "text": spoken,
        }
    )
    path, found = _cached(settings, key)
    if not found:
        with tempfile.TemporaryDirectory(dir=path.parent, prefix=".voice-") as scratch:
            made = Path(scratch) / "voice.wav"
            try:
                with _unavailable_as_not_ready():
                    provider.synthesize(spoken, out_path=made, language=language, voice=voice)
            except ProviderRejectedInput as rejected:
                raise InvalidSpec([SpecProblem("text", str(rejected))]) from None
            _publish(made, path)
    return Preview(path, key)


def preview_music(*, settings: Settings, mood: str, seconds: float) -> Preview:
    """``seconds`` (2 to 8, to the half second) of music composed for ``mood``, as a WAV.

    Raises InvalidSpec naming ``mood`` or ``seconds``; NotReady without FluidSynth.
    """
    problems = []
    if mood not in MOODS:
        problems.append(SpecProblem("mood", f"unknown mood '{mood}' (known: {', '.join(MOODS)})"))
    if not MIN_MUSIC_S <= seconds <= MAX_MUSIC_S:
        problems.append(
            SpecProblem("seconds", f"between {MIN_MUSIC_S:g} and {MAX_MUSIC_S:g} seconds")
        )
    if problems:
        raise InvalidSpec(problems)
    seconds = round(seconds * 2) / 2  # a handful of lengths: the cache answers most asks
    key = _key({"kind": "music", "mood": mood, "seconds": seconds, "rate": MUSIC_SAMPLE_RATE})
    path, found = _cached(settings, key)
    if not found:
        with tempfile.TemporaryDirectory(dir=path.parent, prefix=".music-") as scratch:
            made = Path(scratch) / "music.wav"
            with _unavailable_as_not_ready():
                compose_music(
                    mood=cast(Mood, mood),
                    duration_s=seconds,
                    out=made,
                    sample_rate=MUSIC_SAMPLE_RATE,
                )
            _publish(made, path)
    return Preview(path, key)
