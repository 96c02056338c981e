"""What a job will cost and how long it will take, priced before any work: milliseconds.

A spec is priced as written. A brief is priced from the planner's first choices (its
preset, target length and first-pass script, see :func:`aiprod.pipeline.plan.draft_plan`)
without speaking or rendering anything. Seconds per unit come from the throughput this
machine has measured (``settings.throughput_file``), re-read only when the file changes.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aiprod.config import Settings
from aiprod.jobs.choices import BriefChoices
from aiprod.jobs.policy import JobKind
from aiprod.pipeline.cost import (
    DEFAULT_SECONDS_PER_UNIT,
    ThroughputStore,
    Workload,
    workload_for,
)
from aiprod.pipeline.format_costs import estimate_formats, sizes_for
from aiprod.pipeline.plan import PlanDraft, PlanOutline, PlanRequest, draft_plan, outline_plan
from aiprod.spec.formats import format_names, formats_of_request
from aiprod.spec.load import parse_spec
from aiprod.spec.presets import Preset, resolve_preset

_throughput_lock = threading.Lock()
_throughput_cache: dict[Path, tuple[tuple[int, int], Mapping[str, float]]] = {}


def learned_throughput(path: Path) -> Mapping[str, float]:
    """Seconds per unit per stage from ``path``; cached until its mtime or size change."""
    try:
        stat = path.stat()
    except OSError:
        return DEFAULT_SECONDS_PER_UNIT
    stamp = (stat.st_mtime_ns, stat.st_size)
    with _throughput_lock:
        cached = _throughput_cache.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
    loaded = ThroughputStore(path).load()
    with _throughput_lock:
        _throughput_cache[path] = (stamp, loaded)
    return loaded


def brief_workload(draft: PlanDraft) -> Workload:
    """The workload of a brief the planner has drafted: its target length, first script."""
    scenes = draft.script.scenes
    seconds = draft.target_s
    return Workload(
        words=sum(scene.word_count for scene in scenes),
        seconds=seconds,
        width=draft.preset.width,
        height=draft.preset.height,
        fps=float(draft.preset.frame_rate),
        x264_preset=draft.preset.x264_preset,
        music_seconds=seconds,  # the planner always composes a score
        effects=sum(len(scene.sfx_cues) for scene in scenes),
        illustrations=len(scenes),
        tts_provider="piper" if draft.analysis.language == "en" else "espeak",
        planned=True,
    )


EFFECTS_PER_SCENE = 2  # a drafted scene carries a transition and an accent cue


def outline_workload(outline: PlanOutline) -> Workload:
    """The workload of a brief from the planner's outline alone (no script drafted)."""
    preset, seconds = outline.preset, outline.target_s
    return Workload(
        words=outline.words,
        seconds=seconds,
        width=preset.width,
        height=preset.height,
        fps=float(preset.frame_rate),
        x264_preset=preset.x264_preset,
        music_seconds=seconds,
        effects=EFFECTS_PER_SCENE * outline.scenes,
        illustrations=outline.scenes,
        tts_provider="piper" if outline.analysis.language == "en" else "espeak",
        planned=True,
    )


def _workload(
    kind: str, request: Mapping[str, Any], settings: Settings, *, quick: bool
) -> tuple[Workload, Preset]:
    if JobKind(kind) is JobKind.SPEC:
        spec = parse_spec(request["spec"], source="spec")
        preset = resolve_preset(spec.preset, settings.presets_file)
        return workload_for(spec, preset, planned=False), preset
    plan_request = PlanRequest(
        brief=str(request["brief"]),
        preset=request.get("preset"),
        duration_s=request.get("duration_s"),
        language=(choices := BriefChoices.of(dict(request))).language,
        voice=choices.voice,
        music_mood=choices.music_mood,
    )
    if quick:  # a twentieth of the cost: job submission is the API's hot path
        outline = outline_plan(plan_request, settings)
        return outline_workload(outline), outline.preset
    draft = draft_plan(plan_request, settings)
    return brief_workload(draft), draft.preset


def estimate_request(
    *, kind: str, request: Mapping[str, Any], settings: Settings, quick: bool = False
) -> dict[str, Any]:
    """The priced estimate of a validated job request (``Submission.kind``/``.request``).

    ``{"currency", "rate_per_hour", "total", "eta_seconds", "stages", "duration_s",
    "preset"}``; ``duration_s`` is the programme length the price assumes. ``quick`` prices
    a brief from the planner's outline (scene and word counts) instead of its first draft.
    """
    work, preset = _workload(kind, request, settings, quick=quick)
    formats = formats_of_request(request)  # the sound once, the picture once per format
    found = estimate_formats(
        work,
        sizes_for(preset, formats) if formats else [(work.width, work.height)],
        learned_throughput(settings.throughput_file),
        rate_per_hour=settings.compute_rate_per_hour,
        currency=settings.currency,
    )
    shown = {"formats": format_names(formats)} if formats else {}
    return {**found.to_dict(), "duration_s": round(work.seconds, 1), "preset": preset.name, **shown}
