"""The contact sheet: one labelled tile per scene, laid out by the frame's shape."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from aiprod.media.contact_sheet import (
    GAP_PX,
    LABEL_PX,
    MISSING,
    Tile,
    grid,
    render_sheet,
    write_contact_sheet,
)

COLOURS = [(200, 30, 30), (30, 200, 30), (30, 30, 200), (220, 220, 40), (200, 40, 200)]


def frame(colour: tuple[int, int, int], width: int = 108, height: int = 192) -> np.ndarray:
    return np.full((height, width, 3), colour, dtype=np.uint8)


def tile_origin(i: int, columns: int, tile_w: int, tile_h: int) -> tuple[int, int]:
    return (
        GAP_PX + (i % columns) * (tile_w + GAP_PX),
        GAP_PX + (i // columns) * (tile_h + LABEL_PX + GAP_PX),
    )


@pytest.mark.parametrize(
    ("size", "count", "columns"),
    [((1080, 1920), 8, 6), ((1080, 1080), 5, 4), ((1920, 1080), 5, 3), ((1920, 1080), 2, 2)],
)
def test_grid_by_shape(size: tuple[int, int], count: int, columns: int) -> None:
    got, tile_w, tile_h = grid(count, *size)
    assert got == columns
    assert tile_w / tile_h == pytest.approx(size[0] / size[1], rel=0.01)


def test_one_tile_per_scene_in_order_with_its_frame(tmp_path: Path) -> None:
    tiles = [Tile(i, "hook", frame(c)) for i, c in enumerate(COLOURS)]
    tiles.append(Tile(5, "stat", None))  # not decoded: a grey placeholder
    tiles.append(Tile(6, "end_card", frame(COLOURS[0])))
    out = write_contact_sheet(tiles, 1080, 1920, tmp_path / "contact_sheet.jpg")
    with Image.open(out) as image:
        assert image.format == "JPEG"
        sheet = np.asarray(image.convert("RGB"), dtype=np.int16)
    columns, tile_w, tile_h = grid(7, 1080, 1920)
    rows = 2
    assert sheet.shape[1] == columns * tile_w + (columns + 1) * GAP_PX
    assert sheet.shape[0] == rows * (tile_h + LABEL_PX) + (rows + 1) * GAP_PX
    expected = [*COLOURS, MISSING, COLOURS[0]]
    for i, colour in enumerate(expected):
        x, y = tile_origin(i, columns, tile_w, tile_h)
        pixel = sheet[y + tile_h - 10, x + tile_w // 2]
        assert np.abs(pixel - np.array(colour)).max() < 12, (i, pixel, colour)
        label = sheet[y + tile_h + 4 : y + tile_h + LABEL_PX - 4, x : x + tile_w]
        assert label.max() > 180  # the label's light ink on the dark strip


def test_long_labels_are_cut_to_the_tile() -> None:
    image = render_sheet([Tile(12345, "comparison" * 5, frame(COLOURS[1]))], 1080, 1920)
    assert image.size[0] == grid(1, 1080, 1920)[1] + 2 * GAP_PX


def test_no_scene_is_an_error() -> None:
    with pytest.raises(ValueError):
        render_sheet([], 1080, 1920)
