"""A job run by a spawned worker process still queues its webhooks: the pool passes the job
listeners registered in its parent (the conftest registers the webhook listener, as the API
and ``aiprod serve`` do) and each worker process loads them again."""

from __future__ import annotations

import ipaddress
import time
from pathlib import Path

from jobs_fake_work import WORK
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from aiprod.auth import Principal
from aiprod.config import Settings
from aiprod.db.engine import make_session_factory
from aiprod.jobs import listeners, store
from aiprod.jobs.models import Job
from aiprod.jobs.worker import WorkerPool
from aiprod.webhooks import service
from aiprod.webhooks.listener import WebhookListener
from aiprod.webhooks.models import WebhookDelivery

ANA = Principal(owner="ana", key_id="k1", scopes=frozenset({"jobs:read", "jobs:write"}))
LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"),)


def test_a_job_finished_in_a_worker_process_queues_job_succeeded(
    jobs_engine: Engine, jobs_db_url: str, tmp_path: Path
) -> None:
    assert listeners.references() == (listeners.reference(WebhookListener),)
    settings = Settings(data_dir=tmp_path / "data", webhook_allow_networks=["127.0.0.0/8"])
    with make_session_factory(jobs_engine)() as session:
        service.create_endpoint(
            session,
            principal=ANA,
            url="http://127.0.0.1:9/hook",
            event_types=None,
            description=None,
            allowed=LOOPBACK,
        )
        job = store.create_job(session, owner="ana", kind="spec", request={}, preset=None)
        session.commit()
        job_id = job.id
    pool = WorkerPool(jobs_db_url, settings=settings, work=WORK, processes=1,
                      lease_seconds=5.0, heartbeat_seconds=0.3, idle_sleep_s=0.1)  # fmt: skip
    pool.start()
    try:
        end = time.monotonic() + 120
        while True:
            with Session(jobs_engine) as session:
                found = session.get(Job, job_id)
                assert found is not None
                if found.status == "succeeded":
                    break
            assert time.monotonic() < end, "timed out waiting for the job"
            time.sleep(0.1)
    finally:
        pool.stop(grace_s=0.0)
    with Session(jobs_engine) as session:
        types = session.scalars(
            select(WebhookDelivery.event_type)
            .where(WebhookDelivery.job_id == job_id)
            .order_by(WebhookDelivery.id)
        ).all()
    assert types[0] == "job.queued"  # queued by this process
    assert types[-1] == "job.succeeded"  # queued by the worker process
