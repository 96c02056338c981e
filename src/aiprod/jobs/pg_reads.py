"""Job reads on PostgreSQL without a thread: psycopg's asyncio driver and its pool.

``GET /v1/jobs/{id}`` is the API's most frequent request, and one indexed query. Run
through SQLAlchemy in the thread pool it cost ~480 µs of CPU per read with 16 concurrent
readers: the hop to a worker thread and back, the GIL handed between the threads and the
event loop, the engine's checkout and result machinery. Awaited on the event loop on a
connection of :class:`psycopg_pool.AsyncConnectionPool`, with the statement prepared on
the server, the same read costs ~100 µs (measured on this machine by bench/job_reads.py;
``docs/performance.md`` has the figures). The statement is SQLAlchemy's own
(:data:`store.JOB_RECORD`) compiled once for psycopg, so the columns are declared once.

The pool opens on first use, in the event loop that uses it (the API's), and
:meth:`PgJobReader.aclose` closes it (the app's lifespan does). Connections are autocommit
(a single SELECT needs no transaction) and in UTC, so datetimes come back as the ORM's
``UTCDateTime`` gives them. A connection the pool cannot give within
:data:`CHECKOUT_TIMEOUT_S` raises :class:`ReaderBusy`: the caller then reads through the
engine instead, which fails at once when the database is down (a 503) rather than after
the pool's retries, and absorbs a burst beyond the pool's size.
"""

from __future__ import annotations

import asyncio
from typing import Any, Final

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout
from sqlalchemy import Engine

from aiprod.jobs.store import JOB_RECORD, JobRecord

CHECKOUT_TIMEOUT_S: Final = 1.0


class ReaderBusy(Exception):
    """No pooled connection within :data:`CHECKOUT_TIMEOUT_S`: read another way."""


async def _utc(connection: psycopg.AsyncConnection[Any]) -> None:
    await connection.execute("SET TimeZone TO 'UTC'")


class PgJobReader:
    """Reads :class:`JobRecord` rows on the event loop; one per API process."""

    def __init__(self, engine: Engine, *, max_size: int = 10) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError(f"PgJobReader needs PostgreSQL, not {engine.dialect.name}")
        _, params = engine.dialect.create_connect_args(engine.url)
        compiled = JOB_RECORD.compile(dialect=engine.dialect)
        self._sql: Final = str(compiled)  # "... WHERE jobs.id = %(job_id)s" (pyformat)
        self._pool = AsyncConnectionPool(
            "",  # the engine's own connection parameters (and adapters) are in kwargs
            min_size=1,
            max_size=max_size,
            kwargs={**params, "autocommit": True},
            configure=_utc,
            timeout=CHECKOUT_TIMEOUT_S,
            open=False,
            name="aiprod-job-reads",
        )
        self._opened = False
        self._opening = asyncio.Lock()

    async def job_record(self, job_id: str) -> JobRecord | None:
        """The job's :class:`JobRecord`, or None when there is no such job.

        Raises :class:`ReaderBusy` when no connection comes in time, and psycopg's
        ``OperationalError`` when the database fails the query.
        """
        if not self._opened:
            await self._open()
        try:
            async with self._pool.connection() as connection:
                cursor = await connection.execute(self._sql, {"job_id": job_id}, prepare=True)
                row = await cursor.fetchone()
        except PoolTimeout as timeout:
            raise ReaderBusy(str(timeout)) from None
        return None if row is None else JobRecord(*row)

    async def _open(self) -> None:
        async with self._opening:
            if not self._opened:
                await self._pool.open(wait=False)  # connects in the background
                self._opened = True

    async def aclose(self) -> None:
        """Close the pool and its connections (nothing to do when it never opened)."""
        if self._opened:
            await self._pool.close()
