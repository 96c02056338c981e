"""The embedded worker with real processes, on SQLite and PostgreSQL.

Most tests run the fast fake work of ``jobs_fake_work``; one renders a real tiny video.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from jobs_fake_work import WORK
from render_worker import RenderWorkerSetup
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from aiprod.config import Settings
from aiprod.db.engine import make_session_factory
from aiprod.errors import (
    FFmpegError,
    InvalidSpec,
    MediaError,
    ProviderRejectedInput,
    ProviderUnavailable,
    QAFailed,
)
from aiprod.jobs.models import Job, JobEvent
from aiprod.jobs.runner import error_code, is_retryable
from aiprod.jobs.store import create_job, request_cancel
from aiprod.jobs.worker import WorkerPool

FAST: dict[str, Any] = {"lease_seconds": 5.0, "heartbeat_seconds": 0.3, "idle_sleep_s": 0.1}


def submit(engine: Engine, request: dict[str, Any], kind: str = "spec") -> str:
    with make_session_factory(engine)() as session:
        job = create_job(session, owner="ana", kind=kind, request=request, preset=None)
        session.commit()
        return job.id


def load(engine: Engine, job_id: str) -> Job:
    with Session(engine) as session:
        job = session.get(Job, job_id)
        assert job is not None
        session.expunge(job)
        return job


def events(engine: Engine, job_id: str | None = None) -> list[JobEvent]:
    query = select(JobEvent).order_by(JobEvent.id)
    if job_id is not None:
        query = query.where(JobEvent.job_id == job_id)
    with Session(engine) as session:
        found = list(session.scalars(query))
        session.expunge_all()
        return found


def wait_for(check: Callable[[], bool], timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.05)


def status_is(engine: Engine, job_id: str, *statuses: str) -> Callable[[], bool]:
    return lambda: load(engine, job_id).status in statuses


@contextmanager
def pool(url: str, settings: Settings, **options: Any) -> Iterator[WorkerPool]:
    workers = WorkerPool(url, settings=settings, work=WORK, **{**FAST, **options})
    workers.start()
    try:
        yield workers
    finally:
        workers.stop(grace_s=0.0)


@pytest.mark.parametrize(
    ("error", "retryable"),
    [
        (ProviderUnavailable("down"), True),
        (FFmpegError(["ffmpeg"], 1, "boom"), True),
        (RuntimeError("unexpected"), True),
        (InvalidSpec([]), False),
        (MediaError("a.png", "missing"), False),
        (ProviderRejectedInput("no"), False),
        (QAFailed(["too quiet"]), False),
    ],
)
def test_is_retryable(error: Exception, retryable: bool) -> None:
    assert is_retryable(error) is retryable
    assert error_code(error) == getattr(error, "code", "internal_error")


def test_forty_jobs_on_four_workers_each_succeed_once(
    jobs_engine: Engine, jobs_db_url: str, settings: Settings
) -> None:
    ids = [submit(jobs_engine, {"sleep": 0.0}) for _ in range(40)]
    with pool(jobs_db_url, settings, processes=4):
        done = lambda: all(load(jobs_engine, i).status == "succeeded" for i in ids)  # noqa: E731
        wait_for(done, 60, "40 jobs")
    wins = Counter(e.job_id for e in events(jobs_engine) if e.to_status == "succeeded")
    assert wins == Counter(ids)
    for job_id in ids:
        assert (settings.data_dir / "jobs" / job_id / "done.txt").is_file()
        success = next(e for e in events(jobs_engine, job_id) if e.to_status == "succeeded")
        assert success.detail is not None
        assert success.detail["artifacts"] == str(settings.data_dir / "jobs" / job_id)


def test_a_killed_worker_job_is_reaped_and_completed_once(
    jobs_engine: Engine, jobs_db_url: str, settings: Settings
) -> None:
    job_id = submit(jobs_engine, {"sleep": 1.5})
    with pool(jobs_db_url, settings, processes=2, lease_seconds=2.0, reap_interval_s=0.3):
        wait_for(lambda: load(jobs_engine, job_id).lease_owner is not None, 20, "a claim")
        owner = load(jobs_engine, job_id).lease_owner
        assert owner is not None
        os.kill(int(owner.split(":")[-2]), signal.SIGKILL)
        wait_for(status_is(jobs_engine, job_id, "succeeded"), 30, "the retry")
    job = load(jobs_engine, job_id)
    reasons = [e.reason for e in events(jobs_engine, job_id)]
    assert job.attempts == 2 and reasons.count("lease_expired") == 1
    assert [e.to_status for e in events(jobs_engine, job_id)].count("succeeded") == 1


def test_retryable_failures_end_dead_after_five_attempts_fatal_ones_at_once(
    jobs_engine: Engine, jobs_db_url: str, settings: Settings
) -> None:
    flaky = submit(jobs_engine, {"fail": "retryable"})
    fatal = submit(jobs_engine, {"fail": "fatal"})
    with pool(jobs_db_url, settings, processes=2, backoff_base_s=0.01):
        wait_for(status_is(jobs_engine, flaky, "dead"), 40, "a dead job")
        wait_for(status_is(jobs_engine, fatal, "failed"), 10, "a failed job")
    job = load(jobs_engine, flaky)
    assert job.attempts == 5 and job.error is not None
    assert (job.error["code"], job.error["stage"]) == ("provider_unavailable", "compose")
    assert [e.reason for e in events(jobs_engine, flaky)].count("failed") == 5
    failed = load(jobs_engine, fatal)
    assert failed.attempts == 1 and failed.error is not None
    assert failed.error["code"] == "invalid_spec"


def test_crash_and_timeout_are_retryable_failures(
    jobs_engine: Engine, jobs_db_url: str, settings: Settings
) -> None:
    # One pool each: with a 1 s limit, a crash on a loaded machine can be reached only after
    # the limit (spawning the child alone can take that long), and would read as a timeout.
    crash = submit(jobs_engine, {"crash": True})
    with pool(jobs_db_url, settings, processes=1, attempt_timeout_s=60.0, backoff_base_s=60):
        wait_for(lambda: load(jobs_engine, crash).error is not None, 60, "the crash")
    slow = submit(jobs_engine, {"sleep": 30.0})
    with pool(jobs_db_url, settings, processes=1, attempt_timeout_s=1.0, backoff_base_s=60):
        wait_for(lambda: load(jobs_engine, slow).error is not None, 20, "the timeout")
    for job_id, code in ((crash, "crash"), (slow, "timeout")):
        job = load(jobs_engine, job_id)
        assert (job.status, job.attempts) == ("queued", 1)
        assert job.error is not None and job.error["code"] == code


def test_cancel_takes_effect_within_a_heartbeat(
    jobs_engine: Engine, jobs_db_url: str, settings: Settings
) -> None:
    job_id = submit(jobs_engine, {"sleep": 30.0})
    with pool(jobs_db_url, settings, processes=1):
        wait_for(lambda: load(jobs_engine, job_id).progress == 0.5, 20, "progress")
        assert load(jobs_engine, job_id).stage == "compose"
        with make_session_factory(jobs_engine)() as session:
            assert request_cancel(session, job_id=job_id)
            session.commit()
        asked = time.monotonic()
        wait_for(status_is(jobs_engine, job_id, "canceled"), 5, "the cancel")
        assert time.monotonic() - asked < FAST["heartbeat_seconds"] + 1.5


def test_sigterm_releases_a_long_job_without_using_an_attempt(
    jobs_engine: Engine, jobs_db_url: str, settings: Settings
) -> None:
    long_job = submit(jobs_engine, {"sleep": 30.0})
    workers = WorkerPool(jobs_db_url, settings=settings, work=WORK, processes=1, **FAST)
    with workers:
        wait_for(status_is(jobs_engine, long_job, "rendering"), 20, "a claim")
        started = time.monotonic()
        workers.stop(grace_s=0.5)
        assert time.monotonic() - started < 10
        assert not workers.pids
    job = load(jobs_engine, long_job)
    assert (job.status, job.attempts, job.lease_token) == ("queued", 0, None)
    assert [e.reason for e in events(jobs_engine, long_job)][-1] == "released"


def test_sigterm_lets_a_short_job_finish(
    jobs_engine: Engine, jobs_db_url: str, settings: Settings
) -> None:
    job_id = submit(jobs_engine, {"sleep": 1.0})
    workers = WorkerPool(jobs_db_url, settings=settings, work=WORK, processes=1, **FAST)
    workers.start()
    wait_for(status_is(jobs_engine, job_id, "rendering"), 20, "a claim")
    workers.stop(grace_s=10.0)
    assert load(jobs_engine, job_id).status == "succeeded"


def test_a_real_render_through_the_pool(render_worker_setup: RenderWorkerSetup) -> None:
    setup = render_worker_setup
    settings, url, engine = setup.settings, setup.url, setup.engine
    spec = {
        "preset": "tiny",
        "scenes": [
            {"title": "Hello", "narration": "Hello there.", "background": {"type": "color"}}
        ],
    }
    job_id = submit(engine, {"spec": spec})
    with WorkerPool(url, settings=settings, processes=1, **FAST):
        wait_for(status_is(engine, job_id, "succeeded", "failed", "dead"), 120, "the render")
    job = load(engine, job_id)
    assert job.status == "succeeded", job.error
    out = settings.data_dir / "jobs" / job_id
    assert (out / "video.mp4").is_file() and (out / "qa.json").is_file()
    assert '"passed": true' in (out / "qa.json").read_text(encoding="utf-8")
