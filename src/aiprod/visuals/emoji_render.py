"""One colour emoji to a transparent, square RGBA PNG (Noto Color Emoji, offline).

Noto Color Emoji is a CBDT bitmap font: FreeType loads it at its one strike (109 px) only, so
the glyph is drawn at 109 px on a roomy canvas, cropped to its visible pixels, padded to a
square (with room for an optional soft drop shadow) and resized with LANCZOS. Layout goes
through raqm so that multi-codepoint emoji (VS16, ZWJ sequences, flags, skin tones) shape
into one glyph. The output is deterministic: same emoji and size, same bytes.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from aiprod.errors import ProviderRejectedInput, ProviderUnavailable

DEFAULT_FONT = Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")
STRIKE = 109  # the only size the CBDT strike of Noto Color Emoji loads at
_CANVAS = STRIKE * 3
_PAD = 0.04  # transparent margin around the glyph, fraction of its side
_SHADOW_PAD = 0.12
_SHADOW_OFFSET = 0.035
_SHADOW_BLUR = 0.035
_SHADOW_ALPHA = 0.45
MAX_SIZE = 4096


class NotAnEmoji(ProviderRejectedInput, ValueError):
    """The text is not one emoji the colour font can draw (it would render empty)."""

    code = "not_an_emoji"


def emoji_font_path() -> Path:
    """The colour emoji font: Debian's Noto Color Emoji (package fonts-noto-color-emoji)."""
    return DEFAULT_FONT


@lru_cache(maxsize=4)
def _load_font(path: Path) -> ImageFont.FreeTypeFont:
    if not path.is_file():
        raise ProviderUnavailable(
            f"colour emoji font not found: {path} (install fonts-noto-color-emoji)"
        )
    try:
        return ImageFont.truetype(str(path), STRIKE, layout_engine=ImageFont.Layout.RAQM)
    except OSError as exc:
        raise ProviderUnavailable(f"cannot load colour emoji font {path}: {exc}") from exc


def _check_text(emoji: str, font: ImageFont.FreeTypeFont) -> None:
    """Reject text that is not a single emoji glyph before drawing anything."""
    if not emoji or emoji.isspace():
        raise NotAnEmoji(f"not an emoji: {emoji!r} (empty)")
    if emoji.isascii():
        raise NotAnEmoji(f"not an emoji: {emoji!r} (plain text)")
    one_glyph = font.getlength("\U0001f600")  # every emoji glyph has the same advance
    if abs(font.getlength(emoji) - one_glyph) > 0.5:
        raise NotAnEmoji(f"not an emoji: {emoji!r} (does not shape into one glyph)")


def draw_glyph(emoji: str, *, font_path: Path | None = None) -> Image.Image:
    """The emoji at the font's native strike, cropped to its visible pixels (RGBA)."""
    font = _load_font(font_path or emoji_font_path())
    _check_text(emoji, font)
    canvas = Image.new("RGBA", (_CANVAS, _CANVAS), (0, 0, 0, 0))
    ImageDraw.Draw(canvas).text((STRIKE, STRIKE), emoji, font=font, embedded_color=True)
    box = canvas.getchannel("A").getbbox()
    if box is None:
        raise NotAnEmoji(f"not an emoji: {emoji!r} (the colour font has no glyph for it)")
    return canvas.crop(box)


def _square(glyph: Image.Image, shadow: bool) -> Image.Image:
    """Centre the glyph on a transparent square, with a drop shadow under it if asked."""
    side = max(glyph.size)
    pad = round(side * (_SHADOW_PAD if shadow else _PAD))
    square = Image.new("RGBA", (side + 2 * pad, side + 2 * pad), (0, 0, 0, 0))
    at = ((square.width - glyph.width) // 2, (square.height - glyph.height) // 2)
    if shadow:
        alpha = glyph.getchannel("A").point(lambda a: round(a * _SHADOW_ALPHA))
        silhouette = Image.new("RGBA", glyph.size, (0, 0, 0, 255))
        silhouette.putalpha(alpha)
        drop = Image.new("RGBA", square.size, (0, 0, 0, 0))
        drop.paste(silhouette, (at[0], at[1] + round(side * _SHADOW_OFFSET)))
        square = drop.filter(ImageFilter.GaussianBlur(side * _SHADOW_BLUR))
    square.alpha_composite(glyph, at)
    return square


def render_emoji_image(emoji: str, *, size: int, shadow: bool = True) -> Image.Image:
    """The emoji as a ``size`` x ``size`` RGBA image (see :func:`render_emoji`)."""
    if not 1 <= size <= MAX_SIZE:
        raise ValueError(f"emoji size must be between 1 and {MAX_SIZE} px, got {size}")
    square = _square(draw_glyph(emoji), shadow)
    return square.resize((size, size), Image.Resampling.LANCZOS)


def render_emoji(emoji: str, *, size: int, out: Path, shadow: bool = True) -> Path:
    """Write ``emoji`` as a transparent square PNG of ``size`` px to ``out``; return ``out``.

    Raises :class:`NotAnEmoji` (a ``ValueError`` and a ``ProviderRejectedInput``) when the
    text is not one emoji the colour font can draw, ``ProviderUnavailable`` when the font is
    missing. Sizes above the 109 px strike are upscaled, so they soften slightly.
    """
    image = render_emoji_image(emoji, size=size, shadow=shadow)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    image.save(partial, format="PNG", optimize=False)
    partial.replace(out)
    return out
