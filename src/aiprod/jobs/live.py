"""Live job feeds: one job's events as they happen, for Server-Sent Events and WebSocket.

No web framework here: :mod:`aiprod.api.routes.live` turns :class:`LiveEvent` values into
SSE frames or WebSocket messages.

A :class:`JobFeed` polls the database in one short transaction per poll (SQLite opens every
transaction with ``BEGIN IMMEDIATE``, so nothing is held between polls). It reads the job
row first and its new history rows second: under READ COMMITTED, a terminal status seen on
the row guarantees that the history row written with it is visible to the second query.
"New" means an id above the last one seen: every status change of a job locks its row
before it appends history, so one job's history ids grow in commit order (no gaps).

Events, in order within a poll:

``status``   one per ``job_events`` row (id = the row id, so ``Last-Event-ID`` resumes
             after it without gaps or repeats);
``progress`` stage, progress (0–1) and ``eta_seconds`` (the estimate's remaining time), only
             when they changed since the last poll, never for a finished job;
``end``      the job's public view once its status is terminal; the feed stops after it.

``awaiting_review`` does not end a feed: the job goes on after approval (or ends when it is
canceled), and a reviewer's screen wants to see that. Idle feeds send keep-alives instead.
A job deleted while followed ends the feed without an ``end`` event.

Shutdown: a feed never ends on its own, and the server waits for open responses before it
stops. :func:`close_feeds_on_exit_signals` makes SIGTERM/SIGINT end every feed of the app
(within one poll) before the server's own handler runs, so streams close cleanly; clients
resume with ``Last-Event-ID``.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import AsyncGenerator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import Any, Literal

import anyio
import anyio.to_thread
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aiprod.jobs.models import Job, JobEvent
from aiprod.jobs.policy import TERMINAL

EventKind = Literal["status", "progress", "end"]
TERMINAL_VALUES = frozenset(status.value for status in TERMINAL)
# History ids are 32-bit INTEGER columns: a larger ``Last-Event-ID`` names no row and
# overflows the database driver, so it is refused before any query.
MAX_EVENT_ID = 2**31 - 1


@dataclass(frozen=True)
class LiveEvent:
    """One event of a job's feed; ``id`` is set on ``status`` events only."""

    event: EventKind
    data: dict[str, Any] | None
    id: int | None = None

    def message(self) -> dict[str, Any]:
        """The WebSocket form: ``{"event": …, "id": …, "data": …}``."""
        return {"event": self.event, "id": self.id, "data": self.data}


@dataclass
class LiveFeeds:
    """The feeds open in one app; :meth:`close_all` makes each end at its next poll."""

    closing: bool = False

    def close_all(self) -> None:
        """End every open feed (and any opened later): the server is shutting down."""
        self.closing = True


EXIT_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextmanager
def close_feeds_on_exit_signals(feeds: LiveFeeds) -> Iterator[None]:
    """While inside, SIGTERM and SIGINT first close ``feeds``, then run the server's handler.

    Only a Python handler the server installed (uvicorn's) is chained; a signal without
    one is left alone. Signal handlers belong to the main thread: elsewhere (a server in a
    test thread) this does nothing. The previous handlers are restored on exit.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in EXIT_SIGNALS}

    def close_then_chain(sig: int, frame: FrameType | None) -> None:
        feeds.close_all()
        handler = previous[signal.Signals(sig)]
        if callable(handler):
            handler(sig, frame)

    for sig, handler in previous.items():
        if callable(handler):
            signal.signal(sig, close_then_chain)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def status_event(row: JobEvent) -> LiveEvent:
    """The ``status`` event of one history row; a failure carries its error."""
    detail = row.detail or {}
    data = {
        "job_id": row.job_id,
        "from": row.from_status,
        "to": row.to_status,
        "reason": row.reason,
        "attempt": row.attempt,
        "at": row.at.isoformat(),
        "error": detail.get("error"),
    }
    return LiveEvent("status", data, id=row.id)


def progress_data(job: Job) -> dict[str, Any]:
    """Stage, progress and, when the job has a cost estimate, the remaining seconds."""
    data: dict[str, Any] = {"stage": job.stage, "progress": job.progress}
    eta = (job.cost_estimate or {}).get("eta_seconds")
    if isinstance(eta, int | float):
        data["eta_seconds"] = round(max(0.0, float(eta) * (1.0 - job.progress)), 1)
    return data


@dataclass
class JobFeed:
    """Follows one job; :meth:`poll` (blocking: run it in a thread) returns new events.

    ``describe`` turns the job row into the public view sent with ``end``; ``after_id``
    is the last history row the client has seen (from ``Last-Event-ID``).
    """

    session_factory: sessionmaker[Session]
    job_id: str
    describe: Callable[[Job], dict[str, Any]]
    after_id: int = 0
    ended: bool = False
    _progress: dict[str, Any] = field(default_factory=lambda: {"stage": None, "progress": 0.0})

    def poll(self) -> list[LiveEvent]:
        """The events since the last poll, in order; sets :attr:`ended` after ``end``."""
        with self.session_factory() as session, session.begin():
            job = session.get(Job, self.job_id)
            if job is None:
                self.ended = True
                return []
            query = (
                select(JobEvent)
                .where(JobEvent.job_id == self.job_id, JobEvent.id > self.after_id)
                .order_by(JobEvent.id)
            )
            events = [status_event(row) for row in session.scalars(query)]
            if job.status in TERMINAL_VALUES:
                events.append(LiveEvent("end", self.describe(job)))
                self.ended = True
            elif (progress := progress_data(job)) != self._progress:
                self._progress = progress
                events.append(LiveEvent("progress", progress))
        seen = [event.id for event in events if event.id is not None]
        self.after_id = max(seen, default=self.after_id)
        return events


async def follow(
    feed: JobFeed, *, poll_s: float, keepalive_s: float, feeds: LiveFeeds
) -> AsyncGenerator[LiveEvent | None, None]:
    """Yield the feed's events until it ends or ``feeds`` are closed (server shutdown).

    ``None`` means "nothing for ``keepalive_s``: send a keep-alive now". The database reads
    run in a worker thread, never on the event loop.
    """
    last_sent = anyio.current_time()
    while not feeds.closing:
        events = await anyio.to_thread.run_sync(feed.poll)
        for event in events:
            yield event
        if feed.ended:
            return
        now = anyio.current_time()
        if events:
            last_sent = now
        elif now - last_sent >= keepalive_s:
            last_sent = now
            yield None
        await anyio.sleep(poll_s)
