"""A job that failed at compose resumes there on retry, through the real worker and the
real pipeline (the failure is injected by ``stages_fail_work``)."""

from __future__ import annotations

import json

from render_worker import RenderWorkerSetup, settled_job
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_render_stages import SPEC, cache_use

from aiprod.db.engine import make_session_factory
from aiprod.jobs.models import JobEvent
from aiprod.jobs.store import create_job
from aiprod.jobs.worker import WorkerPool


def test_a_job_failed_in_compose_resumes_there_on_retry(
    render_worker_setup: RenderWorkerSetup,
) -> None:
    from stages_fail_work import WORK

    setup = render_worker_setup
    settings, url, engine = setup.settings, setup.url, setup.engine
    with make_session_factory(engine)() as session:
        spec = {"preset": "tiny", **SPEC}
        job = create_job(session, owner="ana", kind="spec", request={"spec": spec}, preset=None)
        session.commit()
        job_id = job.id
    fast = {"lease_seconds": 5.0, "heartbeat_seconds": 0.3, "idle_sleep_s": 0.1}
    with WorkerPool(url, settings=settings, work=WORK, processes=1, backoff_base_s=0.1, **fast):
        found = settled_job(engine, job_id)
        status, attempts = found.status, found.attempts
    assert (status, attempts) == ("succeeded", 2)
    with Session(engine) as session:
        history = list(
            session.scalars(select(JobEvent).where(JobEvent.job_id == job_id).order_by(JobEvent.id))
        )
    failed = [e for e in history if e.detail and (e.detail.get("error") or {}).get("stage")]
    assert failed and failed[0].detail["error"]["stage"] == "compose"  # type: ignore[index]
    resumed = [e for e in history if e.reason == "resumed at compose"]
    assert len(resumed) == 1 and resumed[0].attempt == 2
    assert {"narration", "music", "sfx", "audio", "visuals"} <= set(resumed[0].detail["cached"])  # type: ignore[index]
    manifest = json.loads((settings.data_dir / "jobs" / job_id / "manifest.json").read_text())
    use = cache_use(manifest)
    assert use["narration"] == "hit" and use["compose"] == "miss"
