"""Scale-out dispatch: the job outbox, its relay, and real Celery workers on real RabbitMQ.

The broker is the RabbitMQ of ``make services`` (127.0.0.1:5672, guest/guest); each test
gets its own queue, deleted afterwards, so tests never see each other's messages. Celery
workers are real `aiprod worker` processes, killed for real.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from amqp.exceptions import PreconditionFailed
from api_client import ApiClient, KeyMaker, auth
from jobs_fake_work import WORK as FAKE_WORK
from kombu import Connection
from scaleout_work import STARTED
from scaleout_work import WORK as HANGING_WORK
from sqlalchemy import Engine, make_url, select
from sqlalchemy.orm import Session

from aiprod.config import Settings
from aiprod.db.base import utcnow
from aiprod.jobs.celery_app import declare_topology, job_queue, make_celery, make_publisher
from aiprod.jobs.errors import LeaseLost
from aiprod.jobs.leases import claim_job
from aiprod.jobs.models import Job, JobEvent
from aiprod.jobs.outbox import (
    OutboxMessage,
    OutboxRelay,
    pending_messages,
    purge_outbox,
    relay_due,
    republish_stranded,
)
from aiprod.jobs.store import claim_next_job, complete, create_job, fail, reap_expired
from brokertools import BROKER
from pgtools import PG_ADMIN_DB, PG_ADMIN_DSN

HERE = Path(__file__).parent


@pytest.fixture
def scaleout_settings(tmp_path: Path, jobs_db_url: str, broker_queue: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=jobs_db_url,
        broker_url=BROKER,
        broker_queue=broker_queue,
        worker_work=FAKE_WORK,
        worker_lease_s=3.0,
        worker_heartbeat_s=0.5,
        outbox_poll_s=0.1,
    )


class CeleryWorker:
    """An `aiprod worker` process (Celery) in its own process group, logging to a file."""

    def __init__(self, settings: Settings, log_path: Path) -> None:
        assert settings.broker_url is not None
        env = {
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(HERE),
            "AIPROD_DATA_DIR": str(settings.data_dir),
            "AIPROD_DATABASE_URL": settings.job_database_url,
            "AIPROD_BROKER_URL": settings.broker_url.get_secret_value(),
            "AIPROD_BROKER_QUEUE": settings.broker_queue,
            "AIPROD_WORKER_WORK": settings.worker_work,
            "AIPROD_WORKER_LEASE_S": str(settings.worker_lease_s),
            "AIPROD_WORKER_HEARTBEAT_S": str(settings.worker_heartbeat_s),
        }
        self.log_path = log_path
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "aiprod", "worker", "--workers", "1"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its pool and render children share its group
            )

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_ready(self, timeout: float = 60.0) -> CeleryWorker:
        wait_for(lambda: " ready." in self.log(), timeout, lambda: self.log()[-3000:])
        return self

    def kill(self) -> None:
        """SIGKILL the worker and every process it started: a machine lost mid-job."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[[Settings], CeleryWorker]]:
    workers: list[CeleryWorker] = []

    def start(settings: Settings) -> CeleryWorker:
        workers.append(CeleryWorker(settings, tmp_path / f"worker-{len(workers)}.log"))
        return workers[-1]

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def relay(scaleout_settings: Settings, jobs_engine: Engine) -> Iterator[OutboxRelay]:
    """The relay of `aiprod serve`, publishing to this test's queue and reaping leases."""
    publish = make_publisher(scaleout_settings)
    with OutboxRelay(jobs_engine, publish, poll_s=0.1, reap_interval_s=0.5) as running:
        yield running


def wait_for(
    predicate: Callable[[], bool], timeout: float, explain: Callable[[], str] = lambda: ""
) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            pytest.fail(f"timed out after {timeout} s\n{explain()}")
        time.sleep(0.1)


def add_job(engine: Engine, request: dict[str, object] | None = None) -> str:
    with Session(engine) as session, session.begin():
        job = create_job(
            session, owner="ana", kind="brief", request=request or {"brief": "hi"}, preset=None
        )
        return job.id


