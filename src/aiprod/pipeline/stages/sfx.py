"""Sound effects: every cue of the timeline becomes a file (the library's, or synthesised)."""

from __future__ import annotations

from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from aiprod.media.timeline import SfxPlacement
from aiprod.pipeline.sound import prepare_effects
from aiprod.pipeline.stages.cache import (
    CacheEntry,
    fell_back_for_now,
    file_fingerprint,
    provider_settings,
)
from aiprod.pipeline.stages.context import RenderContext
from aiprod.pipeline.stages.toolchain import ffmpeg_version

Effects = tuple[tuple[SfxPlacement, ...], list[dict[str, Any]]]


def _library(folder: Path | None) -> list[Any]:
    """The SFX library as it is now: its files' names, sizes and times."""
    if folder is None or not folder.is_dir():
        return []
    return [file_fingerprint(p) for p in sorted(folder.rglob("*")) if p.is_file()]


class SfxStage:
    """Inputs: the cues (kind, category, seed, length, or the user's file), the scenes'
    keywords (ambience categories) and the SFX library's content."""

    name = "sfx"
    version = 1

    def provider(self, ctx: RenderContext, out: Effects) -> str | None:
        sources = sorted({str(r["source"]).split(":")[0] for r in out[1]})
        return ",".join(sources) or None

    def inputs(self, ctx: RenderContext) -> dict[str, Any]:
        cues = ctx.need_timeline().sfx
        return {
            "cues": [asdict(c) for c in cues],
            "files": [file_fingerprint(c.path) for c in cues],
            "keywords": [list(s.keywords) for s in ctx.spec.scenes] if cues else [],
            "language": ctx.spec.language,
            "library": _library(ctx.settings.sfx_library_dir) if cues else [],
            "chain": provider_settings(
                ctx.settings, "sfx_providers", "freesound_", "provider_budget"
            ),
            "ffmpeg": ffmpeg_version(),  # decodes, converts and resamples the audio
        }

    def compute(self, ctx: RenderContext) -> Effects:
        return prepare_effects(ctx.spec, ctx.need_timeline(), ctx.settings, ctx.calls)

    def save(
        self, out: Effects, ctx: RenderContext
    ) -> tuple[dict[str, Any], dict[str, Path]] | None:
        placed, records = out
        if fell_back_for_now(ctx.calls.ledger.fallbacks, "sfx"):
            return None
        files: dict[str, Path] = {}
        cues: list[dict[str, Any]] = []
        for i, (cue, record) in enumerate(zip(placed, records, strict=True)):
            made = record["source"] != "file" and cue.path is not None
            if made and cue.path is not None:
                files[f"sfx{i}.wav"] = Path(cue.path)
            cues.append({"file": f"sfx{i}.wav" if made else None, "category": cue.category})
        return {"cues": cues, "records": records}, files

    def load(self, entry: CacheEntry, ctx: RenderContext) -> Effects:
        placed = []
        records = [dict(r) for r in entry.record["records"]]
        given = ctx.need_timeline().sfx
        for cue, item, record in zip(given, entry.record["cues"], records, strict=True):
            path = str(entry.path(item["file"])) if item["file"] else cue.path
            placed.append(replace(cue, path=path, category=item["category"]))
            record["path"] = path
        return tuple(placed), records


SFX = SfxStage()
