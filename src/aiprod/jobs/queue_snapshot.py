"""Queue positions for many readers: one shared snapshot of the queue, refreshed at most
once per ``max_age_s``, instead of two aggregate queries per ``GET /v1/jobs/{id}``.

Under load (hundreds of reads per second over thousands of queued jobs) the per-request
COUNT over every job ahead cost more than the rest of the read. The snapshot is one indexed
query for the runnable queued jobs in claim order (``created_at, id``) plus one aggregate
over running jobs; a position is then a binary search and the work ahead a prefix sum.
Positions may be up to ``max_age_s`` old (longer for a queue so long that refreshing it
each second would cost more than a twentieth of a core), plus the time one refresh takes:
while one thread refreshes a stale snapshot, the others keep answering from the old one instead of
queueing behind it (only the very first snapshot is waited for). Given an ``engine`` (the
API's), the refresh runs in a thread of its own, so no request waits for it at all: with
10,000 queued jobs a refresh took 90 ms, and up to a second when the machine was busy.
A queue longer than ``limit`` falls back to the exact queries for jobs beyond the snapshot.
"""

from __future__ import annotations

import logging
import threading
import time
from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime
from itertools import accumulate
from typing import Any

from sqlalchemy import DateTime, Engine, bindparam, func, select, type_coerce

from aiprod.db.base import UTCDateTime, core_table, utcnow
from aiprod.db.engine import Executor, dialect_of
from aiprod.jobs.models import Job
from aiprod.jobs.policy import ACTIVE, JobStatus
from aiprod.jobs.store import JobRecord, QueuePlace, queue_place

Key = tuple[datetime, str]
log = logging.getLogger(__name__)
# A snapshot is kept at least this many times as long as taking it took: refreshes cost at
# most 1/COST_SHARE of a core however long the queue (100,000 queued jobs: ~0.25 s to
# take, so positions are up to ~5 s old instead of 1 s).
COST_SHARE = 20.0


@dataclass(frozen=True)
class _Snapshot:
    taken: float  # time.monotonic()
    cost_s: float  # how long taking it took
    keys: list[Key]  # runnable queued jobs in claim order
    eta_prefix: list[float]  # eta_prefix[i] = estimated seconds of keys[:i]
    running_s: float
    active: int
    truncated: bool


_JOBS = core_table(Job)
_ETA = func.coalesce(_JOBS.c.cost_estimate["eta_seconds"].as_float(), 0.0)


def _queued(created_at: Any) -> Any:
    """Runnable queued jobs in claim order: Core, built once, at most ``:limit`` rows."""
    return (
        select(created_at, _JOBS.c.id, _ETA)
        .where(_JOBS.c.status == JobStatus.QUEUED.value)
        .where(_JOBS.c.run_after <= bindparam("now", type_=UTCDateTime()))
        .order_by(_JOBS.c.created_at, _JOBS.c.id)
        .limit(bindparam("limit"))
    )


# A refresh reads every queued job (10,000 rows: 45 ms of CPU through the ORM and the UTC
# type, 3 times less without). PostgreSQL returns zone-aware datetimes itself, so its
# rows skip the UTC type's per-row conversion; SQLite's text needs it.
_QUEUED = {
    True: _queued(type_coerce(_JOBS.c.created_at, DateTime(timezone=True))),
    False: _queued(_JOBS.c.created_at),
}
_RUNNING = select(func.count(), func.sum(_ETA * (1.0 - _JOBS.c.progress))).where(
    _JOBS.c.status.in_([s.value for s in ACTIVE])
)


class QueueSnapshot:
    """A thread-safe, periodically refreshed view of the queue (one per API process)."""

    def __init__(
        self,
        *,
        max_age_s: float = 1.0,
        limit: int = 100_000,
        engine: Engine | None = None,
        cost_share: float = COST_SHARE,
    ) -> None:
        self.max_age_s, self.limit, self.engine = max_age_s, limit, engine
        self.cost_share = cost_share
        self._lock = threading.Lock()
        self._snapshot: _Snapshot | None = None

    def place(self, session: Executor, *, job: Job | JobRecord) -> QueuePlace | None:
        """The job's place in the queue, as :func:`aiprod.jobs.store.queue_place` gives it."""
        if job.status != JobStatus.QUEUED:
            return None
        known = self.known_place(job)
        if known is not None:
            return known
        return _place_in(self._current(session), job) or queue_place(session, job=job)

    def known_place(self, job: Job | JobRecord) -> QueuePlace | None:
        """A queued job's place from the snapshot in hand, without the database (a stale
        one is refreshed in the background, given an engine); None when only the database
        can tell: no snapshot yet, a stale one and no engine, or a job beyond a truncated
        snapshot. For callers on the event loop, which must not wait for a query."""
        snapshot = self._snapshot
        if snapshot is None:
            return None
        if self._stale(snapshot):
            if self.engine is None:
                return None
            if self._lock.acquire(blocking=False):  # else another thread is refreshing it
                threading.Thread(target=self._refresh, name="queue-snapshot", daemon=True).start()
        return _place_in(snapshot, job)

    def _current(self, session: Executor) -> _Snapshot:
        snapshot = self._snapshot
        if snapshot is not None and not self._stale(snapshot):
            return snapshot
        if snapshot is not None and not self._lock.acquire(blocking=False):
            return snapshot  # stale, and another thread is refreshing it: use it meanwhile
        if snapshot is None:
            self._lock.acquire()  # nothing to answer from yet: wait for the first one
        try:
            current = self._snapshot  # a thread that waited may find it refreshed
            if current is None or self._stale(current):
                current = self._snapshot = self._take(session)
            return current
        finally:
            self._lock.release()

    def _refresh(self) -> None:
        """Take a new snapshot on a connection of its own; the caller took the lock."""
        assert self.engine is not None
        try:
            with self.engine.connect() as connection:
                self._snapshot = self._take(connection)
        except Exception:  # a database hiccup: the next stale read tries again
            log.warning("queue snapshot not refreshed", exc_info=True)
        finally:
            self._lock.release()

    def _stale(self, snapshot: _Snapshot) -> bool:
        """Older than ``max_age_s``, and than ``cost_share`` times what taking it cost."""
        max_age = max(self.max_age_s, snapshot.cost_s * self.cost_share)
        return time.monotonic() - snapshot.taken > max_age

    def _take(self, session: Executor) -> _Snapshot:
        started = time.monotonic()
        postgres = dialect_of(session) == "postgresql"
        rows = session.execute(_QUEUED[postgres], {"now": utcnow(), "limit": self.limit + 1}).all()
        truncated = len(rows) > self.limit
        rows = rows[: self.limit]
        active, running_s = session.execute(_RUNNING).one()
        return _Snapshot(
            taken=time.monotonic(),
            cost_s=time.monotonic() - started,
            keys=[(row[0], row[1]) for row in rows],
            eta_prefix=[0.0, *accumulate(float(row[2] or 0.0) for row in rows)],
            running_s=float(running_s or 0.0),
            active=int(active or 0),
            truncated=truncated,
        )


def _place_in(snapshot: _Snapshot, job: Job | JobRecord) -> QueuePlace | None:
    """The job's place in ``snapshot``; None when it lies beyond a truncated snapshot."""
    key = (job.created_at, job.id)
    if snapshot.truncated and snapshot.keys and key > snapshot.keys[-1]:
        return None
    index = bisect_left(snapshot.keys, key)
    ahead_s = snapshot.eta_prefix[index] + snapshot.running_s
    return QueuePlace(position=index + 1, seconds_ahead=round(ahead_s / max(1, snapshot.active), 1))
