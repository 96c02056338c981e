"""Plan: a brief made into a production spec (script, scenes, sound design, brand).

Cached like the render's stages, so an identical brief request is answered without
writing or speaking its script again. A plan made on a fallback (the script endpoint was
down, say) is not kept: the next identical request tries the endpoint again.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from aiprod.config import Settings
from aiprod.pipeline.plan import PlanRequest, plan_from_brief
from aiprod.pipeline.progress import SilentProgress, StageClock
from aiprod.pipeline.stages.base import StageRecord, StageRunner
from aiprod.pipeline.stages.cache import (
    CacheEntry,
    StageCache,
    fell_back_for_now,
    file_fingerprint,
    provider_settings,
)
from aiprod.spec.model import VideoSpec
from aiprod.spec.presets import Preset

Planned = tuple[VideoSpec, Preset]
# the script chain and the picture chains (stock, generated) the planner asks
PLAN_SETTINGS = (
    "llm_",
    "script_providers",
    "provider_budget",
    "stock_",
    "generated_",
    "visuals_",
    "pexels_",
    "pixabay_",
    "runway_",
    "image_",
    "voice_",  # the planner speaks its script through the voice chain
    "elevenlabs_",
    "google_tts_",
    "openai_",
)


@dataclass(frozen=True)
class PlanContext:
    request: PlanRequest
    settings: Settings
    work: Path


def _folder(path: Path | None) -> list[Any]:
    if path is None or not path.is_dir():
        return []
    return [file_fingerprint(p) for p in sorted(path.rglob("*")) if p.is_file()]


class PlanStage:
    """Inputs: the brief and its options, the brand kit, the presets file, the asset
    library, and the settings of the script, picture and voice chains (never a key)."""

    name = "plan"
    version = 1

    def provider(self, ctx: PlanContext, out: Planned) -> str | None:
        brief = out[0].brief
        used = (brief.providers or {}).get("used") if brief else None
        script = used.get("script") if isinstance(used, dict) else None
        return str(script) if script else "copywriter"

    def inputs(self, ctx: PlanContext) -> dict[str, Any]:
        request, settings = ctx.request, ctx.settings
        asked = {f.name: getattr(request, f.name) for f in fields(request)}  # every option
        return {
            **asked,
            "brand": request.brand.model_dump(mode="json") if request.brand else None,
            "glossary": sorted((request.glossary or {}).items()),
            "presets_file": file_fingerprint(settings.presets_file),
            "assets": _folder(settings.asset_library_dir),
            "chain": provider_settings(settings, *PLAN_SETTINGS),
        }

    def compute(self, ctx: PlanContext) -> Planned:
        return plan_from_brief(ctx.request, ctx.settings, ctx.work)

    def save(self, out: Planned, ctx: PlanContext) -> tuple[dict[str, Any], dict[str, Path]] | None:
        spec, preset = out
        providers = spec.brief.providers if spec.brief else None
        if isinstance(providers, dict) and fell_back_for_now(providers.get("fallbacks") or []):
            return None
        return {"spec": spec.model_dump(mode="json"), "preset": preset.model_dump(mode="json")}, {}

    def load(self, entry: CacheEntry, ctx: PlanContext) -> Planned:
        spec = VideoSpec.model_validate(entry.record["spec"])
        return spec, Preset.model_validate(entry.record["preset"])


PLAN = PlanStage()


def plan_brief(
    request: PlanRequest, settings: Settings, work: Path
) -> tuple[VideoSpec, Preset, StageRecord]:
    """The brief's spec and preset, from the stage cache or planned now; its record."""
    cache = StageCache(settings.cache_dir, max_bytes=settings.stage_cache_max_bytes)
    runner = StageRunner(StageClock(SilentProgress()), cache)
    spec, preset = runner.cached(PLAN, PlanContext(request, settings, work))
    return spec, preset, runner.records[-1]
