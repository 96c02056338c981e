"""Fake job work for the worker tests: fast, importable by spawned processes, no rendering.

Used as ``WorkerPool(work="jobs_fake_work:fake_work")``; pytest puts this folder on
``sys.path`` and spawned processes inherit it. Kept light so each child starts quickly.
It runs through the real worker, leases and runner: only planning and rendering are faked.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from aiprod.config import Settings
from aiprod.errors import InvalidSpec, ProviderUnavailable, SpecProblem
from aiprod.jobs.runner import Planned
from aiprod.pipeline.progress import ProgressCallback

WORK = "jobs_fake_work:fake_work"
FAKE_ESTIMATE: dict[str, Any] = {
    "currency": "USD",
    "rate_per_hour": 0.05,
    "total": 0.0004,
    "eta_seconds": 30.0,
    "stages": [],
}
FAKE_ACTUAL: dict[str, Any] = {**FAKE_ESTIMATE, "total": 0.0001, "eta_seconds": 7.5}
RENDERED_PLAN = "rendered_plan.json"
RENDER_COUNT = "renders.txt"


class FakeWork:
    """Plans a brief into a one-scene spec; "renders" by writing a few small files.

    Request knobs: ``sleep`` (s), ``fail`` (``"retryable"`` or ``"fatal"``), ``crash``,
    ``plan_fail`` (``"retryable"``), and ``fail_renders`` (the first n renders of the job
    fail retryably, counted in the job's folder).
    """

    def plan(self, job_request: dict[str, Any], *, settings: Settings) -> Planned:
        if job_request.get("plan_fail") == "retryable":
            raise ProviderUnavailable("the copywriter is down")
        narration = str(job_request.get("brief") or "Hello there.")
        spec = {"version": 1, "scenes": [{"title": "Planned", "narration": narration}]}
        return Planned(spec, dict(FAKE_ESTIMATE))

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
        on_progress("compose", 0.5)
        time.sleep(float(job_request.get("sleep", 0.0)))
        if job_request.get("crash"):
            os._exit(3)
        if job_request.get("fail") == "retryable":
            raise ProviderUnavailable("tts service is down")
        if job_request.get("fail") == "fatal":
            raise InvalidSpec([SpecProblem("scenes", "at least one scene is needed")])
        out_dir.mkdir(parents=True, exist_ok=True)
        counter = out_dir / RENDER_COUNT
        renders = int(counter.read_text(encoding="utf-8")) + 1 if counter.exists() else 1
        counter.write_text(str(renders), encoding="utf-8")
        if renders <= int(job_request.get("fail_renders", 0)):
            raise ProviderUnavailable(f"render {renders} failed on purpose")
        (out_dir / "done.txt").write_text(str(os.getpid()), encoding="utf-8")
        (out_dir / RENDERED_PLAN).write_text(json.dumps(plan), encoding="utf-8")
        return {
            "pid": os.getpid(),
            "outputs": sorted(p.name for p in out_dir.iterdir() if p.is_file()),
            "qa_passed": True,
            "duration_s": 1.0,
            "preset": "fake",
            "cost_actual": dict(FAKE_ACTUAL),
        }


fake_work = FakeWork()
