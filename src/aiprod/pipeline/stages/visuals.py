"""Visuals: each scene's picture (icon, emoji or the user's image) drawn once at the size
its layout shows it."""

from __future__ import annotations

from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from aiprod.media.illustrations import PlacedIllustration, render_illustrations
from aiprod.pipeline.stages.cache import CacheEntry, file_fingerprint
from aiprod.pipeline.stages.context import RenderContext
from aiprod.pipeline.stages.toolchain import ffmpeg_version, font_fingerprints
from aiprod.spec.model import VideoSpec

Art = list[PlacedIllustration]


class VisualsStage:
    """Inputs: the scenes' illustrations sized for the layout, the timeline, FFmpeg's build
    and the fonts."""

    name = "visuals"
    version = 1

    def __init__(self, sized: VideoSpec) -> None:
        self.sized = sized  # the spec with each illustration at its layout's size

    def provider(self, ctx: RenderContext, out: Art) -> str | None:
        return "illustrations"

    def inputs(self, ctx: RenderContext) -> dict[str, Any]:
        art = [s.illustration for s in self.sized.scenes]
        return {
            "illustrations": [a.model_dump(mode="json") if a else None for a in art],
            "files": [file_fingerprint(a.path if a else None) for a in art],
            "timeline": ctx.timeline_shape(),
            "ffmpeg": ffmpeg_version(),  # pictures are scaled and decoded by FFmpeg
            "fonts": font_fingerprints(self.sized),  # emoji are drawn with the colour font
        }

    def compute(self, ctx: RenderContext) -> Art:
        return render_illustrations(self.sized, ctx.need_timeline(), ctx.work)

    def save(self, out: Art, ctx: RenderContext) -> tuple[dict[str, Any], dict[str, Path]]:
        files = {f"art{i}.png": item.png for i, item in enumerate(out)}
        placed = [{**asdict(item), "png": f"art{i}.png"} for i, item in enumerate(out)]
        return {"placed": placed}, files

    def load(self, entry: CacheEntry, ctx: RenderContext) -> Art:
        out = []
        for item in entry.record["placed"]:
            placed = PlacedIllustration(**{**item, "png": entry.path(item["png"])})
            out.append(replace(placed))
        return out
