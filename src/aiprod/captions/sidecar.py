"""Sidecar caption files: SubRip (.srt) and WebVTT (.vtt) writers, and an SRT reader for QA."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal

from aiprod.captions.cues import Cue

__all__ = ["format_timestamp", "parse_srt", "to_srt", "to_webvtt"]

_TIMING = re.compile(
    r"^\s*(?P<start>\d+:\d{1,2}:\d{1,2}[,.]\d{1,3})\s*-->\s*"
    r"(?P<end>\d+:\d{1,2}:\d{1,2}[,.]\d{1,3})"
)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_VTT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def _milliseconds(seconds: float) -> int:
    """Round half up on the decimal value (so 1.0005 -> 1001 ms, not float-noise 1000)."""
    if seconds < 0:
        raise ValueError(f"negative caption time {seconds}")
    return int(Decimal(repr(float(seconds))).quantize(Decimal("0.001"), ROUND_HALF_UP) * 1000)


def format_timestamp(seconds: float, separator: str) -> str:
    """``HH:MM:SS<sep>mmm`` (``,`` for SRT, ``.`` for WebVTT); hours grow past 99 if needed."""
    total_ms = _milliseconds(seconds)
    hours, rest = divmod(total_ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def _cue_lines(cue: Cue) -> list[str]:
    """A cue's lines safe for a block format: no empty lines, no embedded line breaks."""
    lines = [part.strip() for line in cue.lines for part in line.splitlines()]
    return [line for line in lines if line]


def to_srt(cues: Iterable[Cue]) -> str:
    """SubRip text: numbered blocks, ``HH:MM:SS,mmm --> HH:MM:SS,mmm``, lines joined by LF.

    SRT has no escaping; text is written as is (players may interpret ``<i>``-style tags).
    Cues without any text are skipped, and numbering stays consecutive.
    """
    blocks: list[str] = []
    for cue in cues:
        lines = _cue_lines(cue)
        if not lines:
            continue
        timing = f"{format_timestamp(cue.start, ',')} --> {format_timestamp(cue.end, ',')}"
        blocks.append(f"{len(blocks) + 1}\n{timing}\n" + "\n".join(lines) + "\n")
    return "\n".join(blocks)


def to_webvtt(cues: Iterable[Cue]) -> str:
    """WebVTT text: ``WEBVTT`` header, ``HH:MM:SS.mmm --> HH:MM:SS.mmm``, ``&<>`` escaped."""
    blocks = ["WEBVTT\n"]
    for cue in cues:
        lines = [line.translate(_VTT_ESCAPES) for line in _cue_lines(cue)]
        if not lines:
            continue
        timing = f"{format_timestamp(cue.start, '.')} --> {format_timestamp(cue.end, '.')}"
        blocks.append(f"{timing}\n" + "\n".join(lines) + "\n")
    return "\n".join(blocks)


def _parse_timestamp(text: str) -> float:
    hours, minutes, rest = text.split(":")
    seconds, millis = re.split(r"[,.]", rest)
    total_ms = (int(hours) * 3600 + int(minutes) * 60 + int(seconds)) * 1000
    return (total_ms + int(millis.ljust(3, "0"))) / 1000


def parse_srt(text: str) -> list[tuple[float, float, str]]:
    """Read SubRip text into ``(start, end, text)`` triples, text lines joined by ``\\n``.

    Tolerates a BOM, CRLF line endings, missing or wrong cue numbers and extra blank lines.
    Raises ValueError naming the block when a block has no valid timing line.
    """
    normalised = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    cues: list[tuple[float, float, str]] = []
    for number, block in enumerate(_BLANK_LINE.split(normalised.strip()), start=1):
        lines = block.strip("\n").split("\n")
        if lines == [""]:
            continue
        found = _find_timing(lines)
        if found is None:
            raise ValueError(f"SRT block {number} has no 'start --> end' line: {lines[0]!r}")
        timing_index, match = found
        start, end = _parse_timestamp(match["start"]), _parse_timestamp(match["end"])
        cues.append((start, end, "\n".join(lines[timing_index + 1 :])))
    return cues


def _find_timing(lines: Sequence[str]) -> tuple[int, re.Match[str]] | None:
    """The timing line is the first or (after the cue number) the second line of a block."""
    for index in range(min(2, len(lines))):
        match = _TIMING.match(lines[index])
        if match:
            return index, match
    return None
