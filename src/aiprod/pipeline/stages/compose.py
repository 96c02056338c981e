"""Compose: ``video.mp4``, the picture joined to its sound (and the true-peak guard)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiprod.pipeline.stages.cache import CacheEntry
from aiprod.pipeline.stages.context import RenderContext
from aiprod.pipeline.stages.toolchain import ffmpeg_version


class ComposeStage:
    """The picture (``picture`` stage) joined to the programme audio, encoded.

    Inputs: the picture and the mix (by their keys: everything they depend on), the
    preset's audio encoding and peak limit, and FFmpeg's build."""

    name = "compose"
    version = 2

    def __init__(self, compose: Callable[[], float]) -> None:
        self.compose = compose  # writes out_dir/video.mp4; the peak correction in dB

    def provider(self, ctx: RenderContext, out: float) -> str | None:
        return "ffmpeg"

    def inputs(self, ctx: RenderContext) -> dict[str, Any]:
        return {
            "from": {n: ctx.keys.get(n) for n in ("picture", "audio")},
            # the sound's encode and its true-peak guard
            "preset": ctx.preset.model_dump(
                mode="json", include={"true_peak_dbtp", "audio_bitrate_k", "sample_rate"}
            ),
            "ffmpeg": ffmpeg_version(),
        }

    def compute(self, ctx: RenderContext) -> float:
        return self.compose()

    def save(self, out: float, ctx: RenderContext) -> tuple[dict[str, Any], dict[str, Path]]:
        return {"peak_correction_db": out}, {"video.mp4": ctx.out_dir / "video.mp4"}

    def load(self, entry: CacheEntry, ctx: RenderContext) -> float:
        shutil.copyfile(entry.path("video.mp4"), ctx.out_dir / "video.mp4")
        return float(entry.record["peak_correction_db"])
