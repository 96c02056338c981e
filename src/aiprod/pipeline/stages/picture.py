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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiprod.media.measure import Interval, VideoAnalysis, read_raw_frames
from aiprod.pipeline.stages.cache import CacheEntry, file_fingerprint
from aiprod.pipeline.stages.context import RenderContext
from aiprod.pipeline.stages.toolchain import ffmpeg_version, font_fingerprints
from aiprod.spec.model import VideoSpec

PICTURE_FILE = "picture.mp4"  # in the render's work folder
QA_FRAMES_FILE = "qa-frames.rgb"  # the frames QA looks at, as the encoder received them


@dataclass(frozen=True)
class Drawn:
    """The encoded picture and what QA's tap measured of it while it was drawn (the
    detectors' findings and the frames QA looks at); kept together in the cache, so a
    picture taken from there is judged on the same frames."""

    video: Path
    measured: VideoAnalysis


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
    version = 2

    def __init__(self, draw: Callable[[], Drawn]) -> None:
        self.draw = draw  # writes the work folder's picture.mp4 (video only) and QA frames

    def provider(self, ctx: RenderContext, out: Drawn) -> str | None:
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

    def compute(self, ctx: RenderContext) -> Drawn:
        return self.draw()

    def save(self, out: Drawn, ctx: RenderContext) -> tuple[dict[str, Any], dict[str, Path]]:
        measured = out.measured
        numbers = sorted(measured.frames)
        record = {
            "black": [[i.start, i.end] for i in measured.black],
            "frozen": [[i.start, i.end] for i in measured.frozen],
            "frames": numbers,
        }
        files = {PICTURE_FILE: out.video}
        if numbers:
            frames = ctx.work / QA_FRAMES_FILE
            with frames.open("wb") as sink:  # in number order, as ``load`` reads them
                for n in numbers:
                    sink.write(measured.frames[n].tobytes())
            files[QA_FRAMES_FILE] = frames
        return record, files

    def load(self, entry: CacheEntry, ctx: RenderContext) -> Drawn:
        out = ctx.work / PICTURE_FILE
        shutil.copyfile(entry.path(PICTURE_FILE), out)
        record, timeline = entry.record, ctx.need_timeline()
        numbers = [int(n) for n in record["frames"]]
        pictures = (
            read_raw_frames(entry.path(QA_FRAMES_FILE), timeline.width, timeline.height)
            if numbers
            else []
        )
        if len(pictures) != len(numbers):
            raise ValueError("the picture's QA frames are incomplete")
        return Drawn(
            out,
            VideoAnalysis(
                black=[Interval(*pair) for pair in record["black"]],
                frozen=[Interval(*pair) for pair in record["frozen"]],
                frames=dict(zip(numbers, pictures, strict=True)),
            ),
        )
