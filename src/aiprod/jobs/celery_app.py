"""Scale-out workers: a Celery app on a RabbitMQ quorum queue, and its one task, ``run_job``.

    aiprod serve (API)                     RabbitMQ                       aiprod worker
    job row + outbox row (1 transaction)   quorum queue <broker_queue>    Celery, prefork pool
    OutboxRelay ── publish, confirmed ──▶  (delivery limit, then         run_job(job_id)
                                            <broker_queue>.dead)           └─ claim_job (lease)
                                                                              └─ Attempt: the
                                                                                 render child

The broker only hands out work; the job row is the record. ``run_job`` claims the job row
with a lease token (:func:`aiprod.jobs.leases.claim_job`) and runs it through the embedded
worker's :class:`aiprod.jobs.worker.Attempt` (render in a child process, heartbeats, cancel,
outcome fenced by the token). A duplicate or stale delivery claims nothing and is acked.
A worker lost mid-job leaves a lease that expires; the relay's reaper re-queues the job,
which writes a new outbox row: a new message.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import socket
import time
from dataclasses import dataclass
from datetime import timedelta
from multiprocessing.process import AuthenticationString  # type: ignore[attr-defined]
from typing import Any

from celery import Celery, Task
from celery.exceptions import Reject, SoftTimeLimitExceeded
from kombu.entity import Exchange, Queue
from sqlalchemy.exc import SQLAlchemyError

from aiprod.config import Settings
from aiprod.db.engine import ensure_migrated, make_engine
from aiprod.jobs.leases import Claim, claim_job
from aiprod.jobs.outbox import OutboxRelay, Publish
from aiprod.jobs.worker import SPAWN, Attempt, StopFlag, WorkerConfig
from aiprod.storage import check_storage_settings

log = logging.getLogger(__name__)
TASK_NAME = "aiprod.run_job"
# Celery's limits back up the attempt's own (render_timeout_s), which records a timeout.
SOFT_LIMIT_MARGIN_S = 60.0
HARD_LIMIT_MARGIN_S = 120.0
CLAIM_PATIENCE_S = 60.0  # a database outage this long is waited out before requeuing
PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}


def job_queue(settings: Settings) -> Queue:
    """The quorum queue of ``run_job`` messages, dead-lettering past the delivery limit."""
    name = settings.broker_queue
    arguments = {
        "x-queue-type": "quorum",
        "x-delivery-limit": settings.broker_delivery_limit,
        "x-dead-letter-exchange": f"{name}.dlx",
        "x-dead-letter-routing-key": f"{name}.dead",
    }
    exchange = Exchange(name, type="direct", durable=True)
    return Queue(name, exchange, routing_key=name, durable=True, queue_arguments=arguments)


def dead_letter_queue(settings: Settings) -> Queue:
    """Where messages delivered too often end up: a backstop an operator inspects.

    The database's attempt counter normally ends a job first (``dead`` after 5 attempts).
    """
    name = settings.broker_queue
    exchange = Exchange(f"{name}.dlx", type="direct", durable=True)
    arguments = {"x-queue-type": "quorum"}
    return Queue(
        f"{name}.dead", exchange, routing_key=f"{name}.dead", durable=True,
        queue_arguments=arguments,
    )  # fmt: skip


def celery_config(settings: Settings) -> dict[str, Any]:
    """Celery settings as architecture §5 item 7 asks (reliability first, prefetch 1)."""
    assert settings.broker_url is not None, "scale-out needs AIPROD_BROKER_URL"
    queue = job_queue(settings)
    return {
        "broker_url": settings.broker_url.get_secret_value(),
        "broker_transport_options": {"confirm_publish": True},  # publisher confirms
        "broker_connection_retry_on_startup": True,
        "task_queues": [queue],
        "task_default_queue": queue.name,
        "task_default_exchange": queue.name,
        "task_default_routing_key": queue.name,
        "task_default_queue_type": "quorum",
        "task_create_missing_queue_type": "quorum",
        "worker_detect_quorum_queues": True,  # per-consumer QoS: quorum queues have no global
        "task_acks_late": True,  # ack after the task: a lost worker's message is redelivered
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        "task_soft_time_limit": settings.render_timeout_s + SOFT_LIMIT_MARGIN_S,
        "task_time_limit": settings.render_timeout_s + HARD_LIMIT_MARGIN_S,
        "task_ignore_result": True,  # the job row holds the outcome
        "task_serializer": "json",
        "accept_content": ["json"],
        "worker_send_task_events": True,  # Flower
        "task_send_sent_event": True,
        "worker_hijack_root_logger": False,  # our structured logs (aiprod.observability)
    }


def make_celery(settings: Settings) -> Celery:
    """The Celery app of these settings, with ``run_job`` registered."""
    app = Celery("aiprod", set_as_current=False)
    app.conf.update(celery_config(settings))
    runtime = TaskRuntime(settings)

    @app.task(name=TASK_NAME, bind=True)  # type: ignore[untyped-decorator]
    def run_job(task: Task, job_id: str) -> str:
        return runtime.run(job_id, message_id=str(task.request.id))

    return app


@dataclass
class _Process:
    """What one pool process keeps between tasks: made after the fork, never inherited."""

    pid: int
    config: WorkerConfig
    engine: Any
    worker_id: str


class TaskRuntime:
    """Runs ``run_job`` in a pool process: claim the job row, then one supervised Attempt."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._process: _Process | None = None

    def _current(self) -> _Process:
        if self._process is None or self._process.pid != os.getpid():
            _allow_render_children()
            settings = self.settings
            config = WorkerConfig(
                database_url=settings.job_database_url,
                settings=settings,
                work=settings.worker_work,
                lease_seconds=settings.worker_lease_s,
                heartbeat_seconds=settings.worker_heartbeat_s,
                attempt_timeout_s=settings.render_timeout_s,
            )
            worker_id = f"{socket.gethostname()}:{os.getpid()}:celery"
            engine = make_engine(settings.job_database_url)
            self._process = _Process(os.getpid(), config, engine, worker_id)
        return self._process

    def _claim(self, process: _Process, job_id: str, message_id: str) -> Claim | None:
        """Claim the job, waiting out a short database outage; then give the message back.

        Acking a message whose job could not be read would strand the job until the relay
        republishes it; a rejected message is redelivered (and counts towards the limit).
        """
        lease, deadline = process.config.lease_seconds, time.monotonic() + CLAIM_PATIENCE_S
        for pause in itertools.chain([0.5, 1.0, 2.0], itertools.repeat(5.0)):
            try:
                return claim_job(
                    process.engine, job_id, worker_id=process.worker_id, lease_seconds=lease
                )
            except SQLAlchemyError as exc:
                if time.monotonic() + pause > deadline:
                    reason = f"database unavailable ({type(exc).__name__})"
                    log.warning("job %s: %s; message %s requeued", job_id, reason, message_id)
                    raise Reject(reason, requeue=True) from exc
                log.warning("job %s: database unavailable (%s); retrying", job_id, exc)
                time.sleep(pause)
        raise AssertionError("unreachable")  # pragma: no cover

    def run(self, job_id: str, *, message_id: str) -> str:
        """Run the job if this delivery can claim it; return ``ran`` or ``skipped``."""
        process = self._current()
        claim = self._claim(process, job_id, message_id)
        if claim is None:  # a duplicate, or the job is running, finished or not yet due
            log.info("job %s: message %s claims nothing; acked", job_id, message_id)
            return "skipped"
        log.info("job %s attempt %d: claimed (message %s)", job_id, claim.attempt, message_id)
        grace = SPAWN.Value("d", float(self.settings.shutdown_grace_s))
        try:
            Attempt(process.engine, process.config, claim, StopFlag()).run(grace)
        except SoftTimeLimitExceeded:  # the attempt overran its own limit: the lease lapses
            log.error("job %s: Celery soft time limit; the lease will expire", job_id)
        return "ran"


