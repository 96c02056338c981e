"""Where every element of a scene sits: boxes in frame pixels, and the platform safe zones.

The layout engine emits one ``Box`` per element it draws (text, shape, picture), at rest
(after its entrance, before its exit), in pixels from the frame's top-left corner. The
manifest records them; QA checks them against the safe zone and each other.

Safe zones (margins kept clear of text), as fractions of the frame, and where they come from:

- 9:16 feeds (TikTok, Instagram Reels, YouTube Shorts): the like/comment/share column down the
  right side and the caption/music bar at the bottom cover about the right 12 % and the bottom
  20 %; the top 10 % holds the account name and the "Following / For you" tabs. Left: the grid
  margin (6 % of the short side).
- 1:1 feeds: no overlaid interface inside the picture; the grid margin (6 %) all round.
- 16:9: broadcast title-safe, the central 90 % (5 % each side, SMPTE ST 2046-1 / EBU R 95).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Role = Literal[
    "headline",  # the largest text in the scene
    "support",  # a supporting line, about half the headline's size
    "stat",  # the number of a stat scene
    "list_item",
    "quote",
    "badge",
    "price",
    "chip",  # a promo code
    "button",  # the call-to-action shape and its text
    "url",
    "picture",  # an icon, emoji or the user's image
    "logo",
    "caption",  # the burned-in caption band
    "shape",  # a decorative brand shape (panel, bar, circle, underline)
]
TEXT_ROLES: frozenset[str] = frozenset(
    {"headline", "support", "stat", "list_item", "quote", "badge", "price", "chip", "button", "url"}
)
GRID_MARGIN = 0.06  # of the frame's short side


@dataclass(frozen=True)
class Box:
    """One element at rest, in frame pixels (top-left origin), shown from ``start_s`` to
    ``end_s`` of the programme. ``text_px`` is the font size of a text element (None for
    shapes and pictures); ``colour`` the text or fill colour (#RRGGBB); ``may_overlap`` the ids
    of boxes this one is meant to sit on (text on its panel, a check mark beside its item)."""

    id: str
    role: Role
    x: int
    y: int
    w: int
    h: int
    start_s: float
    end_s: float
    text_px: int | None = None
    colour: str | None = None
    may_overlap: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_text(self) -> bool:
        return self.role in TEXT_ROLES

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h

    def intersection(self, other: Box) -> int:
        """Overlapping area in square pixels (0 when apart or never on screen together)."""
        if self.end_s <= other.start_s or other.end_s <= self.start_s:
            return 0
        w = min(self.right, other.right) - max(self.x, other.x)
        h = min(self.bottom, other.bottom) - max(self.y, other.y)
        return max(0, w) * max(0, h)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["may_overlap"] = list(self.may_overlap)
        data["start_s"] = round(self.start_s, 3)
        data["end_s"] = round(self.end_s, 3)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Box:
        return cls(**{**data, "may_overlap": tuple(data.get("may_overlap", ()))})


@dataclass(frozen=True)
class SafeZone:
    """The rectangle text must stay inside, in frame pixels, and where its margins come from."""

    platform: str
    left: int
    top: int
    right: int  # x of the zone's right edge
    bottom: int  # y of the zone's bottom edge

    def contains(self, box: Box) -> bool:
        return (
            box.x >= self.left
            and box.y >= self.top
            and box.right <= self.right
            and box.bottom <= self.bottom
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def aspect_name(width: int, height: int) -> str:
    """'9:16', '1:1' or '16:9': the nearest of the three shapes we design for."""
    ratio = width / height
    if ratio < 0.8:
        return "9:16"
    if ratio > 1.25:
        return "16:9"
    return "1:1"


def safe_zone(width: int, height: int) -> SafeZone:
    short = min(width, height)
    grid = round(short * GRID_MARGIN)
    aspect = aspect_name(width, height)
    if aspect == "9:16":
        return SafeZone(
            platform="9:16 feeds (TikTok, Reels, Shorts)",
            left=grid,
            top=round(height * 0.10),
            right=width - round(width * 0.12),
            bottom=height - round(height * 0.20),
        )
    if aspect == "16:9":
        return SafeZone(
            platform="16:9 title-safe 90%",
            left=round(width * 0.05),
            top=round(height * 0.05),
            right=width - round(width * 0.05),
            bottom=height - round(height * 0.05),
        )
    return SafeZone("1:1 feeds", grid, grid, width - grid, height - grid)


def unintended_overlaps(boxes: list[Box], min_px: int = 16) -> list[tuple[Box, Box]]:
    """Pairs of boxes that overlap by more than ``min_px`` square pixels on screen at the
    same time, where neither lists the other in ``may_overlap`` and at least one is text or
    a picture (shapes are backgrounds: they may sit under anything)."""
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if a.role == "shape" or b.role == "shape":
                continue
            if a.id in b.may_overlap or b.id in a.may_overlap:
                continue
            if a.intersection(b) > min_px:
                found.append((a, b))
    return found


def outside_safe_zone(boxes: list[Box], zone: SafeZone) -> list[Box]:
    """Text boxes that leave the safe zone (captions are placed by their own band rules)."""
    return [b for b in boxes if b.is_text and not zone.contains(b)]