def job_row(engine: Engine, job_id: str) -> Job:
    with Session(engine, expire_on_commit=False) as session:
        return session.get_one(Job, job_id)


def reasons(engine: Engine, job_id: str) -> list[str]:
    query = select(JobEvent.reason).where(JobEvent.job_id == job_id).order_by(JobEvent.id)
    with Session(engine) as session:
        return list(session.execute(query).scalars())


def test_a_job_and_its_message_commit_together(
    client: ApiClient, make_key: KeyMaker, jobs_engine: Engine
) -> None:
    response = client.post("/v1/jobs", json={"brief": "a coffee ad"}, headers=auth(make_key()))
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    [message] = pending_messages(jobs_engine, job_id=job_id)
    assert message.available_at == job_row(jobs_engine, job_id).run_after

    with Session(jobs_engine) as session:
        rolled_back = create_job(session, owner="ana", kind="brief", request={}, preset=None).id
        session.rollback()
    assert pending_messages(jobs_engine, job_id=rolled_back) == []


def test_a_retry_after_backoff_is_a_new_message_due_at_run_after(jobs_engine: Engine) -> None:
    job_id = add_job(jobs_engine)
    claim = claim_next_job(jobs_engine, worker_id="w1")
    assert claim is not None and claim.job_id == job_id
    error = {"stage": "compose", "code": "provider_unavailable", "message": "down"}
    assert fail(jobs_engine, claim, error=error, retryable=True, backoff_base_s=60) == "queued"
    first, second = pending_messages(jobs_engine, job_id=job_id)
    run_after = job_row(jobs_engine, job_id).run_after
    assert second.available_at == run_after > utcnow()

    published: list[tuple[str, str]] = []
    done = relay_due(jobs_engine, lambda job, message: published.append((job, message)))
    assert (done.published, done.skipped, published) == (0, 1, [])  # the first is stale
    later = run_after + timedelta(seconds=1)
    done = relay_due(jobs_engine, lambda *sent: published.append(sent), now=later)
    assert published == [(job_id, f"{job_id}.{second.id}")]
    assert pending_messages(jobs_engine) == []
    with Session(jobs_engine) as session:
        outcomes = session.execute(select(OutboxMessage.id, OutboxMessage.outcome)).all()
    assert sorted(outcomes) == [(first.id, "skipped"), (second.id, "published")]


def test_a_message_stays_due_while_the_broker_refuses_it(jobs_engine: Engine) -> None:
    job_id = add_job(jobs_engine)

    def broker_down(job: str, message: str) -> None:
        raise ConnectionRefusedError("connection refused")

    assert relay_due(jobs_engine, broker_down).failed
    [message] = pending_messages(jobs_engine, job_id=job_id)
    assert (message.publish_failures, message.last_error) == (1, "connection refused")
    published: list[str] = []
    assert relay_due(jobs_engine, lambda job, _: published.append(job)).published == 1
    assert published == [job_id]


def test_a_job_whose_message_was_lost_gets_a_new_one(jobs_engine: Engine) -> None:
    job_id = add_job(jobs_engine)
    assert relay_due(jobs_engine, lambda *_: None).published == 1  # then lost by the broker
    after = timedelta(minutes=15)
    assert republish_stranded(jobs_engine, older_than=after) == 0  # not long enough yet
    later = utcnow() + timedelta(minutes=20)
    assert republish_stranded(jobs_engine, older_than=after, now=later) == 1
    assert republish_stranded(jobs_engine, older_than=after, now=later) == 0  # one in flight
    [message] = pending_messages(jobs_engine, job_id=job_id)
    assert message.available_at == job_row(jobs_engine, job_id).run_after


