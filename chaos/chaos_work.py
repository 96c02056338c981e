"""Fake job work of the chaos suite: no rendering, only the real worker, leases and runner.

Celery workers load it as ``AIPROD_WORKER_WORK=chaos_work:work`` (``chaos/`` is on their
``PYTHONPATH``). A brief starting with ``hang`` makes the job's first render write its
process group (the Celery worker's, each worker runs in its own session) to
``hang_started.txt`` and sleep, so the suite can SIGKILL exactly that worker mid-render;
later renders of the job are quick. Every other render sleeps ``RENDER_S``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from aiprod.config import Settings
from aiprod.jobs.runner import Planned
from aiprod.pipeline.progress import ProgressCallback

WORK = "chaos_work:work"
HANG_MARKER = "hang_started.txt"
RENDER_S = 0.2
ESTIMATE: dict[str, Any] = {"currency": "USD", "rate_per_hour": 0.05, "total": 0.0, "stages": []}


class ChaosWork:
    """Plans a brief into a one-scene spec; "renders" by writing a small file."""

    def plan(self, job_request: dict[str, Any], *, settings: Settings) -> Planned:
        narration = str(job_request.get("brief") or "chaos")
        spec = {"version": 1, "scenes": [{"title": "Chaos", "narration": narration}]}
        return Planned(spec, dict(ESTIMATE))

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
        out_dir.mkdir(parents=True, exist_ok=True)
        on_progress("compose", 0.5)
        marker = out_dir / HANG_MARKER
        if str(job_request.get("brief", "")).startswith("hang") and not marker.exists():
            marker.write_text(str(os.getpgrp()), encoding="utf-8")
            time.sleep(120)  # killed long before this ends
        time.sleep(RENDER_S)
        with (out_dir / "renders.txt").open("a", encoding="utf-8") as renders:
            renders.write(f"{os.getpid()}\n")
        return {"pid": os.getpid(), "outputs": ["renders.txt"], "qa_passed": True}


work = ChaosWork()
