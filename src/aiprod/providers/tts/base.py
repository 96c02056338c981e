"""Narration (text-to-speech) capability: one small interface, several providers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol


@dataclass(frozen=True)
class WordTiming:
    """One displayed word and when it is spoken, in seconds from the start of its clip."""

    text: str
    start: float
    end: float


@dataclass(frozen=True)
class SpeechClip:
    """Synthesised narration: a mono WAV file plus word timings that cover its words.

    ``provenance`` says which voice provider made it and what the chain went through
    (:mod:`aiprod.providers.tts.chain`); None for the local voice with nothing to report.
    """

    path: Path
    sample_rate: int
    num_samples: int
    words: tuple[WordTiming, ...]
    provenance: dict[str, Any] | None = field(default=None, compare=False, hash=False)

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
