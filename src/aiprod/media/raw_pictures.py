"""Baked pictures handed to the compose as raw ``yuva420p`` frames instead of PNG files.

The compose holds every input picture for the whole render. A PNG input is decoded into an
RGBA frame from its decoder's buffer pool, which ffmpeg keeps until the end, and converted
to the overlay's ``yuva420p`` beside it: 13 MB for a 1080p decor picture, 2.5 bytes a pixel
of which it uses. A raw ``yuva420p`` file is read as it is (the frame is the packet) and
needs no conversion. Measured on the bench brief at 1080p (28 inputs): the compose's graph
held 535 MB with PNG inputs and 421 MB with raw ones, and spent 0.6 s less CPU on its first
60 frames.

The conversion is one ffmpeg process before the compose, by the same scaler the compose
used to insert, so the frames are the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

RAW_FORMAT = "yuva420p"
SUFFIX = ".yuva"


@dataclass(frozen=True)
class RawPicture:
    """A picture stored as one raw ``yuva420p`` frame of ``width`` x ``height``."""

    path: Path
    width: int
    height: int

    def input_options(self) -> list[str]:
        """What ffmpeg must be told before ``-i``: a raw file says nothing of itself."""
        return [
            "-f",
            "rawvideo",
            "-pixel_format",
            RAW_FORMAT,
            "-video_size",
            f"{self.width}x{self.height}",
        ]

    def ink(self) -> tuple[int, int, int, int] | None:
        """The box its visible pixels fill, ``(x0, y0, x1, y1)`` with the ends excluded,
        in the picture's own pixels; None when nothing shows. Read from the alpha plane,
        the frame's last ``width * height`` bytes."""
        plane = self.width * self.height
        alpha = np.fromfile(self.path, dtype=np.uint8)[-plane:].reshape(self.height, self.width)
        rows, cols = np.flatnonzero(alpha.any(axis=1)), np.flatnonzero(alpha.any(axis=0))
        if rows.size == 0:
            return None
        return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1

    def rows(self, top: int, bottom: int, out: Path) -> RawPicture:
        """Rows ``top`` (even) to ``bottom`` of the frame, written to ``out`` as a frame of
        their own: each plane cut where it holds them (chroma has a row for two)."""
        w, h = self.width, self.height
        cw, ch = (w + 1) // 2, (h + 1) // 2
        data = np.fromfile(self.path, dtype=np.uint8)
        luma, alpha = data[: w * h].reshape(h, w), data[-w * h :].reshape(h, w)
        chroma = data[w * h : w * h + 2 * cw * ch].reshape(2, ch, cw)
        first, count = top // 2, (bottom - top + 1) // 2
        planes = (luma[top:bottom], *(c[first : first + count] for c in chroma), alpha[top:bottom])
        out.write_bytes(b"".join(plane.tobytes() for plane in planes))
        return RawPicture(out, w, bottom - top)


@dataclass(frozen=True)
class RgbaFrame:
    """A picture kept as one raw RGBA frame (``RGBA_SUFFIX``): what a PNG decodes to,
    without the PNG's encode and decode."""

    path: Path
    width: int
    height: int


RGBA_SUFFIX = ".rgba"


def plan_raw_pictures(pictures: Iterable[Path | RgbaFrame]) -> dict[Path, RawPicture]:
    """For each distinct picture (a PNG, or a raw RGBA frame), the raw file it becomes
    (beside it, sized from the PNG's header or the frame's size)."""
    planned: dict[Path, RawPicture] = {}
    for picture in pictures:
        path = picture.path if isinstance(picture, RgbaFrame) else picture
        if path in planned:
            continue
        if isinstance(picture, RgbaFrame):
            size = (picture.width, picture.height)
        else:
            with Image.open(path) as png:
                size = png.size
        planned[path] = RawPicture(path.with_suffix(SUFFIX), *size)
    return planned


def build_raw_command(planned: Mapping[Path, RawPicture]) -> list[str]:
    """ffmpeg arguments converting every planned picture into its raw frame in one process:
    a PNG decodes to RGBA, a raw RGBA frame is that already; the same scaler converts both."""
    inputs: list[str] = []
    outputs: list[str] = []
    for n, (source, raw) in enumerate(planned.items()):
        if source.suffix == RGBA_SUFFIX:
            size = f"{raw.width}x{raw.height}"
            inputs += ["-f", "rawvideo", "-pixel_format", "rgba", "-video_size", size]
        inputs += ["-i", str(source)]
        outputs += ["-map", f"{n}:v", "-frames:v", "1", "-pix_fmt", RAW_FORMAT]
        outputs += ["-f", "rawvideo", str(raw.path)]
    return ["-y", *inputs, *outputs]


def split_raw(planned: Mapping[Path, RawPicture], parts: int) -> list[dict[Path, RawPicture]]:
    """``planned`` in at most ``parts`` groups of about the same number of pixels (largest
    first, each to the lightest group), for conversions run side by side."""
    groups: list[dict[Path, RawPicture]] = [{} for _ in range(max(1, parts))]
    loads = [0] * len(groups)
    for png, raw in sorted(planned.items(), key=lambda item: -item[1].width * item[1].height):
        lightest = loads.index(min(loads))
        groups[lightest][png] = raw
        loads[lightest] += raw.width * raw.height
    return [group for group in groups if group]


__all__ = [
    "RAW_FORMAT",
    "RGBA_SUFFIX",
    "RawPicture",
    "RgbaFrame",
    "build_raw_command",
    "plan_raw_pictures",
    "split_raw",
]
