"""``contact_sheet.jpg``: one frame per scene, tiled, each labelled with its scene number (the
index QA and the manifest use) and its layout, to see a whole video at a glance.

The frames are the ones the QA video pass grabbed at each scene's rest time, so the sheet
shows exactly what the design checks measured and costs no extra decode.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

SHEET_NAME = "contact_sheet.jpg"
LABEL_PX = 34
GAP_PX = 6
BACKDROP = (18, 18, 22)
LABEL_INK = (240, 240, 240)
MISSING = (70, 70, 78)
JPEG_QUALITY = 85


@dataclass(frozen=True)
class Tile:
    """One scene on the sheet: its frame (RGB, None when it could not be decoded)."""

    scene: int
    layout: str
    frame: npt.NDArray[np.uint8] | None

    @property
    def label(self) -> str:
        return f"scene {self.scene} · {self.layout}" if self.layout else f"scene {self.scene}"


def grid(count: int, width: int, height: int) -> tuple[int, int, int]:
    """(columns, tile width, tile height) for ``count`` frames of ``width`` x ``height``:
    portrait frames six to a row, square four, landscape three."""
    ratio = width / height
    per_row, tile_w = (6, 216) if ratio < 0.8 else (3, 400) if ratio > 1.25 else (4, 300)
    columns = max(1, min(count, per_row))
    return columns, tile_w, max(1, round(tile_w / ratio))


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except (OSError, ImportError):  # Pillow without FreeType: the fixed bitmap font
        return ImageFont.load_default()


def _fitted(
    draw: ImageDraw.ImageDraw,
    text: str,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    width: int,
) -> str:
    """``text`` shortened with an ellipsis until it fits ``width`` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def render_sheet(tiles: Sequence[Tile], width: int, height: int) -> Image.Image:
    """The sheet as an image; ``width`` x ``height`` is the video's frame size."""
    if not tiles:
        raise ValueError("a contact sheet needs at least one scene")
    columns, tile_w, tile_h = grid(len(tiles), width, height)
    rows = math.ceil(len(tiles) / columns)
    cell_h = tile_h + LABEL_PX
    sheet = Image.new(
        "RGB",
        (columns * tile_w + (columns + 1) * GAP_PX, rows * cell_h + (rows + 1) * GAP_PX),
        BACKDROP,
    )
    draw = ImageDraw.Draw(sheet)
    font = _font(round(LABEL_PX * 0.55))
    for i, tile in enumerate(tiles):
        x = GAP_PX + (i % columns) * (tile_w + GAP_PX)
        y = GAP_PX + (i // columns) * (cell_h + GAP_PX)
        if tile.frame is None:
            draw.rectangle((x, y, x + tile_w - 1, y + tile_h - 1), fill=MISSING)
            draw.text((x + 8, y + 8), "no frame", fill=LABEL_INK, font=font)
        else:
            picture = Image.fromarray(np.ascontiguousarray(tile.frame[..., :3]), "RGB")
            sheet.paste(picture.resize((tile_w, tile_h), Image.Resampling.BILINEAR), (x, y))
        label = _fitted(draw, tile.label, font, tile_w - 12)
        draw.text(
            (x + 6, y + tile_h + LABEL_PX // 2), label, fill=LABEL_INK, font=font, anchor="lm"
        )
    return sheet


def write_contact_sheet(tiles: Sequence[Tile], width: int, height: int, out: Path) -> Path:
    """Write the sheet as a JPEG at ``out`` (atomically) and return ``out``."""
    partial = out.with_name(f".{out.name}.tmp")
    render_sheet(tiles, width, height).save(partial, "JPEG", quality=JPEG_QUALITY, optimize=True)
    partial.replace(out)
    return out
