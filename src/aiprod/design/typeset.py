"""Fit text to a box: the largest size (down to a floor) whose wrapped lines fit, never
overflowing; and the type scale per aspect ratio.

Sizes are em px (the CSS sense of a font size); ``fonts.FontMetrics.ass_size`` converts
them for libass. Lines break at spaces, or between any two characters in scripts written
without spaces (CJK), or inside a word too long for the box at the smallest size.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiprod.design.fonts import FontMetrics, breaks_anywhere, metrics

ELLIPSIS = "…"
HARD_FLOOR_PX = 6.0
HYPHEN = "-"
WHOLE_WORDS_UNDER_FLOOR = 0.8


@dataclass(frozen=True)
class TypeScale:
    """Em sizes (px) for a frame: the headline a phone viewer reads at arm's length."""

    headline: float
    stat: float
    support: float
    item: float
    small: float

    @classmethod
    def for_frame(cls, width: int, height: int) -> TypeScale:
        if height > width * 1.25:  # 9:16: headline >= 6 % of the height
            base = height * 0.072
        elif width > height * 1.25:  # 16:9: headline 7-10 % of the height
            base = height * 0.095
        else:
            base = height * 0.085
        return cls(
            headline=base,
            stat=base * 2.3,
            support=base * 0.5,
            item=base * 0.56,
            small=base * 0.4,
        )

    @property
    def headline_floor(self) -> float:
        """A headline is never set smaller than this unless it cannot fit otherwise."""
        return self.headline * 0.88


@dataclass(frozen=True)
class SetText:
    """Text set in a box: its lines, em size, and the size it takes."""

    lines: tuple[str, ...]
    em_px: float
    width: float
    height: float
    font: FontMetrics

    @property
    def ass_size(self) -> float:
        return self.font.ass_size(self.em_px)

    @property
    def pitch(self) -> float:
        """Distance between the tops of two consecutive lines."""
        return self.font.pitch(self.em_px)

    @property
    def line_height(self) -> float:
        return self.font.line_height(self.em_px)


def _split_long(word: str, font: FontMetrics, em: float, max_w: float) -> list[str]:
    """Cut a word into pieces that each fit ``max_w``, every piece but the last ending in a
    hyphen (at least one char per piece)."""
    pieces, current = [], ""
    for char in word:
        if current and font.width(current + char + HYPHEN, em) > max_w:
            pieces.append(current + HYPHEN)
            current = char
        else:
            current += char
    if current:
        pieces.append(current)
    return pieces


# punctuation that never starts a line (French sets a space before ; : ! ?) and marks that
# never end one: tied to their word with a no-break space
_CLOSING = frozenset(";:!?»%")
_OPENING = frozenset("«")


def _tokens(paragraph: str) -> list[str]:
    out: list[str] = []
    for word in paragraph.split():
        if out and (word in _CLOSING or out[-1] in _OPENING):
            out[-1] = f"{out[-1]}\u00a0{word}"
        else:
            out.append(word)
    return out


def wrap(text: str, font: FontMetrics, em: float, max_w: float, *, cut_words: bool) -> list[str]:
    """Greedy lines no wider than ``max_w`` (a word wider than that is cut if ``cut_words``,
    else left whole on its own line)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        if breaks_anywhere(paragraph):
            tokens = list(paragraph)
            joiner = ""
        else:
            tokens = _tokens(paragraph)
            joiner = " "
        current = ""
        for token in tokens:
            trial = f"{current}{joiner}{token}" if current else token
            if font.width(trial.strip(), em) <= max_w:
                current = trial
                continue
            if current.strip():
                lines.append(current.strip())
            if cut_words and font.width(token, em) > max_w:
                *whole, current = _split_long(token, font, em, max_w)
                lines.extend(whole)
            else:
                current = token
        if current.strip():
            lines.append(current.strip())
    return lines


def _measure(lines: list[str], font: FontMetrics, em: float) -> tuple[float, float]:
    width = max((font.width(line, em) for line in lines), default=0.0)
    return width, font.block_height(len(lines), em)


def fit(
    text: str,
    max_w: float,
    max_h: float,
    *,
    max_px: float,
    min_px: float | None = None,
    max_lines: int = 4,
    family: str | None = None,
) -> SetText:
    """The largest size from ``max_px`` down whose lines fit ``max_w`` x ``max_h``.

    Sizes go down by 6 % steps to ``min_px`` and on to 80 % of it with words whole; only
    then are words cut (with a hyphen), from ``min_px`` down to a hard floor; at the floor,
    lines past the box are dropped and the last kept line ends in an ellipsis. The result
    always fits: width <= max_w, height <= max_h.
    """
    text = " ".join(text.split()) if not breaks_anywhere(text) else "".join(text.split())
    font = metrics(text, family)
    floor = max(HARD_FLOOR_PX, min(min_px or max_px * 0.5, max_px))
    # under the floor a whole word still beats a cut one ('électriqu / e'), down to this
    whole_floor = max(HARD_FLOOR_PX, floor * WHOLE_WORDS_UNDER_FLOOR)
    em = max(max_px, HARD_FLOOR_PX)
    cut = False
    failed: float | None = None  # the last size that did not fit, with the same ``cut``
    while True:
        found = _set_if_fits(text, font, em, max_w, max_h, max_lines, cut)
        if found is not None:
            return _largest_between(found, failed, text, max_w, max_h, max_lines, cut)
        if em <= whole_floor and not cut:
            cut, failed, em = True, None, floor
            continue
        if em <= HARD_FLOOR_PX:
            break
        failed = em
        em = max(HARD_FLOOR_PX if cut else whole_floor, em * 0.94)
    return _truncate(text, font, em, max_w, max_h, max_lines)


def _set_if_fits(
    text: str, font: FontMetrics, em: float, max_w: float, max_h: float, lines_max: int, cut: bool
) -> SetText | None:
    lines = wrap(text, font, em, max_w, cut_words=cut)
    width, height = _measure(lines, font, em)
    if len(lines) <= lines_max and width <= max_w and height <= max_h:
        return SetText(tuple(lines), em, width, height, font)
    return None


def _largest_between(
    found: SetText,
    failed: float | None,
    text: str,
    max_w: float,
    max_h: float,
    lines_max: int,
    cut: bool,
) -> SetText:
    """Refine a step down (6 %, or to the floor) by bisection: the largest size that fits,
    to within 0.4 % (a step could otherwise land 6 % under a box's real capacity)."""
    if failed is None:
        return found
    low, high = found.em_px, failed
    while high - low > low * 0.004:
        mid = (low + high) / 2
        trial = _set_if_fits(text, found.font, mid, max_w, max_h, lines_max, cut)
        if trial is None:
            high = mid
        else:
            found, low = trial, mid
    return found


def _truncate(
    text: str, font: FontMetrics, em: float, max_w: float, max_h: float, max_lines: int
) -> SetText:
    lines = wrap(text, font, em, max_w, cut_words=True)
    keep = 0
    while keep < max_lines and font.block_height(keep + 1, em) <= max_h:
        keep += 1
    if keep < len(lines):
        lines = lines[:keep]
        if lines:
            last = lines[-1]
            while last and font.width(last + ELLIPSIS, em) > max_w:
                last = last[:-1]
            lines[-1] = last + ELLIPSIS if font.width(last + ELLIPSIS, em) <= max_w else last
    lines = [line for line in lines if line]
    width, height = _measure(lines, font, em)
    return SetText(tuple(lines), em, width, height, font)
