"""Visuals: scene lines to pictures (user assets or icons chosen by meaning) and brand palettes.

choose_visuals(scene_lines, keywords, ...) -> list[VisualChoice]  (choose.py, no repeats in a row)
icon_index().rank(line)                  -> [IconMatch]           (icon_index.py, e5-small)
render_icon(name, size=, colour=, badge=) -> PNG path             (icons.py, Lucide + resvg)
AssetLibrary(root).find(keywords)        -> Asset | None          (library.py, scans once)
render_emoji(emoji, size=, out=)         -> PNG path              (emoji_render.py, Pillow + raqm)
derive_palette(primary, secondary, accent) -> Palette             (palette.py, WCAG contrast)
"""

from aiprod.visuals.choose import VisualChoice, choose_visuals, scene_line
from aiprod.visuals.emoji_render import NotAnEmoji, render_emoji, render_emoji_image
from aiprod.visuals.icon_index import IconIndex, IconMatch, build_index, icon_index
from aiprod.visuals.icons import UnknownIcon, icon_exists, render_icon
from aiprod.visuals.library import Asset, AssetLibrary
from aiprod.visuals.palette import (
    Palette,
    SceneColours,
    contrast_ratio,
    derive_palette,
    readable_text,
)

__all__ = [
    "Asset",
    "AssetLibrary",
    "IconIndex",
    "IconMatch",
    "NotAnEmoji",
    "Palette",
    "SceneColours",
    "UnknownIcon",
    "VisualChoice",
    "build_index",
    "choose_visuals",
    "contrast_ratio",
    "derive_palette",
    "icon_exists",
    "icon_index",
    "readable_text",
    "render_emoji",
    "render_emoji_image",
    "render_icon",
    "scene_line",
]
