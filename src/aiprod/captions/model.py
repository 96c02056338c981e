"""The caption data types: timed words in, cues out, and where a word sits in a cue."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple


@dataclass(frozen=True)
class CaptionWord:
    """One spoken word (or token) with absolute start/end times in seconds."""

    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Cue:
    """One caption on screen: its time span, its lines (logical order) and its words."""

    start: float
    end: float
    lines: tuple[str, ...]
    words: tuple[CaptionWord, ...]

    @property
    def text(self) -> str:
        """The lines joined by newlines."""
        return "\n".join(self.lines)

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def char_count(self) -> int:
        """Characters a viewer reads: every character of every line, line breaks excluded."""
        return sum(len(line) for line in self.lines)

    @property
    def cps(self) -> float:
        """Reading speed in characters per second (infinite for a zero-length cue)."""
        return self.char_count / self.duration if self.duration > 0 else math.inf


class WordSpan(NamedTuple):
    """Where (part of) a word sits in a cue: ``lines[line][start:end]``."""

    line: int
    start: int
    end: int
