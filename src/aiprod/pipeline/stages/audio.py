"""Audio: narration placed on the timeline, music ducked under it, effects, two-pass
loudness: the programme mix every format shares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from aiprod.media.audio import LoudnessOutcome, LoudnormMeasurement
from aiprod.pipeline.stages.cache import CacheEntry
from aiprod.pipeline.stages.context import RenderContext
from aiprod.pipeline.stages.toolchain import ffmpeg_version

Mix = tuple[Path, LoudnessOutcome]


class AudioStage:
    """Inputs: the narration, music and sfx outputs (by their keys), the timeline and the
    preset's loudness targets."""

    name = "audio"
    version = 1

    def __init__(self, mix: Callable[[], Mix]) -> None:
        self.mix = mix

    def provider(self, ctx: RenderContext, out: Mix) -> str | None:
        return "ffmpeg"

    def inputs(self, ctx: RenderContext) -> dict[str, Any]:
        return {
            "from": {n: ctx.keys.get(n) for n in ("narration", "music", "sfx")},
            "timeline": ctx.timeline_shape(),
            "music": ctx.spec.music.model_dump(mode="json") if ctx.spec.music else None,
            # every aspect of a family shares one mix: the frame size does not matter
            "preset": ctx.preset.model_dump(mode="json", exclude={"width", "height"}),
            "ffmpeg": ffmpeg_version(),
        }

    def compute(self, ctx: RenderContext) -> Mix:
        return self.mix()

    def save(self, out: Mix, ctx: RenderContext) -> tuple[dict[str, Any], dict[str, Path]]:
        path, loudness = out
        return {"loudness": asdict(loudness)}, {"mix" + path.suffix: path}

    def load(self, entry: CacheEntry, ctx: RenderContext) -> Mix:
        data = dict(entry.record["loudness"])
        first = LoudnormMeasurement(**data.pop("first_pass"))
        name = next(n for n in entry.record["files"] if n.startswith("mix"))
        return entry.path(name), LoudnessOutcome(first_pass=first, **data)
