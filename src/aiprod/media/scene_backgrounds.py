"""Background pictures made once before the render, then shown as stills in its graph.

- ``split_png``: two brand colours divided by a straight or diagonal edge (antialiased).
- ``blurred_png``: the user's image cover-fitted, blurred and darkened toward the brand's
  primary colour: the background of a product/asset hero scene. Blurring happens once, at
  1/8 of the frame's size, not per frame in the graph; the result is cached in the data dir
  by the image's content hash, so re-renders and other formats reuse it.

Both are drawn with Pillow; the graph loops the decoded picture (``still_chain`` in
``aiprod.media.backgrounds``), which costs about what a flat colour does.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageOps

BLUR_DOWNSCALE = 8  # blur a 1/8-size copy: the same look as a full-size blur, ~60x cheaper
BLUR_RADIUS = 0.035  # of the small copy's shorter side
DARKEN = 0.7  # share of the brand's primary mixed over the blurred image
DESATURATE = 0.5  # colour kept: a muted backdrop, so the sharp picture stands out
SUPERSAMPLE = 2  # draw the split edge at 2x and shrink: a clean diagonal
CACHE_VERSION = "3"


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


@dataclass(frozen=True)
class SplitLook:
    """Two colours divided by an edge through ``at`` (a share of the frame's width when
    ``vertical``, else of its height), leaning by ``lean`` of the frame across it (0: a
    straight edge); ``first`` fills the top (or left) side."""

    first: str
    second: str
    vertical: bool
    at: float
    lean: float

    def to_dict(self) -> dict[str, object]:
        return {
            "colours": [self.first, self.second],
            "edge": "vertical" if self.vertical else "horizontal",
            "at": round(self.at, 3),
            "lean": round(self.lean, 3),
        }


def split_polygon(look: SplitLook, width: int, height: int) -> list[tuple[float, float]]:
    """The second colour's side of the edge, as a polygon in frame pixels."""
    if look.vertical:
        x0 = width * (look.at - look.lean / 2)  # at the top
        x1 = width * (look.at + look.lean / 2)  # at the bottom
        return [(x0, 0), (width, 0), (width, height), (x1, height)]
    y0 = height * (look.at + look.lean / 2)  # at the left
    y1 = height * (look.at - look.lean / 2)  # at the right
    return [(0, y0), (width, y1), (width, height), (0, height)]


def split_png(look: SplitLook, width: int, height: int, out: Path) -> Path:
    s = SUPERSAMPLE
    image = Image.new("RGB", (width * s, height * s), _rgb(look.first))
    draw = ImageDraw.Draw(image)
    polygon = [(x * s, y * s) for x, y in split_polygon(look, width, height)]
    draw.polygon(polygon, fill=_rgb(look.second))
    image = image.resize((width, height), Image.Resampling.LANCZOS)
    out.parent.mkdir(parents=True, exist_ok=True)
    image.save(out, optimize=False, compress_level=1)
    return out


def _digest(path: Path, *extra: str) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    for item in extra:
        h.update(b"\0" + item.encode())
    return h.hexdigest()[:32]


def blurred_png(source: Path, width: int, height: int, tint: str, cache_dir: Path) -> Path:
    """``source`` cover-fitted to ``width x height``, blurred and darkened; cached."""
    key = _digest(source, f"{width}x{height}", tint, CACHE_VERSION)
    out = cache_dir / "backgrounds" / f"blur-{key}.png"
    if out.is_file():
        return out
    with Image.open(source) as opened:
        image = ImageOps.exif_transpose(opened).convert("RGB")
    small_size = (max(8, width // BLUR_DOWNSCALE), max(8, height // BLUR_DOWNSCALE))
    small = ImageOps.fit(image, small_size, Image.Resampling.BILINEAR)
    radius = max(1.5, min(small_size) * BLUR_RADIUS)
    small = small.filter(ImageFilter.GaussianBlur(radius))
    small = ImageEnhance.Color(small).enhance(DESATURATE)
    small = Image.blend(small, Image.new("RGB", small_size, _rgb(tint)), DARKEN)
    big = small.resize((width, height), Image.Resampling.BICUBIC)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f"{out.stem}.{os.getpid()}.part.png")
    big.save(partial, compress_level=1)
    partial.replace(out)  # atomic: a concurrent render never reads half a file
    return out


def clip_frame(clip: Path, offset_s: float, out: Path) -> Path:
    """The clip's frame at ``offset_s`` as a PNG (the first one it shows): one decode."""
    from aiprod.media.ffmpeg.run import run_ffmpeg

    seek = ["-ss", f"{offset_s:.3f}"] if offset_s else []
    run_ffmpeg(["-y", *seek, "-i", str(clip), "-frames:v", "1", "-update", "1", str(out)])
    return out
