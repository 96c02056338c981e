"""The database session of one request, opened without a thread-pool hop.

FastAPI runs a plain ``def`` dependency in the thread pool: a generator dependency costs
two hops (enter and exit), a measurable share of a short request's CPU. Opening a
session does no I/O (the connection is taken on first use, in the route's thread), so
this async context manager opens it on the event loop and spends one hop at the end,
where commit, rollback and close do talk to the database. That hop is shielded from
cancellation and has its own capacity, as FastAPI does for ``def`` dependencies, so a
client that disconnects still gets its session closed and its connection returned.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from anyio import CancelScope, CapacityLimiter
from sqlalchemy.orm import Session, sessionmaker


def _commit_and_close(session: Session) -> None:
    with session:
        try:
            session.commit()
        except BaseException:
            session.rollback()
            raise


def _rollback_and_close(session: Session) -> None:
    with session:
        session.rollback()


@asynccontextmanager
async def request_session(factory: sessionmaker[Session]) -> AsyncIterator[Session]:
    """A session committed when the body succeeds, rolled back otherwise; always closed."""
    session = factory()
    try:
        yield session
    except BaseException:
        with CancelScope(shield=True):
            await anyio.to_thread.run_sync(_rollback_and_close, session, limiter=CapacityLimiter(1))
        raise
    with CancelScope(shield=True):
        await anyio.to_thread.run_sync(_commit_and_close, session, limiter=CapacityLimiter(1))
