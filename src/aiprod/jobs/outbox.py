"""The transactional outbox of scale-out dispatch, and the relay that publishes it.

    any transaction that (re-)queues a job      the relay (thread of `aiprod serve`)
    ├── UPDATE/INSERT jobs … status 'queued'     claim due rows (SKIP LOCKED / BEGIN IMMEDIATE)
    └── INSERT job_outbox (same transaction)     publish run_job(job_id), confirmed by the broker
                                                 mark the rows published, commit

:func:`add_run_message` is called by :func:`aiprod.jobs.events.record_event` for every move
into ``queued`` (creation, retry backoff, release, reaper, approval, replay), so a job row
and its message are committed together or not at all. The message becomes due at the job's
``run_after``. A crash between publishing and marking publishes the row again on the next
pass: the duplicate is harmless because a worker claims the job row itself
(:func:`aiprod.jobs.leases.claim_job`) and a second delivery finds nothing to claim.

The relay knows nothing of Celery: it is given a ``publish(job_id, message_id)`` callable
(:func:`aiprod.jobs.celery_app.make_publisher`). In embedded mode nobody relays; settled and
stale rows are purged in both modes (:func:`purge_outbox`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Engine,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    and_,
    bindparam,
    delete,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from aiprod.db.base import Base, UTCDateTime, core_table, utcnow
from aiprod.jobs.models import Job
from aiprod.jobs.policy import JobStatus

log = logging.getLogger(__name__)
Publish = Callable[[str, str], None]
"""``publish(job_id, message_id)``: returns once the broker confirmed it, raises otherwise."""
PUBLISHED, SKIPPED = "published", "skipped"
PURGE_INTERVAL_S = 3600.0


class OutboxMessage(Base):
    """One ``run_job`` message to publish once ``available_at`` has come."""

    __tablename__ = "job_outbox"
    __table_args__ = (
        Index("ix_job_outbox_due", "published_at", "available_at"),
        Index("ix_job_outbox_job_id", "job_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("jobs.id", name="fk_job_outbox_job_id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # ``published``, or ``skipped`` when the job had left ``queued`` before its turn came
    outcome: Mapped[str | None] = mapped_column(String(16))
    publish_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


_JOBS = core_table(Job)
# INSERT … SELECT from the job row, built once (it runs in every move into ``queued``)
_ADD_RUN_MESSAGE = insert(core_table(OutboxMessage)).from_select(
    ["job_id", "created_at", "available_at", "publish_failures"],
    select(_JOBS.c.id, bindparam("now", type_=UTCDateTime()), _JOBS.c.run_after, literal(0)).where(
        _JOBS.c.id == bindparam("job_id")
    ),
)


def message_id(job_id: str, outbox_id: int) -> str:
    """The broker message (Celery task) id of an outbox row: the same on every republish."""
    return f"{job_id}.{outbox_id}"


def add_run_message(session: Session, *, job_id: str) -> None:
    """Add a message for ``job_id``, due at its ``run_after`` (in the caller's transaction).

    ``INSERT … SELECT`` from the job row, which the caller has already written.
    """
    session.execute(_ADD_RUN_MESSAGE, {"now": utcnow(), "job_id": job_id})


@dataclass(frozen=True)
class RelayPass:
    """What one pass of the relay did."""

    published: int = 0
    skipped: int = 0
    failed: bool = False


def relay_due(
    engine: Engine, publish: Publish, *, limit: int = 100, now: datetime | None = None
) -> RelayPass:
    """Publish up to ``limit`` due messages and mark them, in one transaction.

    A message whose job is no longer queued and due is marked ``skipped`` instead (the job
    was canceled or claimed, or was queued again: its newer message covers it). The first
    publish failure ends the pass; that message and the rest stay due for the next one.
    """
    now = now or utcnow()
    query = (
        select(OutboxMessage.id, OutboxMessage.job_id, Job.status, Job.run_after)
        .join(Job, Job.id == OutboxMessage.job_id)
        .where(OutboxMessage.published_at.is_(None), OutboxMessage.available_at <= now)
        .order_by(OutboxMessage.available_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(of=OutboxMessage, skip_locked=True)  # SQLite: BEGIN IMMEDIATE
    )
    sent: list[int] = []
    skipped: list[int] = []
    with Session(engine) as session, session.begin():
        for row in session.execute(query).all():
            if row.status != JobStatus.QUEUED.value or row.run_after > now:
                skipped.append(row.id)
                continue
            try:
                publish(row.job_id, message_id(row.job_id, row.id))
            except Exception as exc:  # broker unreachable or the message refused: retry later
                log.warning("outbox: publishing job %s failed: %s", row.job_id, exc)
                _note_failure(session, row.id, exc)
                _mark(session, sent, PUBLISHED, now)
                _mark(session, skipped, SKIPPED, now)
                return RelayPass(len(sent), len(skipped), failed=True)
            sent.append(row.id)
        _mark(session, sent, PUBLISHED, now)
        _mark(session, skipped, SKIPPED, now)
    return RelayPass(len(sent), len(skipped))


def _mark(session: Session, ids: Sequence[int], outcome: str, now: datetime) -> None:
    if ids:
        statement = (
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(published_at=now, outcome=outcome)
        )
        session.execute(statement)


def _note_failure(session: Session, outbox_id: int, exc: Exception) -> None:
    statement = (
        update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id)
        .values(
            publish_failures=OutboxMessage.publish_failures + 1,
            last_error=(str(exc) or type(exc).__name__)[:500],
        )
    )
    session.execute(statement)


def purge_outbox(engine: Engine, *, older_than: timedelta, now: datetime | None = None) -> int:
    """Delete settled messages older than ``older_than``; return how many.

    Settled: published or skipped, or never published while its job has left ``queued``
    (embedded mode, where no relay runs). A message of a job still queued is kept.
    """
    cutoff = (now or utcnow()) - older_than
    not_queued = select(Job.id).where(Job.status != JobStatus.QUEUED.value)
    statement = delete(OutboxMessage).where(
        or_(
            OutboxMessage.published_at < cutoff,
            and_(
                OutboxMessage.published_at.is_(None),
                OutboxMessage.created_at < cutoff,
                OutboxMessage.job_id.in_(not_queued),
            ),
        )
    )
    with Session(engine) as session, session.begin():
        return int(session.execute(statement).rowcount)  # type: ignore[attr-defined]


def republish_stranded(
    engine: Engine, *, older_than: timedelta, now: datetime | None = None, limit: int = 1000
) -> int:
    """Give a new message to jobs due for longer than ``older_than`` with none in flight.

    The safety net behind "the job row is the record": a message dead-lettered or lost in
    the broker leaves its job queued with nothing to deliver it. A job only waiting behind
    a long backlog gets a harmless duplicate now and then. Returns how many were added.
    """
    cutoff = (now or utcnow()) - older_than
    recent = select(OutboxMessage.id).where(
        OutboxMessage.job_id == Job.id,
        or_(OutboxMessage.published_at.is_(None), OutboxMessage.published_at >= cutoff),
    )
    stranded = (
        select(Job.id)
        .where(Job.status == JobStatus.QUEUED.value, Job.run_after < cutoff, ~recent.exists())
        .order_by(Job.run_after)
        .limit(limit)
    )
    with Session(engine) as session, session.begin():
        job_ids = list(session.execute(stranded).scalars())
        for job_id in job_ids:
            add_run_message(session, job_id=job_id)
    if job_ids:
        log.warning("outbox: %d queued job(s) had no message in flight; republished", len(job_ids))
    return len(job_ids)


class PurgeSchedule:
    """Runs :func:`purge_outbox` at most once per ``interval_s``, for loops that spin often."""

    def __init__(
        self, retention: timedelta, interval_s: float = PURGE_INTERVAL_S, first_after_s: float = 60
    ) -> None:
        self.retention, self.interval_s = retention, interval_s
        self._next = time.monotonic() + first_after_s  # not in the busy start-up seconds

    def run_if_due(self, engine: Engine) -> None:
        """Purge now if the interval has passed; a failure is logged and retried next time."""
        if time.monotonic() < self._next:
            return
        self._next = time.monotonic() + self.interval_s
        try:
            purge_outbox(engine, older_than=self.retention)
        except Exception:  # the database is down for now
            log.exception("outbox purge failed")


def pending_messages(engine: Engine, *, job_id: str | None = None) -> list[OutboxMessage]:
    """Messages not yet published (all, or one job's), oldest first: for tests and ops."""
    query = select(OutboxMessage).where(OutboxMessage.published_at.is_(None))
    if job_id is not None:
        query = query.where(OutboxMessage.job_id == job_id)
    with Session(engine, expire_on_commit=False) as session:
        return list(session.execute(query.order_by(OutboxMessage.id)).scalars())


class OutboxRelay:
    """A thread that relays due messages, re-queues expired leases and purges old rows.

    Scale-out has no embedded pool whose reaper takes back the jobs of dead workers, so
    the relay does it: a reaped job goes back to ``queued`` and gets a new message. Jobs
    left queued with no message in flight are republished (:func:`republish_stranded`).
    Several relays (one per `aiprod serve`) may run at once: claims skip locked rows.
    """

    def __init__(
        self,
        engine: Engine,
        publish: Publish,
        *,
        poll_s: float = 1.0,
        reap_interval_s: float = 15.0,
        retention: timedelta = timedelta(days=1),
        republish_after: timedelta = timedelta(minutes=15),
        batch: int = 100,
    ) -> None:
        self.engine, self.publish = engine, publish
        self.poll_s, self.reap_interval_s, self.retention = poll_s, reap_interval_s, retention
        self.republish_after, self.batch = republish_after, batch
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)

    def start(self) -> OutboxRelay:
        """Start relaying in a background thread."""
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        """Finish the current pass and stop."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    def __enter__(self) -> OutboxRelay:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _run(self) -> None:
        from aiprod.jobs.reaper import reap_expired  # late: reaper → events → this module

        next_reap, purge = 0.0, PurgeSchedule(self.retention)
        while not self._stopping.is_set():
            self._guard("relay", self.relay_all)
            if time.monotonic() >= next_reap:
                next_reap = time.monotonic() + self.reap_interval_s
                self._guard("reaper", lambda: reap_expired(self.engine))
                self._guard("republish", self._republish)
            purge.run_if_due(self.engine)
            self._stopping.wait(self.poll_s)

    def relay_all(self) -> int:
        """Relay passes until nothing due is left (or publishing fails); return how many."""
        total = 0
        while not self._stopping.is_set():
            done = relay_due(self.engine, self.publish, limit=self.batch)
            total += done.published
            if done.failed or done.published + done.skipped < self.batch:
                break
        return total

    def _republish(self) -> int:
        return republish_stranded(self.engine, older_than=self.republish_after)

    def _guard(self, what: str, step: Callable[[], Any]) -> None:
        try:
            step()
        except Exception:  # the database is down for now: the next pass tries again
            log.exception("outbox %s pass failed", what)