def _allow_render_children() -> None:
    """Let this billiard pool process spawn the render child of each attempt.

    Billiard installs its own process object as multiprocessing's current process: marked
    daemonic (which may not have children) and with an authkey the standard library cannot
    pickle into a spawned child. The render child watches its parent and exits with it
    (:mod:`aiprod.jobs.runner`), which is what the daemon rule protects.
    """
    current = multiprocessing.current_process()
    current.daemon = False
    current._config["authkey"] = AuthenticationString(os.urandom(32))  # type: ignore[attr-defined]


def declare_topology(app: Celery, settings: Settings) -> None:
    """Declare the job queue and its dead-letter exchange and queue (idempotent)."""
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=3)
        channel = connection.default_channel
        for queue in (dead_letter_queue(settings), job_queue(settings)):
            queue(channel).declare()


def make_publisher(settings: Settings) -> Publish:
    """``publish(job_id, message_id)`` for the outbox relay: returns once confirmed.

    The queues are declared on the first publish, so a broker that is down when the API
    starts only delays dispatch (the outbox keeps the messages).
    """
    app = make_celery(settings)
    declared = False

    def publish(job_id: str, message_id: str) -> None:
        nonlocal declared
        if not declared:
            declare_topology(app, settings)
            declared = True
        app.send_task(
            TASK_NAME, args=[job_id], task_id=message_id, retry=True, retry_policy=PUBLISH_RETRY
        )

    return publish


def start_relay(settings: Settings) -> OutboxRelay:
    """The outbox relay of `aiprod serve` in scale-out mode, started."""
    engine = make_engine(settings.job_database_url)
    relay = OutboxRelay(
        engine,
        make_publisher(settings),
        poll_s=settings.outbox_poll_s,
        reap_interval_s=max(1.0, settings.worker_lease_s / 2),
        retention=timedelta(seconds=settings.outbox_retention_s),
        republish_after=timedelta(seconds=settings.outbox_republish_s),
    )
    return relay.start()


def run_worker(settings: Settings, *, concurrency: int) -> None:
    """`aiprod worker` in scale-out mode: one Celery worker, ``concurrency`` pool processes.

    Blocks until the worker stops. SIGTERM is Celery's warm shutdown: running jobs finish.
    """
    ensure_migrated(settings.job_database_url)
    check_storage_settings(settings)  # refuse a bad AIPROD_STORAGE_URL now
    app = make_celery(settings)
    declare_topology(app, settings)
    argv = [
        "worker",
        "--pool=prefork",
        f"--concurrency={max(1, concurrency)}",
        "--loglevel=INFO",
        f"--hostname=aiprod-{os.getpid()}@%h",
        "--without-mingle",  # no start-up wait for other workers' replies
        "--without-gossip",
    ]
    app.worker_main(argv)
