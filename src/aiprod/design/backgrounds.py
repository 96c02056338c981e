"""Which background each scene gets, decided with its layout: background variety.

A background the user set (image, clip, flat colour) is kept. A gradient (the default, and
what the planner gives every scene) may be replaced:

- ``asset_blur``: a product/asset hero scene with the user's image or clip: the background
  is that image (or the clip's first frame) blurred and darkened, cover-fitted, the sharp
  image (or the playing clip) in its hero box;
- ``split``: two brand colours divided by a straight or diagonal edge, for layouts whose
  two halves or single number it frames (comparison, stat);
- ``gradient``: the animated brand gradient (with the design's pattern decor over it).

Consecutive scenes do not get the same split twice in a row. The kind is recorded in the
manifest's design section (``background`` of every scene).
"""

from __future__ import annotations

from typing import Literal

from aiprod.design.boxes import Box
from aiprod.design.layouts import contrast
from aiprod.media.scene_backgrounds import SplitLook
from aiprod.spec.model import (
    BrandColours,
    ColourBackground,
    GradientBackground,
    ImageBackground,
    Scene,
    VideoBackground,
)

BackgroundKind = Literal["gradient", "split", "asset_blur", "image", "video", "colour"]
SPLIT_LAYOUTS = frozenset({"comparison", "stat"})
ASSET_LAYOUTS = frozenset({"product"})
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff"})


def designable(scene: Scene) -> bool:
    """A gradient (the default, and what the planner gives every scene) may be replaced by
    the design; a picture, a clip or a flat colour is the user's choice and stays."""
    return isinstance(scene.background, GradientBackground)


def asset_path(scene: Scene) -> str | None:
    """The user's still image shown in the scene's hero box, if any."""
    art = scene.illustration
    if art is None or art.path is None:
        return None
    suffix = "." + art.path.rsplit(".", 1)[-1].lower() if "." in art.path else ""
    return art.path if suffix in IMAGE_SUFFIXES else None


def hero_clip(scene: Scene, layout: str) -> str | None:
    """The user's clip, when an asset hero layout shows it in its box (not full frame)."""
    bg = scene.background
    if layout in ASSET_LAYOUTS and isinstance(bg, VideoBackground):
        return bg.path
    return None


def spec_kind(scene: Scene) -> BackgroundKind:
    bg = scene.background
    if isinstance(bg, ImageBackground):
        return "image"
    if isinstance(bg, VideoBackground):
        return "video"
    if isinstance(bg, ColourBackground):
        return "colour"
    assert isinstance(bg, GradientBackground)
    return "gradient"


def choose_backgrounds(scenes: list[Scene], layouts: list[str]) -> list[BackgroundKind]:
    kinds: list[BackgroundKind] = []
    for scene, layout in zip(scenes, layouts, strict=True):
        kind = spec_kind(scene)
        if hero_clip(scene, layout) is not None:
            kind = "asset_blur"
        elif designable(scene):
            previous = kinds[-1] if kinds else None
            if layout in ASSET_LAYOUTS and asset_path(scene) is not None:
                kind = "asset_blur"
            elif layout in SPLIT_LAYOUTS and previous != "split":
                kind = "split"
        kinds.append(kind)
    return kinds


def _mix(a: str, b: str, share: float) -> str:
    """``a`` moved ``share`` of the way toward ``b`` (#RRGGBB)."""
    ca = [int(a[i : i + 2], 16) for i in (1, 3, 5)]
    cb = [int(b[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * share):02X}" for x, y in zip(ca, cb, strict=True))


SPLIT_CONTRAST = 7.0  # text on a split side: the halftone and rings over it lighten it


def legible(fill: str, colours: BrandColours, toward: str, ratio: float = SPLIT_CONTRAST) -> str:
    """``fill`` moved toward ``toward`` until the brand's text reads on it at ``ratio``:1
    (the decor drawn over a background lightens it: measured 2.8:1 for white on a 5.8:1
    brown under the halftone, so a split side keeps a wide margin)."""
    text = colours.text[:7]
    out = fill[:7]
    for step in range(1, 11):
        if contrast(text, out) >= ratio:
            return out
        out = _mix(fill[:7], toward[:7], step / 10)
    return out


def _edge_between(a: Box, b: Box, width: int, height: int) -> tuple[bool, float]:
    """The edge in the gap between two boxes: beside each other -> vertical."""
    first, second = sorted((a, b), key=lambda box: (box.y, box.x))
    if second.x >= first.x + first.w:
        return True, (first.x + first.w + second.x) / 2 / width
    if first.x >= second.x + second.w:
        return True, (second.x + second.w + first.x) / 2 / width
    return False, (first.y + first.h + second.y) / 2 / height


def split_look(
    colours: BrandColours, index: int, layout: str, boxes: list[Box], width: int, height: int
) -> SplitLook:
    """The brand's primary and secondary (made legible under the text), divided where the
    layout divides: between a comparison's two cards (a straight edge: before | after), or
    between a stat's number and its label (a diagonal edge); sides alternate scene to scene."""
    dark = "#000000" if contrast(colours.text[:7], "#000000") > 4.5 else "#FFFFFF"
    first = legible(colours.primary, colours, dark)
    second = legible(colours.secondary, colours, dark)
    if contrast(first, second) < 1.3:  # the brand's two colours are too alike to show an edge
        second = legible(colours.accent, colours, dark)
    if index % 2:
        first, second = second, first
    named = {b.id.split(".", 1)[-1]: b for b in boxes}
    pairs = {"comparison": ("card0", "card1"), "stat": ("disc", "label")}
    vertical, at = width > height, 0.5
    pair = pairs.get(layout)
    if pair is not None and pair[0] in named and pair[1] in named:
        vertical, at = _edge_between(named[pair[0]], named[pair[1]], width, height)
    lean = 0.0 if layout == "comparison" else (0.12 if index % 2 else -0.12)
    return SplitLook(first, second, vertical, min(0.85, max(0.15, at)), lean)


def decor_kind(kinds: tuple[str, ...], index: int, background: str) -> str:
    """The scene's backdrop decor (``kinds`` in turn), never a second split over a split
    background, and only a light one over a blurred asset."""
    kind = kinds[index % len(kinds)]
    if background == "split" and kind == "split":
        return kinds[(index + 1) % len(kinds)]
    if background == "asset_blur" and kind in ("split", "stripes"):
        return "rings"
    return kind
