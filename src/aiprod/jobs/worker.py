"""The embedded worker: processes that claim jobs and run each attempt in a child process.

    WorkerPool (caller's process)        N worker processes, a reaper thread
    └── worker_loop (worker process)     claim → supervise one attempt → write the outcome
        └── child_main (child process)   the work itself (:mod:`aiprod.jobs.runner`)

The worker's main thread heartbeats while the child works, so a crashing or hung render
is contained and can be killed. Processes are spawned; each makes its own engine.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import random
import signal
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from multiprocessing.sharedctypes import Synchronized
from typing import Any

import structlog
from sqlalchemy import Engine

from aiprod.config import Settings
from aiprod.db.engine import ensure_migrated, make_engine
from aiprod.jobs import listeners as job_listeners
from aiprod.jobs import store
from aiprod.jobs.errors import LeaseLost
from aiprod.jobs.orphans import stop_when_orphaned
from aiprod.jobs.outbox import PurgeSchedule
from aiprod.jobs.policy import BACKOFF_BASE_S
from aiprod.jobs.pool_locks import hold_worker_share
from aiprod.jobs.runner import DEFAULT_WORK, AttemptInput, child_main
from aiprod.jobs.store import Claim
from aiprod.observability.logging import configure_logging
from aiprod.storage import check_storage_settings

log = logging.getLogger(__name__)
SPAWN = multiprocessing.get_context("spawn")


@dataclass(frozen=True)
class WorkerConfig:
    """Everything a worker process needs; picklable, so it crosses the spawn boundary."""

    database_url: str
    settings: Settings
    work: str = DEFAULT_WORK
    lease_seconds: float = 30.0
    heartbeat_seconds: float = 5.0
    attempt_timeout_s: float = 3600.0
    idle_sleep_s: float = 1.0
    backoff_base_s: float = BACKOFF_BASE_S
    # the job listeners registered in the parent (webhooks), loaded again in each worker
    listeners: tuple[str, ...] = field(default_factory=job_listeners.references)


@dataclass(frozen=True)
class Outcome:
    """How an attempt ended: done, review, error, crash, timeout, cancel, release or lost."""

    kind: str
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None


class StopFlag:
    """Set from a signal handler: a plain flag, no locks that the handler could deadlock on."""

    stopped = False
    orphaned = False  # the parent process is gone: give the job back at once

    def set(self) -> None:
        """Ask the worker to stop."""
        self.stopped = True

    def wait(self, seconds: float) -> None:
        """Sleep up to ``seconds``, waking early once the flag is set."""
        end = time.monotonic() + seconds
        while not self.stopped and time.monotonic() < end:
            time.sleep(min(0.05, max(0.0, end - time.monotonic())))


class Attempt:
    """One claimed attempt, supervised from the worker's main thread."""

    def __init__(self, engine: Engine, config: WorkerConfig, claim: Claim, stop: StopFlag) -> None:
        self.engine, self.config, self.claim, self.stop = engine, config, claim, stop
        self.out_dir = config.settings.data_dir / "jobs" / claim.job_id
        self.progress = self.reported = ("start", 0.0)
        self.stages: list[dict[str, Any]] = []  # the child's stage records, in order
        self.resume_noted = False

    def run(self, grace: Synchronized[float]) -> None:
        """Start the child, watch it, and record the outcome (fenced by the lease)."""
        with structlog.contextvars.bound_contextvars(job_id=self.claim.job_id):  # in every log
            self._run(grace)

    def _run(self, grace: Synchronized[float]) -> None:
        claim = self.claim
        request = dict(claim.request)
        request["preset"] = request.get("preset") or claim.preset
        attempt = AttemptInput(claim.kind, request, claim.plan, claim.review, claim.estimate)
        receiver, sender = SPAWN.Pipe()  # duplex: the child waits for "plan_stored"
        args = (self.config.work, attempt, self.out_dir, self.config.settings, sender)
        child = SPAWN.Process(target=child_main, args=args, daemon=True)
        child.start()
        sender.close()
        try:
            outcome = self._supervise(child, receiver, grace)
        finally:
            child.kill()  # harmless when it already ended
            child.join(10)
            receiver.close()
        self._record(outcome)

    def _supervise(
        self, child: BaseProcess, conn: Connection, grace: Synchronized[float]
    ) -> Outcome:
        now = time.monotonic()
        deadline, next_beat = now + self.config.attempt_timeout_s, now
        drain_at: float | None = None
        while True:
            if self.stop.stopped and drain_at is None:
                drain_at = time.monotonic() + grace.value
            wait = min(deadline, next_beat, drain_at or deadline) - time.monotonic()
            outcome = self._receive(conn, child, max(0.0, wait))
            if outcome is not None:
                return outcome
            now = time.monotonic()
            if now >= deadline:
                limit = f"time limit of {self.config.attempt_timeout_s:g} s exceeded"
                return Outcome("timeout", error=self._error("timeout", limit))
            if drain_at is not None and (now >= drain_at or self.stop.orphaned):
                return Outcome("release")
            if now >= next_beat:
                next_beat = now + self.config.heartbeat_seconds
                outcome = self._beat()
                if outcome is not None:
                    return outcome

    def _receive(self, conn: Connection, child: BaseProcess, wait: float) -> Outcome | None:
        """Read what the child sent within ``wait`` seconds; an end of pipe is a crash."""
        while conn.poll(wait):
            wait = 0.0
            try:
                message = conn.recv()
            except (EOFError, OSError):
                child.join(5)
                exit_code = f"exit code {child.exitcode}"
                return Outcome("crash", error=self._error("crash", exit_code))
            if message[0] == "progress":
                self.progress = (str(message[1]), float(message[2]))
            elif message[0] == "planned":
                outcome = self._save_plan(message[1], message[2])
                if outcome is not None:
                    return outcome
                conn.send(("plan_stored",))  # only now may the child render the plan
            elif message[0] == "stage":
                outcome = self._note_stage(message[1])
                if outcome is not None:
                    return outcome
            elif message[0] == "done":
                return Outcome("done", result=message[1])
            else:
                return Outcome("error", error=message[1])
        return None

    def _note_stage(self, record: dict[str, Any]) -> Outcome | None:
        """On a retry, the first stage the cache could not answer after some it did is
        where this attempt resumed: say so in the job's history, once."""
        self.stages.append(record)
        if self.resume_noted or self.claim.attempt < 2 or record.get("cache") != "miss":
            return None
        self.resume_noted = True
        reused = [str(r["name"]) for r in self.stages if r.get("cache") == "hit"]
        if not reused:  # nothing was kept from the failed attempt: not a resume
            return None
        try:
            store.record_resume(self.engine, self.claim, stage=str(record["name"]), reused=reused)
        except LeaseLost:
            return Outcome("lost")
        except Exception:  # history only: the render goes on
            log.exception("job %s: resume not recorded", self.claim.job_id)
        return None

    def _save_plan(self, plan: dict[str, Any], estimate: dict[str, Any] | None) -> Outcome | None:
        """Store the child's plan (fenced); with review the attempt ends here."""
        try:
            store.save_plan(
                self.engine, self.claim, plan=plan, estimate=estimate, artifact_dir=self.out_dir
            )
        except LeaseLost:
            return Outcome("lost")
        except Exception as exc:  # the plan must be stored before rendering it
            log.exception("job %s: plan not stored", self.claim.job_id)
            return Outcome("error", error=self._error("plan_not_stored", str(exc)[:500]))
        self.progress = self.reported = ("start", 0.0)  # save_plan reset the row's stage
        return Outcome("review") if self.claim.review else None

    def _beat(self) -> Outcome | None:
        """Heartbeat, check for cancellation, report progress; an outcome ends the attempt."""
        try:
            if not store.heartbeat(self.engine, self.claim):
                return Outcome("lost")
            if store.is_cancel_requested(self.engine, self.claim):
                return Outcome("cancel")
            if self.progress != self.reported:
                stage, fraction = self.reported = self.progress
                store.report_progress(self.engine, self.claim, stage=stage, progress=fraction)
        except Exception:  # a database hiccup: the lease and the reaper cover longer outages
            log.exception("heartbeat of job %s failed", self.claim.job_id)
        return None

    def _error(self, code: str, message: str) -> dict[str, Any]:
        return {"stage": self.progress[0], "code": code, "message": message, "retryable": True}

    def _record(self, outcome: Outcome) -> None:
        """Write the outcome; a lost lease means another worker owns the job: write nothing."""
        engine, claim = self.engine, self.claim
        try:
            if outcome.kind == "done":
                result = dict(outcome.result or {})
                cost = result.pop("cost_actual", None)
                detail = {"artifacts": str(self.out_dir), "result": result}
                store.complete(engine, claim, detail=detail, result=result, cost_actual=cost)
            elif outcome.kind in ("review", "lost"):
                pass  # stored by save_plan / another worker owns the job: nothing to write
            elif outcome.kind == "cancel":
                store.complete(engine, claim, status="canceled", reason="canceled")
            elif outcome.kind == "release":
                store.release(engine, claim)
            elif outcome.error is not None:
                error = dict(outcome.error)
                retryable = bool(error.pop("retryable", True))
                backoff = self.config.backoff_base_s
                store.fail(engine, claim, error=error, retryable=retryable, backoff_base_s=backoff)
        except Exception:  # LeaseLost (another worker owns the job) or a database outage
            log.exception("job %s: outcome %s not recorded", claim.job_id, outcome.kind)
        log.info("job %s attempt %d: %s", claim.job_id, claim.attempt, outcome.kind)


