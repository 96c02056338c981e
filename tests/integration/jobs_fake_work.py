"""Fake job work for the worker tests: fast, importable by spawned processes, no rendering.

Used as ``WorkerPool(work="jobs_fake_work:fake_work")``; pytest puts this folder on
``sys.path`` and spawned processes inherit it. Kept light so each child starts quickly.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from aiprod.config import Settings
from aiprod.errors import InvalidSpec, ProviderUnavailable, SpecProblem

WORK = "jobs_fake_work:fake_work"


def fake_work(
    job_request: dict[str, Any],
    *,
    out_dir: Path,
    settings: Settings,
    on_progress: Any,
) -> dict[str, Any]:
    """``{"sleep": s, "fail": "retryable"|"fatal"|None, "crash": bool}``: do as told."""
    on_progress("compose", 0.5)
    time.sleep(float(job_request.get("sleep", 0.0)))
    if job_request.get("crash"):
        os._exit(3)
    if job_request.get("fail") == "retryable":
        raise ProviderUnavailable("tts service is down")
    if job_request.get("fail") == "fatal":
        raise InvalidSpec([SpecProblem("scenes", "at least one scene is needed")])
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "done.txt").write_text(str(os.getpid()), encoding="utf-8")
    return {"pid": os.getpid()}
