"""A small ASS (Advanced SubStation Alpha) document model, written for libass (ffmpeg's ``ass``).

Event text is ASS *markup*. User text must pass through ``escape_ass_text`` first: that is the
boundary that stops a transcript from turning into override tags (``{\\pos(0,0)}`` etc.).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "WORD_JOINER",
    "AssDocument",
    "AssEvent",
    "AssStyle",
    "ass_centiseconds",
    "ass_colour",
    "ass_override_colour",
    "ass_timestamp",
    "escape_ass_text",
]

# libass reads "\N", "\n", "\h", "\{" and "\}" as escapes and "\<tag>" inside braces as tags.
# A zero-width WORD JOINER after every literal backslash breaks all of those pairs while
# drawing nothing (checked with libass 0.17 on this stack: "back\N" renders as typed).
WORD_JOINER = "\u2060"

_HEX_COLOUR = re.compile(r"#(?P<rgb>[0-9A-Fa-f]{6})(?P<alpha>[0-9A-Fa-f]{2})?")
_STYLE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_ \-]*")
# exactly the characters of Unicode categories Cc (C0, DEL, C1) and Cs (surrogates): a
# regular expression checks a long drawing in C rather than character by character
_CONTROL_OR_SURROGATE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_NEWLINES = re.compile(r"\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")
# Option-value level (the filter's own options), then the filtergraph level (see the
# "Notes on filtergraph escaping" in ffmpeg-filters). Whitespace is escaped because both
# levels trim it at the ends.
_STYLE_FORMAT = (
    "Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, "
    "Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, "
    "Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding"
)
_EVENT_FORMAT = "Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text"


def _parse_colour(colour: str) -> tuple[str, int]:
    """'#RRGGBB[AA]' -> ('BBGGRR', ASS alpha) where AA is opacity and ASS alpha is 255 - AA."""
    match = _HEX_COLOUR.fullmatch(colour)
    if match is None:
        raise ValueError(f"colour must be '#RRGGBB' or '#RRGGBBAA', got {colour!r}")
    rgb = match["rgb"].upper()
    opacity = int(match["alpha"], 16) if match["alpha"] else 255
    return rgb[4:6] + rgb[2:4] + rgb[0:2], 255 - opacity


def ass_colour(colour: str) -> str:
    """'#RRGGBB' or '#RRGGBBAA' (AA = opacity, FF opaque, as in CSS) to ASS '&HAABBGGRR'.

    ASS stores transparency, not opacity, so '#00000080' (half opaque black) -> '&H7F000000'.
    """
    bgr, alpha = _parse_colour(colour)
    return f"&H{alpha:02X}{bgr}"


def ass_override_colour(colour: str) -> str:
    """Colour for a ``\\1c``-style override tag: '&HBBGGRR&' (alpha is ignored here)."""
    bgr, _ = _parse_colour(colour)
    return f"&H{bgr}&"


def ass_centiseconds(seconds: float) -> int:
    """Seconds to whole centiseconds, rounded half up on the decimal value (1.005 -> 101)."""
    if not (seconds >= 0 and math.isfinite(seconds)):
        raise ValueError(f"ASS times must be finite and >= 0, got {seconds}")
    return int(Decimal(repr(float(seconds))).quantize(Decimal("0.01"), ROUND_HALF_UP) * 100)


def ass_timestamp(seconds: float) -> str:
    """``H:MM:SS.cc`` for ``seconds`` (rounded as in ``ass_centiseconds``)."""
    hours, rest = divmod(ass_centiseconds(seconds), 360_000)
    minutes, rest = divmod(rest, 6000)
    secs, centis = divmod(rest, 100)
    return f"{hours}:{minutes:02d}:{secs:02d}.{centis:02d}"


def _num(value: float) -> str:
    """A number for a style field: no exponent, no trailing zeros."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _check_field(value: str, what: str) -> None:
    """Fields are comma-separated on one line: a comma or control character would corrupt it."""
    if not value or value != value.strip() or "," in value:
        raise ValueError(f"{what} must be non-empty, without commas or outer spaces: {value!r}")
    if any(unicodedata.category(c) == "Cc" for c in value):
        raise ValueError(f"{what} must not contain control characters: {value!r}")