def test_settled_messages_are_purged_and_due_ones_kept(jobs_engine: Engine) -> None:
    waiting, running = add_job(jobs_engine), add_job(jobs_engine)
    assert relay_due(jobs_engine, lambda *_: None).published == 2
    assert claim_job(jobs_engine, running, worker_id="w1") is not None
    requeued = add_job(jobs_engine)  # never relayed: embedded mode
    assert claim_job(jobs_engine, requeued, worker_id="w1") is not None
    assert purge_outbox(jobs_engine, older_than=timedelta(hours=1)) == 0
    later = utcnow() + timedelta(hours=2)
    assert purge_outbox(jobs_engine, older_than=timedelta(hours=1), now=later) == 3
    with Session(jobs_engine) as session:
        assert session.execute(select(OutboxMessage.job_id)).scalars().all() == []
    assert job_row(jobs_engine, waiting).status == "queued"  # its message was published


def test_the_queue_is_quorum_and_dead_letters_past_the_delivery_limit(
    tmp_path: Path, broker_queue: str
) -> None:
    settings = Settings(
        data_dir=tmp_path, broker_url=BROKER, broker_queue=broker_queue, broker_delivery_limit=1
    )
    app = make_celery(settings)
    declare_topology(app, settings)
    queue, dead = settings.broker_queue, f"{settings.broker_queue}.dead"
    with Connection(BROKER) as connection:
        channel = connection.channel()
        with pytest.raises(PreconditionFailed, match="x-queue-type"):  # not a classic queue
            arguments = dict(job_queue(settings).queue_arguments or {})
            del arguments["x-queue-type"]
            channel.queue_declare(queue, durable=True, auto_delete=False, arguments=arguments)
    publish = make_publisher(settings)
    publish("job-1", "message-1")
    with Connection(BROKER) as connection:
        channel = connection.channel()
        for _ in range(5):  # a worker lost with the message, again and again
            message = channel.basic_get(queue, no_ack=False)
            if message is None:
                break
            channel.basic_reject(message.delivery_tag, requeue=True)
        wait_for(lambda: channel.queue_declare(dead, passive=True).message_count == 1, 10)
        assert channel.queue_declare(queue, passive=True).message_count == 0
        parked = channel.basic_get(dead, no_ack=True)
        assert parked is not None and parked.headers["id"] == "message-1"


def test_claim_job_takes_one_queued_due_job_and_a_lost_lease_cannot_commit(
    jobs_engine: Engine,
) -> None:
    job_id = add_job(jobs_engine)
    before = utcnow() - timedelta(minutes=1)
    assert claim_job(jobs_engine, job_id, worker_id="w1", now=before) is None  # not yet due
    first = claim_job(jobs_engine, job_id, worker_id="w1", lease_seconds=5)
    assert first is not None and first.attempt == 1
    assert claim_job(jobs_engine, job_id, worker_id="w2") is None  # a duplicate delivery

    later = utcnow() + timedelta(seconds=10)
    assert reap_expired(jobs_engine, now=later) == 1
    second = claim_job(jobs_engine, job_id, worker_id="w2", now=later)
    assert second is not None and second.attempt == 2
    with pytest.raises(LeaseLost):
        complete(jobs_engine, first, result={"by": "w1"})
    complete(jobs_engine, second, result={"by": "w2"})
    row = job_row(jobs_engine, job_id)
    assert (row.status, row.result) == ("succeeded", {"by": "w2"})
    assert reasons(jobs_engine, job_id) == [
        "created", "claimed", "lease_expired", "claimed", "succeeded",
    ]  # fmt: skip


