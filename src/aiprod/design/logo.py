"""The brand's logo on the end card: its shape (read once from the file) and its box.

The logo is the user's picture: it keeps its aspect ratio, fitted inside the area the end
card gives it and centred there, so its box (recorded in the manifest like every element's)
is the logo's real extent and never reaches the text around it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from aiprod.design.grid import Rect

MAX_ASPECT = 6.0  # a wider logo is fitted as if it were this wide (it stays legible)


@lru_cache(maxsize=16)
def logo_aspect(path: str | None) -> float | None:
    """Width / height of the logo image; None without a readable logo."""
    if path is None or not Path(path).is_file():
        return None
    try:
        with Image.open(path) as image:
            w, h = image.size
    except (OSError, UnidentifiedImageError):
        return None
    if w <= 0 or h <= 0:
        return None
    return max(1 / MAX_ASPECT, min(MAX_ASPECT, w / h))


def fit_logo(area: Rect, aspect: float) -> Rect:
    """The largest ``aspect`` rectangle inside ``area``, centred: whole pixels, inside."""
    w = min(area.w, area.h * aspect)
    h = w / aspect
    w, h = max(2.0, float(int(w))), max(2.0, float(int(h)))
    x = float(int(area.x + (area.w - w) / 2))
    y = float(int(area.y + (area.h - h) / 2))
    return Rect(max(area.x, x), max(area.y, y), min(w, area.w), min(h, area.h))


@lru_cache(maxsize=16)
def logo_is_light(path: str | None) -> bool:
    """Whether the logo's visible pixels are mostly light (it then goes on a dark plate)."""
    if path is None or not Path(path).is_file():
        return False
    try:
        with Image.open(path) as image:
            rgba = image.convert("RGBA").resize((64, 64))
    except (OSError, UnidentifiedImageError):
        return False
    grey = np.asarray(rgba.convert("L"), dtype=np.float64)
    alpha = np.asarray(rgba.getchannel("A"), dtype=np.float64)
    weight = np.where(alpha > 64, alpha, 0.0)
    if not weight.sum():
        return False
    return bool((grey * weight).sum() / weight.sum() > 150)
