"""Narration (text-to-speech) capability: one small interface, several providers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class WordTiming:
    """One displayed word and when it is spoken, in seconds from the start of its clip."""

    text: str
    start: float
    end: float


@dataclass(frozen=True)
class SpeechClip:
    """Synthesised narration: a mono WAV file plus word timings that cover its words."""

    path: Path
    sample_rate: int
    num_samples: int
    words: tuple[WordTiming, ...]

    @property
    def duration(self) -> float:
        return self.num_samples / self.sample_rate


class TTSProvider(Protocol):
    """Turns text into a SpeechClip. Implementations are deterministic for the same input."""

    name: str

    def supports(self, *, language: str, voice: str | None) -> bool:
        """Whether this provider can speak ``language`` (BCP-47 prefix, e.g. 'en', 'fr')."""
        ...

    def synthesize(
        self,
        text: str,
        *,
        out_path: Path,
        language: str,
        voice: str | None = None,
        glossary: Mapping[str, str] | None = None,
    ) -> SpeechClip:
        """Speak ``text`` sentence by sentence into ``out_path`` (WAV, mono).

        ``glossary`` maps a written word to its spoken form; it changes what is spoken,
        never the displayed words in ``SpeechClip.words``.
        """
        ...
