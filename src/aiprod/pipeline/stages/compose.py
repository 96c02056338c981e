"""Compose: ``video.mp4``, the picture joined to its sound (and the true-peak guard)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiprod.pipeline.stages.cache import CacheEntry, file_fingerprint
from aiprod.pipeline.stages.context import RenderContext
from aiprod.pipeline.stages.toolchain import ffmpeg_version, font_fingerprints
from aiprod.spec.model import VideoSpec


def media_files(spec: VideoSpec, *, sound: bool = True) -> list[Any]:
    """Every user file the spec names (backgrounds, pictures, logo, music, effects; the
    sound files only with ``sound``), as fingerprints: replacing a file at the same path
    changes the key."""
    paths: list[str | None] = [spec.brand.logo]
    if sound:
        paths.append(spec.music.path if spec.music else None)
    for scene in spec.scenes:
        paths.append(getattr(scene.background, "path", None))
        paths.append(scene.illustration.path if scene.illustration else None)
        if sound:
            paths.extend(cue.path for cue in scene.sfx)
    return [file_fingerprint(p) for p in paths if p]


class ComposeStage:
    """The picture (``picture`` stage) joined to the programme audio, encoded.

    Inputs: the spec, the preset, the timeline, the mix and pictures (by their keys), the
    user's files, FFmpeg's build and threads (x264's output depends on them) and the font
    files the text is drawn with: everything the picture's key holds, and the sound."""

    name = "compose"
    version = 2

    def __init__(self, compose: Callable[[], float]) -> None:
        self.compose = compose  # writes out_dir/video.mp4; the peak correction in dB

    def provider(self, ctx: RenderContext, out: float) -> str | None:
        return "ffmpeg"

    def inputs(self, ctx: RenderContext) -> dict[str, Any]:
        return {
            "spec": ctx.spec.model_dump(mode="json"),
            "preset": ctx.preset.model_dump(mode="json"),
            "timeline": ctx.timeline_shape(),
            "from": {n: ctx.keys.get(n) for n in ("narration", "audio", "visuals")},
            "files": media_files(ctx.spec),
            # x264's bytes depend on its thread count; 0 means one per core
            "threads": ctx.settings.ffmpeg_threads or os.cpu_count(),
            "ffmpeg": ffmpeg_version(),
            "fonts": font_fingerprints(ctx.spec),  # libass draws the titles and captions
        }

    def compute(self, ctx: RenderContext) -> float:
        return self.compose()

    def save(self, out: float, ctx: RenderContext) -> tuple[dict[str, Any], dict[str, Path]]:
        return {"peak_correction_db": out}, {"video.mp4": ctx.out_dir / "video.mp4"}

    def load(self, entry: CacheEntry, ctx: RenderContext) -> float:
        shutil.copyfile(entry.path("video.mp4"), ctx.out_dir / "video.mp4")
        return float(entry.record["peak_correction_db"])
