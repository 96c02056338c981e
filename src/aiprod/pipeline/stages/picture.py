"""Picture: the one FFmpeg graph that draws and encodes the video stream, without its sound.

The picture depends on neither the music, the effects nor the mix: it can start while they
are made (see :meth:`aiprod.pipeline.render.Renderer.run`), and a render that only changes
the sound (another music mood, a louder preset) reuses it from the cache; ``compose`` then
joins it to the programme audio.
"""

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

PICTURE_FILE = "picture.mp4"  # in the render's work folder


def picture_files(spec: VideoSpec) -> list[Any]:
    """Every user file the picture shows (backgrounds, pictures, logo), as fingerprints:
    replacing a file at the same path changes the key. (The music and effects files are
    in their own stages' keys, and so in the mix's.)"""
    paths: list[str | None] = [spec.brand.logo]
    for scene in spec.scenes:
        paths.append(getattr(scene.background, "path", None))
        paths.append(scene.illustration.path if scene.illustration else None)
    return [file_fingerprint(p) for p in paths if p]


class PictureStage:
    """Inputs: the spec, the preset's picture settings, the timeline's frames, the
    narration (its timing and the burned-in captions) and pictures (by their keys), the
    user's files, FFmpeg's build and threads (x264's output depends on them) and the font
    files the text is drawn with. Not the sound."""

    name = "picture"
    version = 1

    def __init__(self, draw: Callable[[], Path]) -> None:
        self.draw = draw  # writes the work folder's picture.mp4 (video only); its path

    def provider(self, ctx: RenderContext, out: Path) -> str | None:
        return "ffmpeg"

    def inputs(self, ctx: RenderContext) -> dict[str, Any]:
        return {
            "spec": ctx.spec.model_dump(
                mode="json", exclude={"music": True, "scenes": {"__all__": {"sfx"}}}
            ),
            "preset": ctx.preset.model_dump(
                mode="json",
                exclude={"loudness_lufs", "true_peak_dbtp", "audio_bitrate_k", "sample_rate"},
            ),
            "timeline": ctx.timeline_shape(sound=False),
            "from": {n: ctx.keys.get(n) for n in ("narration", "visuals")},
            "files": picture_files(ctx.spec),
            # x264's bytes depend on its thread count; 0 means one per core
            "threads": ctx.settings.ffmpeg_threads or os.cpu_count(),
            "ffmpeg": ffmpeg_version(),
            "fonts": font_fingerprints(ctx.spec),  # libass draws the titles and captions
        }

    def compute(self, ctx: RenderContext) -> Path:
        return self.draw()

    def save(self, out: Path, ctx: RenderContext) -> tuple[dict[str, Any], dict[str, Path]]:
        return {}, {PICTURE_FILE: out}

    def load(self, entry: CacheEntry, ctx: RenderContext) -> Path:
        out = ctx.work / PICTURE_FILE
        shutil.copyfile(entry.path(PICTURE_FILE), out)
        return out