def worker_loop(config: WorkerConfig, index: int, grace: Synchronized[float]) -> None:
    """Body of a worker process: claim and run jobs until SIGTERM, then drain and exit."""
    stop = StopFlag()
    stop_when_orphaned(stop)  # SIGTERM drains; the parent's death stops the worker at once
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the pool decides when workers stop
    hold_worker_share(config.settings.data_dir)  # a new pool owner waits for this process
    configure_logging(config.settings)  # a spawned process starts with no logging set up
    job_listeners.load(config.listeners)  # nor any job listener registered
    worker_id = f"{socket.gethostname()}:{os.getpid()}:{index}"
    engine, lease = make_engine(config.database_url), config.lease_seconds
    try:
        while not stop.stopped:
            try:
                claim = store.claim_next_job(engine, worker_id=worker_id, lease_seconds=lease)
            except Exception:  # database unreachable for now: idle and try again
                log.exception("claim failed")
                claim = None
            if claim is None:
                stop.wait(config.idle_sleep_s * random.uniform(0.5, 1.5))
            else:
                Attempt(engine, config, claim, stop).run(grace)
    finally:
        engine.dispose()


class WorkerPool:
    """N worker processes and a reaper thread; ``start()``, ``stop(grace_s)``, or ``with``."""

    def __init__(
        self,
        database_url: str,
        *,
        settings: Settings,
        processes: int = 2,
        lease_seconds: float = 30.0,
        heartbeat_seconds: float = 5.0,
        attempt_timeout_s: float | None = None,
        work: str = DEFAULT_WORK,
        idle_sleep_s: float = 1.0,
        backoff_base_s: float = BACKOFF_BASE_S,
        drain_grace_s: float = 30.0,
        reap_interval_s: float | None = None,
    ) -> None:
        if not 0 < heartbeat_seconds < lease_seconds:
            raise ValueError("heartbeat_seconds must be positive and shorter than the lease")
        timeout = attempt_timeout_s or settings.render_timeout_s
        self.config = WorkerConfig(
            database_url, settings, work, lease_seconds, heartbeat_seconds, timeout,
            idle_sleep_s, backoff_base_s,
        )  # fmt: skip
        self.size = processes
        self.reap_interval_s = reap_interval_s or lease_seconds / 2
        self.grace: Synchronized[float] = SPAWN.Value("d", drain_grace_s)
        self.workers: list[BaseProcess] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._reaper = threading.Thread(target=self._reap_loop, name="jobs-reaper", daemon=True)

    @property
    def pids(self) -> list[int]:
        """Process ids of the live workers."""
        with self._lock:
            return [w.pid for w in self.workers if w.pid is not None and w.is_alive()]

    def start(self) -> WorkerPool:
        """Check the database is migrated, start the workers and the reaper thread."""
        ensure_migrated(self.config.database_url)
        check_storage_settings(self.config.settings)  # refuse a bad AIPROD_STORAGE_URL now
        with self._lock:
            self.workers = [self._spawn(i) for i in range(self.size)]
        self._reaper.start()
        return self

    def _spawn(self, index: int) -> BaseProcess:
        args = (self.config, index, self.grace)
        worker = SPAWN.Process(target=worker_loop, args=args, name=f"aiprod-worker-{index}")
        worker.start()
        return worker

    def _reap_loop(self) -> None:
        """Re-queue expired leases and replace workers that died, until the pool stops."""
        engine = make_engine(self.config.database_url)
        retention = timedelta(seconds=self.config.settings.outbox_retention_s)
        purge = PurgeSchedule(retention)  # no relay settles the outbox in embedded mode
        while not self._stopping.wait(self.reap_interval_s):
            try:
                store.reap_expired(engine)
            except Exception:
                log.exception("reaper pass failed")
            purge.run_if_due(engine)
            self._replace_dead()
        engine.dispose()

    def _replace_dead(self) -> None:
        with self._lock:
            for index, worker in enumerate(self.workers):
                if not self._stopping.is_set() and not worker.is_alive():
                    log.warning("worker %s died (%s); replacing it", worker.pid, worker.exitcode)
                    self.workers[index] = self._spawn(index)

    def stop(self, grace_s: float | None = None) -> None:
        """SIGTERM the workers: running jobs get ``grace_s`` to finish, then are released."""
        if grace_s is not None:
            self.grace.value = grace_s
        self._stopping.set()
        if self._reaper.is_alive():
            self._reaper.join()
        workers = list(self.workers)  # the reaper thread, which replaces workers, has stopped
        for worker in workers:
            worker.terminate()  # SIGTERM: drain
        deadline = time.monotonic() + self.grace.value + 15.0
        for worker in workers:
            worker.join(max(0.0, deadline - time.monotonic()))
            worker.kill()  # only still alive if it ignored SIGTERM past the grace period
            worker.join(5)

    def __enter__(self) -> WorkerPool:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
