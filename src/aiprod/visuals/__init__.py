"""Visuals: scene keywords to pictures (user assets or colour emoji) and brand palettes.

emoji_for(keywords, language)          -> "☕" | None          (emoji_map.py, pure)
choose_visuals(scene_keywords, ...)    -> list[VisualChoice]  (choose.py, no repeats in a row)
AssetLibrary(root).find(keywords)      -> Asset | None        (library.py, scans once)
render_emoji(emoji, size=, out=)       -> PNG path            (emoji_render.py, Pillow + raqm)
derive_palette(primary, secondary, accent) -> Palette         (palette.py, WCAG contrast)
"""

from aiprod.visuals.choose import DEFAULT_FALLBACK, VisualChoice, choose_visuals
from aiprod.visuals.emoji_map import EmojiMatch, emoji_for, match_emoji
from aiprod.visuals.emoji_render import NotAnEmoji, render_emoji, render_emoji_image
from aiprod.visuals.library import Asset, AssetLibrary
from aiprod.visuals.palette import (
    Palette,
    SceneColours,
    contrast_ratio,
    derive_palette,
    readable_text,
)

__all__ = [
    "DEFAULT_FALLBACK",
    "Asset",
    "AssetLibrary",
    "EmojiMatch",
    "NotAnEmoji",
    "Palette",
    "SceneColours",
    "VisualChoice",
    "choose_visuals",
    "contrast_ratio",
    "derive_palette",
    "emoji_for",
    "match_emoji",
    "readable_text",
    "render_emoji",
    "render_emoji_image",
]
