"""Colour emoji to PNG with the real Noto Color Emoji font: one glyph, colour, exact bytes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from aiprod.errors import ProviderRejectedInput, ProviderUnavailable
from aiprod.visuals.emoji_render import (
    NotAnEmoji,
    draw_glyph,
    emoji_font_path,
    render_emoji,
)

pytestmark = pytest.mark.skipif(
    not emoji_font_path().is_file(), reason="Noto Color Emoji is not installed"
)

EMOJI = ["☕", "🚚", "🌱", "♻️", "👩‍💻", "🇫🇷"]


def colourful_share(image: Image.Image) -> float:
    """Share of visible pixels whose channels differ clearly (not grey)."""
    pixels = np.asarray(image.convert("RGBA")).astype(int)
    visible = pixels[..., 3] > 32
    chroma = pixels[..., :3].max(axis=-1) - pixels[..., :3].min(axis=-1)
    return float((chroma[visible] > 40).mean()) if visible.any() else 0.0


@pytest.mark.parametrize("emoji", EMOJI)
@pytest.mark.parametrize(("size", "shadow"), [(256, True), (72, False)])
def test_renders_a_coloured_square_png(emoji: str, size: int, shadow: bool, tmp_path: Path) -> None:
    out = render_emoji(emoji, size=size, out=tmp_path / "nested" / "emoji.png", shadow=shadow)
    assert out == tmp_path / "nested" / "emoji.png"
    with Image.open(out) as image:
        assert image.format == "PNG"
        assert image.mode == "RGBA"
        assert image.size == (size, size)
        alpha = np.asarray(image.getchannel("A"))
        assert (alpha > 0).mean() > 0.2  # a real glyph, not a blank or a sliver
        assert alpha[0, 0] == alpha[0, -1] == alpha[-1, 0] == alpha[-1, -1] == 0  # transparent
        assert colourful_share(image) > 0.1  # grey text glyphs score ~0
    assert list(tmp_path.glob("nested/.*partial")) == []


@pytest.mark.parametrize("emoji", ["♻️", "👩‍💻", "🇫🇷"])
def test_multi_codepoint_emoji_is_one_glyph(emoji: str) -> None:
    glyph = draw_glyph(emoji)
    width, height = glyph.size
    assert width <= 140 and height <= 140  # one 136 px cell, not two side by side
    assert colourful_share(glyph) > 0.1


def test_bytes_are_deterministic(tmp_path: Path) -> None:
    first = render_emoji("👩‍💻", size=128, out=tmp_path / "a.png").read_bytes()
    second = render_emoji("👩‍💻", size=128, out=tmp_path / "b.png").read_bytes()
    assert first == second
    flat = render_emoji("👩‍💻", size=128, out=tmp_path / "c.png", shadow=False).read_bytes()
    assert flat != first


def test_shadow_falls_below_the_glyph(tmp_path: Path) -> None:
    with Image.open(render_emoji("🌱", size=200, out=tmp_path / "s.png")) as image:
        pixels = np.asarray(image).astype(int)
    rows = np.nonzero(pixels[..., 3].max(axis=1) > 0)[0]
    bottom = pixels[rows[-1] - 2]
    shade = bottom[bottom[..., 3] > 0]
    assert shade.size and shade[..., :3].max() < 80  # dark, soft shadow under the sprout


@pytest.mark.parametrize(
    "text", ["A", "1", "", " ", "\u0378", "\U000e0000", "x☕", "☕☕", "👩\u200d🦄"]
)
def test_rejects_text_that_is_not_one_emoji(text: str, tmp_path: Path) -> None:
    out = tmp_path / "bad.png"
    with pytest.raises(NotAnEmoji) as caught:
        render_emoji(text, size=64, out=out)
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, ProviderRejectedInput)
    assert not out.exists()


def test_rejects_bad_sizes(tmp_path: Path) -> None:
    for size in (0, -5, 100_000):
        with pytest.raises(ValueError, match="size"):
            render_emoji("☕", size=size, out=tmp_path / "x.png")


def test_missing_font_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(ProviderUnavailable, match="font not found"):
        draw_glyph("☕", font_path=tmp_path / "missing.ttf")
