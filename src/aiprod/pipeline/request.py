"""What a caller asks for — a spec file, or a brief with options — made into a VideoSpec
and a preset, with the cost estimate and budget check done before any work.

Shared by the CLI now and by the API later: nothing here prints or exits.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from aiprod.config import Settings
from aiprod.errors import BudgetExceeded
from aiprod.intake import load_spec
from aiprod.pipeline.cost import CostEstimate, ThroughputStore, estimate, workload_for
from aiprod.pipeline.format_costs import estimate_formats, sizes_for
from aiprod.pipeline.stages.base import StageRecord
from aiprod.spec.brand import load_brand_kit
from aiprod.spec.formats import OutputFormat
from aiprod.spec.model import VideoSpec
from aiprod.spec.presets import Preset


@dataclass(frozen=True)
class Request:
    spec_path: Path | None = None
    brief: str | None = None
    preset: str | None = None
    duration_s: float | None = None
    brand_kit: Path | None = None
    language: str | None = None
    voice: str | None = None
    music_mood: str | None = None


@dataclass(frozen=True)
class Prepared:
    """A request made into a spec and preset, with the records of the stages that ran
    before the render (``plan`` for a brief)."""

    spec: VideoSpec
    preset: Preset
    stages: tuple[StageRecord, ...] = ()


def prepare(request: Request, settings: Settings) -> tuple[VideoSpec, Preset]:
    """Load the spec, or plan one from the brief; apply the preset override."""
    found = prepare_request(request, settings)
    return found.spec, found.preset


def prepare_request(request: Request, settings: Settings) -> Prepared:
    """As :func:`prepare`, with the plan stage's record when a brief was planned."""
    if request.brief is not None:
        return _plan(request, settings)
    assert request.spec_path is not None
    spec, preset = load_spec(
        request.spec_path, preset_file=settings.presets_file, preset=request.preset
    )
    if request.brand_kit is not None:
        kit, glossary = load_brand_kit(request.brand_kit)
        spec = spec.model_copy(update={"brand": kit, "glossary": {**glossary, **spec.glossary}})
    return Prepared(spec, preset)


def _plan(request: Request, settings: Settings) -> Prepared:
    from aiprod.pipeline.plan import PlanRequest
    from aiprod.pipeline.stages.plan import plan_brief

    kit, glossary = load_brand_kit(request.brand_kit) if request.brand_kit else (None, {})
    work = settings.work_root / f"plan-{uuid.uuid4().hex[:12]}"
    work.mkdir(parents=True, exist_ok=True)
    try:
        spec, preset, record = plan_brief(
            PlanRequest(
                brief=request.brief or "",
                preset=request.preset,
                duration_s=request.duration_s,
                brand=kit,
                glossary=glossary,
                language=request.language,
                voice=request.voice,
                music_mood=request.music_mood,
            ),
            settings,
            work,
        )
        return Prepared(spec, preset, (record,))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def estimate_cost(
    spec: VideoSpec,
    preset: Preset,
    settings: Settings,
    formats: Sequence[OutputFormat] | None = None,
) -> CostEstimate:
    """The estimate of rendering ``spec``; with ``formats``, in each of them (one sound)."""
    work = workload_for(spec, preset, planned=spec.brief is not None)
    throughput = ThroughputStore(settings.throughput_file).load()
    rate, currency = settings.compute_rate_per_hour, settings.currency
    if formats:
        sizes = sizes_for(preset, formats)
        return estimate_formats(work, sizes, throughput, rate_per_hour=rate, currency=currency)
    return estimate(work, throughput, rate_per_hour=rate, currency=currency)


def check_budget(found: CostEstimate, budget: float | None) -> None:
    if budget is not None and found.total > budget:
        raise BudgetExceeded(found.total, budget, found.currency)
