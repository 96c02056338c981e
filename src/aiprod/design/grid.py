"""The grid of a frame: the content area (safe zone, less the caption band and the corner
logo), and helpers that cut a rectangle into rows and columns."""

from __future__ import annotations

from dataclasses import dataclass

from aiprod.design.boxes import SafeZone, aspect_name, safe_zone

CAPTION_LINES = 2  # cues have at most two lines
LOGO_HEIGHT = 0.07  # of the short side; as media.compose draws it
LOGO_MARGIN = 0.04


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def rows(self, *weights: float, gap: float = 0.0) -> list[Rect]:
        """Cut top to bottom into rows sized by ``weights``, ``gap`` px apart."""
        room = self.h - gap * (len(weights) - 1)
        total = sum(weights) or 1.0
        out, y = [], self.y
        for weight in weights:
            h = room * weight / total
            out.append(Rect(self.x, y, self.w, h))
            y += h + gap
        return out

    def cols(self, *weights: float, gap: float = 0.0) -> list[Rect]:
        """Cut left to right into columns sized by ``weights``, ``gap`` px apart."""
        room = self.w - gap * (len(weights) - 1)
        total = sum(weights) or 1.0
        out, x = [], self.x
        for weight in weights:
            w = room * weight / total
            out.append(Rect(x, self.y, w, self.h))
            x += w + gap
        return out

    def inset(self, dx: float, dy: float | None = None) -> Rect:
        dy = dx if dy is None else dy
        return Rect(self.x + dx, self.y + dy, max(1.0, self.w - 2 * dx), max(1.0, self.h - 2 * dy))

    def square(self, side: float | None = None) -> Rect:
        """The largest square (or one of ``side``) centred in this rect."""
        s = min(self.w, self.h) if side is None else min(side, self.w, self.h)
        return Rect(self.cx - s / 2, self.cy - s / 2, s, s)


def caption_band(width: int, height: int, look: str) -> Rect:
    """Where burned-in captions of ``look`` sit (two lines), as captions.styles places them."""
    short = min(width, height)
    if look == "social":
        size, bottom, pad = 0.065 * short, height - 0.2 * height, 0.065 * short * 0.12
        margin = 0.08 * width
    else:
        size, bottom, pad = 0.045 * short, height - 0.07 * height, 0.045 * short * 0.25
        margin = 0.05 * width
    top = bottom - CAPTION_LINES * size - 2 * pad
    return Rect(margin, top, width - 2 * margin, bottom + pad - top)


def logo_rect(width: int, height: int, position: str) -> Rect:
    """The corner logo's area (its width unknown here: assume up to 3x its height)."""
    short = min(width, height)
    h, margin = short * LOGO_HEIGHT, short * LOGO_MARGIN
    w = h * 3
    x = margin if position.endswith("left") else width - margin - w
    y = margin if position.startswith("top") else height - margin - h
    return Rect(x, y, w, h)


@dataclass(frozen=True)
class Grid:
    width: int
    height: int
    zone: SafeZone
    content: Rect  # where layout elements go
    band: Rect | None  # the caption band, when captions are burned in
    gap: float  # the grid's gutter

    @property
    def aspect(self) -> str:
        return aspect_name(self.width, self.height)

    @property
    def short(self) -> int:
        return min(self.width, self.height)


def make_grid(
    width: int,
    height: int,
    *,
    caption_look: str | None,
    logo_position: str | None = None,
) -> Grid:
    zone = safe_zone(width, height)
    gap = round(min(width, height) * 0.035)
    top, bottom = float(zone.top), float(zone.bottom)
    band = caption_band(width, height, caption_look) if caption_look else None
    if band is not None:
        bottom = min(bottom, band.y - gap)
    if logo_position is not None and logo_position.startswith("top"):
        top = max(top, logo_rect(width, height, logo_position).bottom + gap * 0.5)
    if logo_position is not None and logo_position.startswith("bottom"):
        bottom = min(bottom, logo_rect(width, height, logo_position).y - gap * 0.5)
    # whole pixels inside the zone, so every box built from it stays inside
    content = Rect(
        float(zone.left + 1),
        float(int(top) + 1),
        float(zone.right - zone.left - 2),
        float(int(bottom) - int(top) - 2),
    )
    return Grid(width, height, zone, content, band, gap)
