"""Fake work of the scale-out tests: the first render of a job hangs, later ones are quick.

Used as ``AIPROD_WORKER_WORK=scaleout_work:first_render_hangs`` by Celery worker processes
(the tests put this folder on ``PYTHONPATH``). The hang lets a test kill the worker
mid-job; the marker file in the job's folder tells the next attempt to finish.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from jobs_fake_work import FakeWork

from aiprod.config import Settings
from aiprod.pipeline.progress import ProgressCallback

WORK = "scaleout_work:first_render_hangs"
STARTED = "first_render_started.txt"


class FirstRenderHangs(FakeWork):
    """Like :class:`FakeWork`, but the job's first render sleeps for a minute."""

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
        marker = out_dir / STARTED
        if not marker.exists():
            marker.write_text("1", encoding="utf-8")
            on_progress("compose", 0.25)
            time.sleep(60)
        return super().render(
            job_request,
            plan,
            out_dir=out_dir,
            settings=settings,
            on_progress=on_progress,
            estimate=estimate,
        )


first_render_hangs = FirstRenderHangs()