def test_celery_workers_run_each_job_once_despite_duplicate_messages(
    client: ApiClient,
    make_key: KeyMaker,
    scaleout_settings: Settings,
    jobs_engine: Engine,
    relay: OutboxRelay,
    start_worker: Callable[[Settings], CeleryWorker],
) -> None:
    key = make_key()
    job_ids = []
    for brief in ("a coffee ad", "a bike ad"):
        response = client.post("/v1/jobs", json={"brief": brief}, headers=auth(key))
        assert response.status_code == 202, response.text
        job_ids.append(response.json()["id"])
    publish = make_publisher(scaleout_settings)
    for job_id in job_ids:  # as if the relay crashed between publishing and marking
        publish(job_id, f"duplicate-{job_id}")

    worker = start_worker(scaleout_settings)
    done = lambda: all(job_row(jobs_engine, j).status == "succeeded" for j in job_ids)  # noqa: E731
    wait_for(done, 60, worker.log)
    skipped = lambda: len(re.findall(r"claims nothing", worker.log())) >= len(job_ids)  # noqa: E731
    wait_for(skipped, 30, worker.log)
    for job_id in job_ids:
        assert reasons(jobs_engine, job_id) == ["created", "claimed", "planned", "succeeded"]
        assert job_row(jobs_engine, job_id).attempts == 1
    assert pending_messages(jobs_engine) == []


def test_a_worker_killed_mid_job_loses_nothing_and_duplicates_nothing(
    scaleout_settings: Settings,
    jobs_engine: Engine,
    relay: OutboxRelay,
    start_worker: Callable[[Settings], CeleryWorker],
) -> None:
    settings = scaleout_settings.model_copy(update={"worker_work": HANGING_WORK})
    first, second = start_worker(settings), start_worker(settings)
    first.wait_ready()
    job_id = add_job(jobs_engine)
    started = settings.data_dir / "jobs" / job_id / STARTED
    wait_for(started.exists, 60, first.log)
    second.wait_ready()
    victim = first if "claimed (message" in first.log() else second
    survivor = second if victim is first else first
    victim.kill()  # mid-render: the lease lapses, the reaper re-queues, the relay publishes

    wait_for(lambda: job_row(jobs_engine, job_id).status == "succeeded", 60, survivor.log)
    assert reasons(jobs_engine, job_id) == [
        "created", "claimed", "planned", "lease_expired", "claimed", "succeeded",
    ]  # fmt: skip
    row = job_row(jobs_engine, job_id)
    assert row.attempts == 2
    assert row.result is not None and (row.result.get("outputs") or []) != []


class DatabaseOutage:
    """Makes the test database refuse the worker, and lets it back in.

    SQLite: an exclusive lock held past the busy timeout. PostgreSQL: connections to the
    database refused and the open ones terminated, as in a server restart.
    """

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine, self.url = engine, url
        self.sqlite = url.startswith("sqlite")
        self.blocker: Any = None

    def begin(self) -> None:
        if self.sqlite:
            self.blocker = self.engine.raw_connection()
            self.blocker.driver_connection.execute("BEGIN EXCLUSIVE")
            return
        self._admin("ALTER DATABASE {db} ALLOW_CONNECTIONS false")
        self._admin(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = '{db}' AND pid <> pg_backend_pid()"
        )

    def end(self) -> None:
        if self.sqlite:
            self.blocker.driver_connection.rollback()
            self.blocker.close()
            return
        self._admin("ALTER DATABASE {db} ALLOW_CONNECTIONS true")
        self.engine.dispose()  # its pooled connections were terminated

    def _admin(self, sql: str) -> None:
        database = make_url(self.url).database
        with psycopg.connect(PG_ADMIN_DSN, dbname=PG_ADMIN_DB, autocommit=True) as admin:
            admin.execute(sql.format(db=database).encode())


def test_a_worker_waits_out_a_database_outage(
    scaleout_settings: Settings,
    jobs_engine: Engine,
    jobs_db_url: str,
    start_worker: Callable[[Settings], CeleryWorker],
) -> None:
    job_id = add_job(jobs_engine)
    worker = start_worker(scaleout_settings).wait_ready()
    outage = DatabaseOutage(jobs_engine, jobs_db_url)
    outage.begin()
    try:
        make_publisher(scaleout_settings)(job_id, f"{job_id}.by-hand")
        wait_for(lambda: "database unavailable" in worker.log(), 60, worker.log)
    finally:
        outage.end()
    wait_for(lambda: job_row(jobs_engine, job_id).status == "succeeded", 120, worker.log)
    assert reasons(jobs_engine, job_id) == ["created", "claimed", "planned", "succeeded"]
