"""Caption looks as ASS styles + events, scaled to the video; and the sidecar files.

Two looks:

* ``clean``: broadcast-style, the text as transcribed (no case change), white on one soft
  dark box, bottom centre, font size 4.5% of the shorter frame side (so 49 px at 1080p and
  on 1080x1920, where 4.5% of the height would not fit 42 characters across).
* ``social``: bold, 6.5% of the shorter side (70 px on 1080x1920 and 1920x1080), thick
  outline, bottom of the text at 80% of the height (the lower third, clear of app UI in
  vertical video), optional UPPERCASE, and the word being spoken drawn in an accent colour.

Sizes assume ``play_res`` = the video size, so they are in video pixels.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Literal

from aiprod.captions.ass import (
    AssEvent,
    AssStyle,
    ass_centiseconds,
    ass_override_colour,
    escape_ass_text,
)
from aiprod.captions.cues import Cue, word_spans
from aiprod.captions.model import WordSpan
from aiprod.captions.sidecar import to_srt, to_webvtt

__all__ = [
    "CaptionLook",
    "caption_events",
    "recommended_line_chars",
    "write_caption_files",
]

CaptionLook = Literal["clean", "social"]

DEFAULT_FONT = "Noto Sans"  # fonts-noto-core; libass falls back per glyph for CJK, Arabic, emoji
_MAX_LINE_CHARS: dict[CaptionLook, int] = {"clean": 42, "social": 28}


@dataclass(frozen=True)
class _Geometry:
    size: float
    margin_h: int
    margin_v: int
    em_per_char: float  # average advance of one display column, in em


def _geometry(look: CaptionLook, width: int, height: int, uppercase: bool) -> _Geometry:
    if width <= 0 or height <= 0:
        raise ValueError(f"video size must be positive, got {width}x{height}")
    short_side = min(width, height)
    if look == "clean":
        return _Geometry(
            round(0.045 * short_side, 1), round(0.05 * width), round(0.07 * height), 0.55
        )
    # Bold capitals are wider than mixed-case regular text.
    return _Geometry(
        round(0.065 * short_side, 1),
        round(0.08 * width),
        round(0.2 * height),
        0.68 if uppercase else 0.6,
    )


def recommended_line_chars(
    look: CaptionLook, width: int, height: int, *, uppercase: bool = False
) -> int:
    """A ``max_chars_per_line`` for ``build_cues`` that fits this look on this frame size.

    1920x1080: clean 42, social 28; 1080x1920: clean 36, social 21 (19 in uppercase).
    """
    geo = _geometry(look, width, height, uppercase)
    fits = int((width - 2 * geo.margin_h) / (geo.size * geo.em_per_char))
    return max(8, min(_MAX_LINE_CHARS[look], fits))


def _style(look: CaptionLook, geo: _Geometry, *, font: str, text_colour: str) -> AssStyle:
    if look == "clean":
        # BorderStyle 4 (libass): one box behind the whole event, padded by outline + shadow;
        # style 3 would draw a box per line and darken where the lines' boxes overlap.
        return AssStyle(
            "Clean",
            font,
            geo.size,
            primary_colour=text_colour,
            back_colour="#00000099",
            outline=0.0,
            shadow=round(geo.size * 0.25, 1),
            border_style=4,
            alignment=2,
            margin_l=geo.margin_h,
            margin_r=geo.margin_h,
            margin_v=geo.margin_v,
        )
    return AssStyle(
        "Social",
        font,
        geo.size,
        primary_colour=text_colour,
        outline_colour="#000000",
        back_colour="#00000080",
        bold=True,
        outline=round(geo.size * 0.09, 1),
        shadow=round(geo.size * 0.03, 1),
        border_style=1,
        alignment=2,
        margin_l=geo.margin_h,
        margin_r=geo.margin_h,
        margin_v=geo.margin_v,
    )


def caption_events(
    cues: Sequence[Cue],
    *,
    style: CaptionLook,
    width: int,
    height: int,
    font: str | None = None,
    accent: str = "#FFD400",
    text_colour: str = "#FFFFFF",
    uppercase: bool = False,
) -> tuple[list[AssStyle], list[AssEvent]]:
    """ASS styles and events drawing ``cues`` in the given look on a ``width`` x ``height`` video.

    Use them in an ``AssDocument(width, height, styles, events)``. ``clean`` makes one event per
    cue. ``social`` makes one event per word, each with the whole cue text and that word in
    ``accent``; the events of a cue are contiguous (each ends exactly where the next starts),
    so the text never flickers. All cue text is escaped: it can never become ASS tags.
    Colours are '#RRGGBB' or '#RRGGBBAA'. Raises ValueError for a bad size or colour, or (social)
    a cue whose lines are not its words' text (see ``word_spans``).
    """
    accent_tag = ass_override_colour(accent)  # validates the colour even with no cues
    geo = _geometry(style, width, height, uppercase)
    ass_style = _style(style, geo, font=font or DEFAULT_FONT, text_colour=text_colour)
    events: list[AssEvent] = []
    for cue in cues:
        if not any(line.strip() for line in cue.lines) or cue.end <= cue.start:
            continue
        if style == "clean":
            events.append(
                AssEvent(cue.start, cue.end, ass_style.name, _markup(cue, (), "", uppercase))
            )
        else:
            events.extend(_karaoke_events(cue, ass_style.name, accent_tag, uppercase))
    return [ass_style], events


def _karaoke_events(cue: Cue, style: str, accent: str, uppercase: bool) -> list[AssEvent]:
    """One event per word: it is active from its start until the next word starts."""
    if not cue.words:
        return [AssEvent(cue.start, cue.end, style, _markup(cue, (), "", uppercase))]
    spans = word_spans(cue)
    first, last = ass_centiseconds(cue.start), ass_centiseconds(cue.end)
    # Work in whole centiseconds so each event ends on exactly the value the next starts on.
    marks = [first]
    for word in cue.words[1:]:
        marks.append(min(last, max(marks[-1], ass_centiseconds(word.start))))
    marks.append(last)
    events = []
    for index, (begin, end) in enumerate(pairwise(marks)):
        if end > begin:  # a word shorter than a centisecond just is not highlighted
            text = _markup(cue, spans[index], accent, uppercase)
            events.append(AssEvent(begin / 100, end / 100, style, text))
    return events


def _markup(cue: Cue, active: Sequence[WordSpan], accent: str, uppercase: bool) -> str:
    """The cue's lines as escaped ASS text, with the ``active`` spans wrapped in ``accent``."""
    out_lines = []
    for number, line in enumerate(cue.lines):
        cuts = sorted(
            {0, len(line), *(p for s in active if s.line == number for p in (s.start, s.end))}
        )
        parts = []
        for begin, end in pairwise(cuts):
            piece = escape_ass_text(line[begin:end].upper() if uppercase else line[begin:end])
            lit = any(s.line == number and s.start <= begin < s.end for s in active)
            # \r returns to the style's own colours, so no other state has to be undone.
            parts.append(f"{{\\1c{accent}}}{piece}{{\\r}}" if lit else piece)
        out_lines.append("".join(parts))
    return "\\N".join(out_lines)


def write_caption_files(cues: Sequence[Cue], out_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """Write ``captions.srt`` and ``captions.vtt`` (UTF-8, LF) into ``out_dir`` (created).

    Returns ``{"srt": path, "vtt": path}``.
    """
    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    paths = {"srt": directory / "captions.srt", "vtt": directory / "captions.vtt"}
    paths["srt"].write_text(to_srt(cues), encoding="utf-8", newline="\n")
    paths["vtt"].write_text(to_webvtt(cues), encoding="utf-8", newline="\n")
    return paths
