"""Pure caption checks for the QA gate: SRT reading, word coverage, timing, CPS, line length.

Words are compared normalised (case-folded, punctuation removed) and aligned in order with
``difflib`` (no autojunk), so a repeated word is matched to its own occurrence.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

Cue = tuple[float, float, str]
WordTiming = tuple[str, float, float]

_TIME = r"(\d+):(\d{1,2}):(\d{1,2})(?:[,.](\d{1,3}))?"
_TIMING_LINE = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")
_TAGS = re.compile(r"<[^>]*>|\{\\[^}]*\}")


def _seconds(hours: str, minutes: str, seconds: str, millis: str | None) -> float:
    fraction = int((millis or "0").ljust(3, "0")) / 1000
    return int(hours) * 3600 + int(minutes) * 60 + int(seconds) + fraction


def cue_text(raw_lines: Sequence[str]) -> str:
    """Cue text without markup tags (``<i>``, ``{\\an8}``), lines joined with newlines."""
    return "\n".join(_TAGS.sub("", line).strip() for line in raw_lines).strip()


def parse_srt(text: str) -> list[Cue]:
    """Cues ``(start, end, text)`` of an SRT document (tolerant of BOM, CRLF, '.' millis)."""
    cues: list[Cue] = []
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    index = 0
    while index < len(lines):
        match = _TIMING_LINE.match(lines[index])
        index += 1
        if match is None:
            continue
        groups = match.groups()
        body: list[str] = []
        while index < len(lines) and lines[index].strip():
            body.append(lines[index])
            index += 1
        cues.append((_seconds(*groups[:4]), _seconds(*groups[4:]), cue_text(body)))
    return cues


def read_srt(path: Path) -> list[Cue]:
    """Parse the SRT file at ``path`` (UTF-8, optional BOM)."""
    return parse_srt(path.read_text(encoding="utf-8-sig"))


def normalise_word(word: str) -> str:
    """Case-folded word with every non-alphanumeric character removed."""
    return "".join(ch for ch in word.casefold() if ch.isalnum())


def words_of(text: str) -> list[str]:
    """Normalised, non-empty words of a text (split on whitespace)."""
    return [w for w in (normalise_word(t) for t in text.split()) if w]


def _matched(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int]]:
    """Index pairs (i in a, j in b) of an in-order alignment of equal items."""
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [
        (block.a + k, block.b + k)
        for block in matcher.get_matching_blocks()
        for k in range(block.size)
    ]


def missing_words(narration: Sequence[str], cues: Sequence[Cue]) -> list[str]:
    """Narration words (as given) that the captions do not contain, in order."""
    spoken = [normalise_word(w) for w in narration]
    shown = [w for cue in cues for w in words_of(cue[2])]
    found = {i for i, _ in _matched(spoken, shown)}
    return [word for i, word in enumerate(narration) if i not in found and spoken[i]]


@dataclass(frozen=True)
class TimingResult:
    """Worst distance (s) by which a cue's word is spoken outside the cue, and where."""

    worst_s: float
    checked_words: int
    detail: str = ""


def timing_offsets(cues: Sequence[Cue], timings: Sequence[WordTiming]) -> TimingResult:
    """Align caption words to timed spoken words; measure how far each falls outside its cue."""
    shown = [(n, w) for n, cue in enumerate(cues) for w in words_of(cue[2])]
    spoken = [normalise_word(t[0]) for t in timings]
    worst, detail = 0.0, ""
    pairs = _matched([w for _, w in shown], spoken)
    for i, j in pairs:
        start, end, text = cues[shown[i][0]]
        word, said_from, said_to = timings[j]
        offset = round(max(start - said_from, said_to - end, 0.0), 6)
        if offset > worst:
            worst = offset
            detail = (
                f"'{word}' spoken {said_from:.2f}-{said_to:.2f} s, "
                f"cue {start:.2f}-{end:.2f} s '{_short(text)}'"
            )
    return TimingResult(worst_s=worst, checked_words=len(pairs), detail=detail)


def _short(text: str, limit: int = 40) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def max_chars_per_second(cues: Sequence[Cue]) -> tuple[float, str]:
    """Highest characters-per-second over cues (line breaks not counted) and that cue."""
    worst, detail = 0.0, ""
    for start, end, text in cues:
        chars = len(text.replace("\n", ""))
        duration = end - start
        rate = chars / duration if duration > 0 else (float("inf") if chars else 0.0)
        if rate > worst:
            worst, detail = rate, f"{chars} chars in {duration:.2f} s: '{_short(text)}'"
    return worst, detail


def max_line_length(cues: Sequence[Cue]) -> tuple[int, str]:
    """Longest caption line (characters) and the line itself."""
    worst, detail = 0, ""
    for _, _, text in cues:
        for line in text.split("\n"):
            if len(line) > worst:
                worst, detail = len(line), f"'{_short(line, 60)}'"
    return worst, detail
