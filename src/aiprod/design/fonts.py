"""Real font metrics for fitting text: the installed Noto/DejaVu fonts (or the brand's).

libass draws the text; this module measures it the same way, with FreeType through Pillow
(HarfBuzz shaping and FriBidi when Pillow has Raqm, as Debian's has), so a line we say fits
does fit. Two facts about libass matter:

- its font size is the font's *line height* (OS/2 win ascent + descent), not the em: an ASS
  size of 100 in Noto Sans draws 73 px em glyphs. ``ass_size()`` converts our em sizes.
- it falls back per glyph through fontconfig (Noto CJK, Arabic, Hebrew): we measure a text
  with the font of its dominant script, found the same way (``fc-match``).
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

DEFAULT_FAMILY = "Noto Sans"
_SCRIPT_FAMILIES = {
    "cjk": "Noto Sans CJK SC",
    "arabic": "Noto Sans Arabic",
    "hebrew": "Noto Sans Hebrew",
}
SCRIPT_FAMILIES = _SCRIPT_FAMILIES  # the family libass falls back to, per script
_FALLBACK_FILES = (
    "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
)
_MEASURE_SIZE = 200  # em px used to measure; widths scale linearly with size
# Scripts whose faces declare a line far taller than their glyphs (Noto Sans CJK 1.45 em,
# Noto Sans Arabic 2.11 em, room for stacked marks): a box of that height made the fitter
# shrink their headlines under 6 % of a 9:16 frame. Their boxes use the real extent of the
# text's glyphs (with one common letter, so a box never collapses), and this gap between
# lines (em): CJK sets lines closer than libass's line does; Arabic lines may share the band
# only stacked marks or deep descenders reach.
_INK_BASE = {"cjk": "国", "arabic": "ا"}
_INK_LINE_GAP = {"cjk": 0.16, "arabic": -0.06}
_INK_PAD = 0.02  # em above and below the measured glyphs


def script_of(text: str) -> str:
    """'cjk', 'arabic', 'hebrew' or 'latin' (the default): the script most letters use."""
    counts = {"cjk": 0, "arabic": 0, "hebrew": 0, "latin": 0}
    for char in text:
        if not char.isalpha() and unicodedata.category(char) != "Lo":
            continue
        name = unicodedata.name(char, "")
        if name.startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL")):
            counts["cjk"] += 1
        elif name.startswith("ARABIC"):
            counts["arabic"] += 1
        elif name.startswith("HEBREW"):
            counts["hebrew"] += 1
        else:
            counts["latin"] += 1
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] else "latin"


def is_rtl(text: str) -> bool:
    return script_of(text) in ("arabic", "hebrew")


def breaks_anywhere(text: str) -> bool:
    """Scripts written without spaces between words (CJK): a line may break between chars."""
    return script_of(text) == "cjk"


@lru_cache(maxsize=64)
def font_file(family: str, bold: bool = True) -> str:
    """The file fontconfig gives for ``family`` (what libass would load)."""
    fc_match = shutil.which("fc-match")
    if fc_match is not None:
        pattern = f"{family}:{'bold' if bold else 'regular'}"
        try:
            found = subprocess.run(
                [fc_match, "-f", "%{file}", pattern],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            ).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            found = ""
        if found and Path(found).is_file():
            return found
    for path in _FALLBACK_FILES:
        if Path(path).is_file():
            return path
    raise FileNotFoundError(f"no font file found for {family!r}")


@dataclass(frozen=True)
class FontMetrics:
    """Measures text in em px for one font file."""

    path: str
    line_ratio: float  # libass line height (ascent + descent) per em
    leading: float  # our line pitch per em when we place lines ourselves
    # the box of a line, when it is the glyphs' real extent rather than libass's line:
    # its top below libass's line top, and its height (em); None: libass's line
    ink_top: float = 0.0
    ink_ratio: float | None = None

    @property
    def _font(self) -> ImageFont.FreeTypeFont:
        return _load(self.path, _MEASURE_SIZE)

    def width(self, text: str, em_px: float) -> float:
        """Advance width of ``text`` at ``em_px``, shaped (ligatures, kerning, bidi)."""
        if not text:
            return 0.0
        direction = "rtl" if is_rtl(text) else None
        try:
            length = self._font.getlength(text, direction=direction)
        except (KeyError, ValueError):  # no Raqm: basic layout, no direction
            length = self._font.getlength(text)
        return float(length) * em_px / _MEASURE_SIZE

    def ass_size(self, em_px: float) -> float:
        """The ASS font size that draws ``em_px`` em glyphs."""
        return em_px * self.line_ratio

    def line_height(self, em_px: float) -> float:
        """Height of one line's box: libass's line (its size), or the glyphs' real extent
        for faces whose declared line is far taller than their glyphs."""
        return em_px * (self.ink_ratio if self.ink_ratio is not None else self.line_ratio)

    def ass_line_height(self, em_px: float) -> float:
        """Height of one line as libass sets it (what ``\\an`` alignments refer to)."""
        return em_px * self.line_ratio

    def draw_offset(self, em_px: float) -> float:
        """How far above a line's box libass's line starts: subtract from the box's top to
        get the ``\\an7`` position that puts the glyphs in the box."""
        return em_px * self.ink_top

    def pitch(self, em_px: float) -> float:
        """Distance between the tops of two lines we place one by one."""
        return em_px * self.leading

    def block_height(self, lines: int, em_px: float) -> float:
        """Height of ``lines`` lines placed at our pitch (0 for none)."""
        if lines <= 0:
            return 0.0
        return (lines - 1) * self.pitch(em_px) + self.line_height(em_px)


@lru_cache(maxsize=32)
def _load(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


@lru_cache(maxsize=32)
def metrics_for_file(path: str) -> FontMetrics:
    ascent, descent = _load(path, 1000).getmetrics()
    ratio = (ascent + descent) / 1000
    # tight headline leading for Latin; CJK and Arabic (tall marks) need more room
    leading = min(ratio, 1.12) if ratio < 1.4 else min(ratio, 1.6 if ratio > 1.8 else 1.3)
    return FontMetrics(path, ratio, leading)


@lru_cache(maxsize=512)
def ink_metrics(path: str, script: str, text: str) -> FontMetrics:
    """Metrics whose line box is the real extent of ``text``'s glyphs in ``script``."""
    base = metrics_for_file(path)
    if script not in _INK_BASE:
        return base
    font = _load(path, 1000)
    sample = f"{_INK_BASE[script]} {text}"
    direction = "rtl" if script == "arabic" else None
    try:  # y from the ascender line, which is libass's line top (ascent + descent = size)
        _, top, _, bottom = font.getbbox(sample, anchor="la", direction=direction)
    except (KeyError, ValueError):  # no Raqm
        _, top, _, bottom = font.getbbox(sample, anchor="la")
    ink_top = max(0.0, top / 1000 - _INK_PAD)
    ink_ratio = min(base.line_ratio - ink_top, bottom / 1000 + _INK_PAD - ink_top)
    if ink_ratio >= base.line_ratio * 0.97:  # nothing to gain
        return base
    leading = max(ink_ratio * 0.9, ink_ratio + _INK_LINE_GAP[script])
    return FontMetrics(path, base.line_ratio, leading, ink_top=ink_top, ink_ratio=ink_ratio)


def metrics(text: str, family: str | None = None) -> FontMetrics:
    """Metrics of the font libass will use for most of ``text`` (the brand font for Latin)."""
    script = script_of(text)
    chosen = _SCRIPT_FAMILIES.get(script, family or DEFAULT_FAMILY)
    if script in _INK_BASE:
        return ink_metrics(font_file(chosen, True), script, text)
    return metrics_for_file(font_file(chosen, True))
