"""A JPG thumbnail from a representative frame: the opening scene once its title is in."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image

from aiprod.media.ffmpeg.run import run_ffmpeg
from aiprod.media.timeline import Timeline, frames_for

TITLE_SETTLED_S = 1.0  # title animations finish well within a second


def thumbnail_frame(timeline: Timeline) -> int:
    """Frame shown in the thumbnail: inside the first scene, after its title settles."""
    first = timeline.scenes[0]
    settled = first.clear_start + frames_for(TITLE_SETTLED_S, timeline.fps)
    middle = (first.clear_start + first.clear_end) // 2
    frame = min(settled, middle) if first.clear_end > first.clear_start else first.start
    return max(timeline.fade_in_frames, min(frame, timeline.total_frames - 1))


JPEG_QUALITY = 90  # about ffmpeg's -q:v 3


def write_jpeg(picture: npt.NDArray[np.uint8], out: Path) -> Path:
    """A thumbnail from a frame already in hand (RGB, height x width x 3)."""
    Image.fromarray(picture, "RGB").save(out, "JPEG", quality=JPEG_QUALITY)
    return out


def extract_thumbnail(video: Path, at_seconds: float, out: Path) -> Path:
    run_ffmpeg(
        [
            "-y",
            "-ss",
            f"{at_seconds:.3f}",
            "-i",
            str(video),
            "-frames:v",
            "1",
            "-q:v",
            "3",
            "-update",
            "1",
            str(out),
        ]
    )
    return out
