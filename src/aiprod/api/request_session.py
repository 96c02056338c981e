"""The database session of one request, opened without a thread-pool hop.

Hot routes (job creation and reads) go further: :func:`run_in_session` runs their whole
database work, commit and close included, in a single hop, and the route is ``async`` so
FastAPI validates and serialises its answer on the event loop instead of in another hop.

FastAPI runs a plain ``def`` dependency in the thread pool: a generator dependency costs
two hops (enter and exit), a measurable share of a short request's CPU. Opening a
session does no I/O (the connection is taken on first use, in the route's thread), so
this async context manager opens it on the event loop and spends one hop at the end,
where commit, rollback and close do talk to the database. That hop is shielded from
cancellation and has its own capacity, as FastAPI does for ``def`` dependencies, so a
client that disconnects still gets its session closed and its connection returned.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import anyio.to_thread
from anyio import CancelScope, CapacityLimiter
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import HTTPConnection

T = TypeVar("T")


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


def _run_and_commit(factory: sessionmaker[Session], work: Callable[[Session], T]) -> T:
    with factory() as session:
        try:
            result = work(session)
            session.commit()
        except BaseException:
            session.rollback()
            raise
    return result


def _run_on_connection(engine: Engine, work: Callable[[Connection], T]) -> T:
    with engine.connect() as connection:  # closed (and rolled back) on the way out
        return work(connection)


async def read_on_connection(connection: HTTPConnection, work: Callable[[Connection], T]) -> T:
    """Read-only Core ``work(connection)`` in one thread-pool hop, on a plain connection of
    the app's read engine (autocommit on PostgreSQL): no ORM session to set up, no
    transaction to end. For the API's most frequent reads."""
    engine: Engine = connection.app.state.read_engine
    return await anyio.to_thread.run_sync(_run_on_connection, engine, work)


async def run_in_session(
    connection: HTTPConnection, work: Callable[[Session], T], *, read_only: bool = False
) -> T:
    """``work(session)`` in the thread pool, then commit (rollback if it raised) and close,
    all in that one hop. A client that disconnects meanwhile does not interrupt it: anyio
    waits for the thread, so the session is always closed and its connection returned.

    ``read_only`` work that needs no consistent snapshot across its queries runs without a
    transaction on PostgreSQL (autocommit: no BEGIN and COMMIT round trips)."""
    state = connection.app.state
    factory: sessionmaker[Session] = (
        state.read_session_factory if read_only else state.session_factory
    )
    return await anyio.to_thread.run_sync(_run_and_commit, factory, work)
