"""The work of one job attempt: a brief planned into a VideoSpec, a VideoSpec rendered.

Runs inside the per-attempt child process started by :mod:`aiprod.jobs.worker`; it knows
nothing of leases or the database. A brief without a plan is planned first and the plan is
sent to the worker (which stores it, fenced); with review the attempt stops there. A job
that has a plan renders that plan. Errors are raised as they come; :func:`is_retryable`
says whether another attempt could help.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Protocol

from aiprod.config import Settings
from aiprod.errors import (
    BudgetExceeded,
    InvalidSpec,
    MediaError,
    ProviderRejectedInput,
    QAFailed,
    SpecProblem,
)
from aiprod.jobs.error_text import without_server_paths
from aiprod.jobs.orphans import die_with_parent, parent_pid
from aiprod.pipeline.progress import FORMAT_STAGES_FROM, PLAN_STAGE, STAGES, ProgressCallback
from aiprod.spec.formats import format_names, formats_of_request
from aiprod.spec.model import VideoSpec
from aiprod.spec.presets import Preset

DEFAULT_WORK = "aiprod.jobs.runner:PIPELINE_WORK"
DELIVER_STAGE = "deliver"


@dataclass(frozen=True)
class Planned:
    """A planned job: the VideoSpec as JSON (the manifest) and its cost estimate."""

    spec: dict[str, Any]
    estimate: dict[str, Any] | None


@dataclass(frozen=True)
class AttemptInput:
    """What the child of one attempt is given; picklable, so it crosses the spawn boundary."""

    kind: str
    request: dict[str, Any]
    plan: dict[str, Any] | None = None
    review: bool = False
    estimate: dict[str, Any] | None = None  # the job's stored cost estimate, if any


class WorkFunction(Protocol):
    """The shape of a job's work: :data:`PIPELINE_WORK`, or a fast fake in the tests.

    ``plan`` turns a brief request into a VideoSpec; ``render`` renders ``plan`` (or, when
    it is None, the request's own spec) into ``out_dir`` and returns a small summary whose
    optional ``cost_actual`` entry is stored as the job's measured cost. ``estimate`` is the
    job's stored cost estimate (the plan's, or the submission's), which the manifest's cost
    section repeats rather than pricing the render again.
    """

    def plan(self, job_request: dict[str, Any], *, settings: Settings) -> Planned: ...

    def render(
        self,
        job_request: dict[str, Any],
        plan: dict[str, Any] | None,
        *,
        out_dir: Path,
        settings: Settings,
        on_progress: ProgressCallback,
        estimate: dict[str, Any] | None = None,
    ) -> dict[str, Any]: ...


# Errors another attempt cannot fix: the input is wrong, or the result failed its targets.
NON_RETRYABLE: tuple[type[BaseException], ...] = (
    InvalidSpec,
    MediaError,
    ProviderRejectedInput,
    QAFailed,
    BudgetExceeded,
)


def is_retryable(exc: BaseException) -> bool:
    """True when a new attempt may succeed (provider down, ffmpeg failure, anything unexpected)."""
    return not isinstance(exc, NON_RETRYABLE)


def error_code(exc: BaseException) -> str:
    """The stable code stored with a failure: the AiprodError code, else ``internal_error``."""
    code = getattr(exc, "code", None)
    return code if isinstance(code, str) else "internal_error"


class CallbackProgress:
    """A :class:`~aiprod.pipeline.progress.ProgressSink` that reports overall progress 0–1.

    With ``formats`` > 1 the stages from :data:`FORMAT_STAGES_FROM` on run once per format
    and share the rest of the bar between them, so progress never goes backwards.
    """

    def __init__(self, on_progress: ProgressCallback, *, formats: int = 1) -> None:
        self.on_progress = on_progress
        self.totals: dict[str, float | None] = {}
        self.formats, self.round = max(1, formats), -1

    def _fraction(self, stage: str, within: float) -> float:
        index = STAGES.index(stage) if stage in STAGES else 0
        within = max(0.0, min(1.0, within))
        first = STAGES.index(FORMAT_STAGES_FROM)
        if self.formats > 1 and index >= first:
            done = max(self.round, 0) * (len(STAGES) - first) + index - first + within
            return min(1.0, (first + done / self.formats) / len(STAGES))
        return min(1.0, (index + within) / len(STAGES))

    def stage_started(self, stage: str, total: float | None) -> None:
        """Report the start of a stage."""
        if stage == FORMAT_STAGES_FROM:
            self.round += 1
        self.totals[stage] = total
        self.on_progress(stage, self._fraction(stage, 0.0))

    def stage_advanced(self, stage: str, done: float) -> None:
        """Report progress within a stage that announced a total."""
        total = self.totals.get(stage)
        if total:
            self.on_progress(stage, self._fraction(stage, done / total))

    def stage_finished(self, stage: str, seconds: float) -> None:
        """Report the end of a stage."""
        self.on_progress(stage, self._fraction(stage, 1.0))


def spec_from_request(job_request: dict[str, Any], settings: Settings) -> tuple[VideoSpec, Preset]:
    """The spec and preset of a job request (``{"spec": …}`` or ``{"brief": …}``)."""
    from aiprod.intake import validate_spec
    from aiprod.jobs.choices import BriefChoices
    from aiprod.pipeline.request import Request, prepare

    preset_name = job_request.get("preset")
    if isinstance(job_request.get("spec"), dict):
        return validate_spec(
            job_request["spec"],
            presets_file=settings.presets_file,
            source="job spec",
            preset=preset_name,
        )
    brief = job_request.get("brief")
    if not isinstance(brief, str) or not brief.strip():
        raise InvalidSpec([SpecProblem("", "a job needs a 'spec' mapping or a 'brief'")], "job")
    duration = job_request.get("duration_s")
    request = Request(
        brief=brief,
        preset=preset_name,
        duration_s=float(duration) if duration else None,
        language=(choices := BriefChoices.of(job_request)).language,
        voice=choices.voice,
        music_mood=choices.music_mood,
    )
    kit = job_request.get("brand_kit")
    if not isinstance(kit, dict):
        return prepare(request, settings)
    # a stored brand kit (POST /v1/brand-kits), read by the planner as a kit file
    settings.work_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.work_root, prefix="kit-") as folder:
        path = Path(folder) / "brand.json"
        path.write_text(json.dumps({**kit.get("brand", {}), "glossary": kit.get("glossary", {})}))
        return prepare(replace(request, brand_kit=path), settings)


class PipelineWork:
    """The real work: the copywriter plans a brief, the pipeline renders the spec."""

    def plan(self, job_request: dict[str, Any], *, settings: Settings) -> Planned:
        """Plan a brief into a VideoSpec and estimate what rendering it will cost."""
        from aiprod.pipeline.request import estimate_cost

        spec, preset = spec_from_request(job_request, settings)
        estimate = estimate_cost(spec, preset, settings).to_dict()
        return Planned(spec.model_dump(mode="json"), estimate)

    def render(
        self,
        job_request: dict[str, Any],
        plan: dict[str, Any] | None,
        *,
        out_dir: Path,
        settings: Settings,
        on_progress: ProgressCallback,
        estimate: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Render the plan (or the request's spec) into ``out_dir``; return a summary.

        A request with several ``formats`` renders each into its folder of ``out_dir``.
        ``estimate``, the job's stored one, is the manifest's cost estimate."""
        from aiprod.pipeline.format_costs import cost_from_dict
        from aiprod.pipeline.formats import preset_for, render_formats
        from aiprod.pipeline.render import Renderer

        source = {"spec": plan} if plan is not None else job_request
        spec, preset = spec_from_request(source, settings)
        formats = formats_of_request(job_request)
        out_dir.mkdir(parents=True, exist_ok=True)
        sink = CallbackProgress(on_progress, formats=len(formats or ()))
        if formats is not None and len(formats) > 1:
            family = render_formats(
                spec, preset, formats, out_dir=out_dir, settings=settings, progress=sink
            )
            return {
                "qa_passed": family.qa_passed,
                "duration_s": float(family.index["timing"]["duration_s"]),
                "preset": preset.name,
                "formats": format_names(formats),
                "outputs": family.files(),
                "cost_actual": family.index.get("cost"),
            }
        if formats is not None:  # one format: the usual flat folder, in its frame size
            preset = preset_for(preset, formats[0])
        before = cost_from_dict(estimate) if estimate else None
        result = Renderer(
            spec, preset, out_dir=out_dir, settings=settings, progress=sink, estimate=before
        ).run()
        cost = result.manifest.get("cost")
        return {
            "qa_passed": result.qa.passed,
            "duration_s": float(result.timeline.duration),
            "preset": preset.name,
            "outputs": sorted(p.name for p in out_dir.iterdir() if p.is_file()),
            "cost_actual": cost.get("actual") if isinstance(cost, dict) else None,
        }


PIPELINE_WORK = PipelineWork()


def load_work(path: str) -> WorkFunction:
    """Import ``"package.module:attribute"``; a string, so it crosses a spawn boundary."""
    module_name, _, attribute = path.partition(":")
    work: WorkFunction = getattr(importlib.import_module(module_name), attribute)
    return work


def run_attempt(
    work: WorkFunction,
    attempt: AttemptInput,
    *,
    out_dir: Path,
    settings: Settings,
    on_progress: ProgressCallback,
    on_planned: Callable[[Planned], None],
) -> dict[str, Any] | None:
    """Plan when needed, render, then deliver the outputs to the artifact store (S3 or
    another folder; nothing to do for the default local store). None when the attempt
    stops for review. The job's folder is named by its id."""
    plan, estimate = attempt.plan, attempt.estimate
    if plan is None and attempt.kind == "brief":
        on_progress(PLAN_STAGE, 0.0)
        planned = work.plan(attempt.request, settings=settings)
        on_planned(planned)
        if attempt.review:
            return None
        plan, estimate = planned.spec, planned.estimate  # the estimate just stored
    result = work.render(
        attempt.request,
        plan,
        out_dir=out_dir,
        settings=settings,
        on_progress=on_progress,
        estimate=estimate,
    )
    from aiprod.storage.factory import deliver_outputs

    on_progress(DELIVER_STAGE, 0.99)  # an upload failure is a retryable error of this stage
    deliver_outputs(settings, job_id=out_dir.name, out_dir=out_dir)  # before success commits
    return result


def _exit_with_parent(poll_s: float = 0.5) -> None:
    """Stop this process if its worker dies (SIGKILL leaves no one to collect the result)."""
    parent = parent_pid()  # the worker's pid, even if it already died
    die_with_parent(signal.SIGKILL, parent)  # at once on Linux; the watch is the fallback

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_s)
        os._exit(70)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def child_main(
    work_path: str,
    attempt: AttemptInput,
    out_dir: Path,
    settings: Settings,
    conn: Connection,
) -> None:
    """Entry point of the per-attempt child process: run the work, send back how it ended.

    Messages: ``("progress", stage, fraction)``, ``("stage", record)`` (each stage's
    record: name, provider, seconds, cache, key) and ``("planned", spec, estimate)`` (without
    review, the child then waits for the worker's ``("plan_stored",)``), then
    ``("done", result)`` (``result`` is None after a plan kept for review) or
    ``("error", {stage, code, message, retryable})``. Signals are left to the worker.
    """
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_parent()
    stage = "start"

    def on_progress(name: str, fraction: float) -> None:
        nonlocal stage
        stage = name
        conn.send(("progress", name, fraction))

    def on_planned(planned: Planned) -> None:
        conn.send(("planned", planned.spec, planned.estimate))
        if not attempt.review:  # render only a stored plan; a lost lease or failed store kills us
            conn.recv()  # ("plan_stored",)

    from aiprod.observability.attempts import observe_attempt
    from aiprod.pipeline.stages.base import stage_hook

    try:
        work = load_work(work_path)
        job_id, kind = out_dir.name, attempt.kind  # spans and stage metrics (a hook, not work)
        # each stage's record goes to the worker as it is made: a retry's resume point
        send_stage = stage_hook(lambda record: conn.send(("stage", record.to_dict())))
        observing = observe_attempt(attempt.request, job_id=job_id, kind=kind, settings=settings)
        with send_stage, observing as obs:
            result = run_attempt(
                work,
                attempt,
                out_dir=out_dir,
                settings=settings,
                on_progress=obs.progress(on_progress),
                on_planned=obs.flushed_before(on_planned) if attempt.review else on_planned,
            )
            obs.rendered(result)
        conn.send(("done", result))
    except Exception as exc:  # every failure is reported, classified, to the worker
        message = without_server_paths(str(exc) or type(exc).__name__, settings)  # shown to callers
        error = {"stage": stage, "code": error_code(exc), "message": message[:2000]}
        conn.send(("error", {**error, "retryable": is_retryable(exc)}))
    finally:
        conn.close()