@dataclass(frozen=True)
class AssStyle:
    """One ``Style:`` line. Colours are '#RRGGBB' or '#RRGGBBAA' (AA = opacity).

    ``border_style``: 1 = outline + drop shadow, 3 = a box per line (``outline_colour``,
    padded by ``outline``), 4 = libass extension: one box behind the whole event
    (``back_colour``, padded by ``outline + shadow``) — semi-transparent boxes without the
    darker seams style 3 leaves where lines overlap. ``alignment`` is numpad (2 = bottom centre).
    """

    name: str
    font: str = "Noto Sans"
    size: float = 48.0
    primary_colour: str = "#FFFFFF"
    secondary_colour: str = "#FFFFFF"
    outline_colour: str = "#000000"
    back_colour: str = "#00000080"
    bold: bool = False
    italic: bool = False
    outline: float = 2.0
    shadow: float = 0.0
    alignment: int = 2
    margin_l: int = 0
    margin_r: int = 0
    margin_v: int = 0
    border_style: int = 1
    spacing: float = 0.0

    def __post_init__(self) -> None:
        if not _STYLE_NAME.fullmatch(self.name):
            raise ValueError(f"style name must be letters, digits, ' ', '_', '-': {self.name!r}")
        _check_field(self.font, "font name")
        colours = (self.primary_colour, self.secondary_colour, self.outline_colour)
        for colour in (*colours, self.back_colour):
            _parse_colour(colour)
        if not (1 <= self.alignment <= 9 and self.border_style in (1, 3, 4)):
            raise ValueError("alignment must be 1..9 and border_style 1, 3 or 4")
        lengths = (self.outline, self.shadow, self.margin_l, self.margin_r, self.margin_v)
        if not self.size > 0 or min(lengths) < 0:
            raise ValueError("size must be positive; outline, shadow and margins not negative")

    def line(self) -> str:
        """The ``Style:`` line for the ``[V4+ Styles]`` section."""
        fields = [
            self.name,
            self.font,
            _num(self.size),
            ass_colour(self.primary_colour),
            ass_colour(self.secondary_colour),
            ass_colour(self.outline_colour),
            ass_colour(self.back_colour),
            "-1" if self.bold else "0",
            "-1" if self.italic else "0",
            "0",
            "0",
            "100",
            "100",
            _num(self.spacing),
            "0",
            str(self.border_style),
            _num(self.outline),
            _num(self.shadow),
            str(self.alignment),
            str(self.margin_l),
            str(self.margin_r),
            str(self.margin_v),
            "1",
        ]
        return "Style: " + ",".join(fields)


@dataclass(frozen=True)
class AssEvent:
    """One ``Dialogue:`` line. ``text`` is ASS markup: escape user text with escape_ass_text."""

    start: float
    end: float
    style: str
    text: str
    layer: int = 0

    def __post_init__(self) -> None:
        if not (0 <= self.start <= self.end and math.isfinite(self.end)):
            raise ValueError(f"event needs 0 <= start <= end, got {self.start}..{self.end}")
        if self.layer < 0:
            raise ValueError("layer must not be negative")
        if _CONTROL_OR_SURROGATE.search(self.text):
            raise ValueError("event text must not contain control characters (use \\N)")

    def line(self) -> str:
        """The ``Dialogue:`` line for the ``[Events]`` section."""
        start, end = ass_timestamp(self.start), ass_timestamp(self.end)
        return f"Dialogue: {self.layer},{start},{end},{self.style},,0,0,0,,{self.text}"


@dataclass(frozen=True)
class AssDocument:
    """A complete ASS script; coordinates and sizes are in ``play_res`` pixels."""

    play_res_x: int
    play_res_y: int
    styles: Sequence[AssStyle]
    events: Sequence[AssEvent]
    wrap_style: int = 0  # 0: libass re-wraps a line only if it would not fit the width
    title: str = "AIPROD captions"

    def render(self) -> str:
        """The script as text (write it UTF-8). Raises ValueError on an inconsistent document."""
        self._check()
        info = [
            "[Script Info]",
            "; Generated by AIPROD",
            f"Title: {self.title}",
            "ScriptType: v4.00+",
            f"PlayResX: {self.play_res_x}",
            f"PlayResY: {self.play_res_y}",
            f"WrapStyle: {self.wrap_style}",
            "ScaledBorderAndShadow: yes",
            "YCbCr Matrix: TV.709",
        ]
        styles = ["[V4+ Styles]", f"Format: {_STYLE_FORMAT}", *(s.line() for s in self.styles)]
        events = ["[Events]", f"Format: {_EVENT_FORMAT}", *(e.line() for e in self.events)]
        return "\n".join([*info, "", *styles, "", *events]) + "\n"

    def _check(self) -> None:
        if self.play_res_x <= 0 or self.play_res_y <= 0:
            raise ValueError("play_res_x and play_res_y must be positive")
        if self.wrap_style not in (0, 1, 2, 3):
            raise ValueError("wrap_style must be 0..3")
        if _NEWLINES.search(self.title) or any(unicodedata.category(c) == "Cc" for c in self.title):
            raise ValueError("title must be a single line")
        names = [style.name for style in self.styles]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate style names in {names}")
        unknown = {event.style for event in self.events} - set(names)
        if unknown:
            raise ValueError(f"events use undefined styles: {sorted(unknown)}")


def escape_ass_text(text: str) -> str:
    """User text to literal ASS text: nothing in it can become an override tag or escape.

    ``{``/``}`` become ``\\{``/``\\}``; every backslash gets a WORD JOINER after it so
    ``\\N``, ``\\h``, ``\\{`` and tags stay literal; line breaks (LF, CR, CRLF, U+2028/9)
    become ``\\N``; tab becomes a space; other control characters and lone surrogates go.
    """
    out: list[str] = []
    for char in _NEWLINES.sub("\n", text):
        if char == "\\":
            out.append("\\" + WORD_JOINER)
        elif char in "{}":
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\N")
        elif char == "\t":
            out.append(" ")
        elif unicodedata.category(char) not in ("Cc", "Cs"):
            out.append(char)
    return "".join(out)
