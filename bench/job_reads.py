"""How a job read should reach PostgreSQL from the API's event loop: three paths compared.

The API answers ``GET /v1/jobs/{id}`` from an asyncio event loop (uvloop). This benchmark
reads random jobs of a throwaway database (migrated with the real schema, filled through
:func:`aiprod.jobs.store.insert_job`) with ``--readers`` concurrent tasks in one process,
and prints the CPU the process spends per read and the reads per second of each path:

- ``thread+engine``: :func:`aiprod.jobs.store.read_job_record` on the app's autocommit
  engine, in anyio's thread pool (what the route did before, and still does on SQLite);
- ``sqlalchemy-async``: the same statement through SQLAlchemy's asyncio extension
  (psycopg async under greenlet), measured only when ``greenlet`` is installed;
- ``pg_reads``: :class:`aiprod.jobs.pg_reads.PgJobReader` (psycopg's asyncio pool, a
  prepared statement), what the route does on PostgreSQL.

Each path runs twice, interleaved, so a busy moment of the shared machine shows up as a
disagreement between its two figures. The last line gives the CPU ratio of the thread path
to the reader, both measured in this run.

Run: ``.venv/bin/python bench/job_reads.py [--jobs 5000] [--reads 6000] [--readers 16]``
(``AIPROD_BENCH_PG_DSN`` as for bench/api_load.py).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio.to_thread
import uvloop
from sqlalchemy import Engine

from aiprod.db.engine import make_engine, make_session_factory, read_only_engine, upgrade
from aiprod.jobs.pg_reads import PgJobReader
from aiprod.jobs.store import JOB_RECORD, insert_job, read_job_record
from api_load import DEFAULT_DSN, pg_url, throwaway_database

Read = Callable[[str], Awaitable[Any]]


def fill(engine: Engine, jobs: int) -> list[str]:
    """``jobs`` queued jobs with a cost estimate, as the API creates them; their ids."""
    estimate = {"eta_seconds": 12.5, "stages": [{"stage": "render", "eta_seconds": 12.5}]}
    ids = []
    with make_session_factory(engine)() as session:
        for n in range(jobs):
            job, _ = insert_job(
                session,
                owner="bench",
                kind="brief",
                request={"brief": f"job {n}"},
                preset="quick_social",
                cost_estimate=estimate,
            )
            ids.append(job.id)
        session.commit()
    return ids


async def measure(read: Read, ids: list[str], reads: int, readers: int) -> tuple[float, float]:
    """CPU µs per read and reads per second, ``readers`` tasks sharing ``reads`` reads."""

    async def reader() -> None:
        for _ in range(reads // readers):
            assert await read(random.choice(ids)) is not None

    for _ in range(50):  # warm: connections open, statements prepared
        await read(ids[0])
    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(reader() for _ in range(readers)))
    done = reads // readers * readers
    return (time.process_time() - cpu) / done * 1e6, done / (time.perf_counter() - wall)


async def compare(url: str, ids: list[str], options: argparse.Namespace) -> None:
    engine = make_engine(url)
    autocommit = read_only_engine(engine)

    def engine_read(job_id: str) -> Any:
        with autocommit.connect() as connection:
            return read_job_record(connection, job_id)

    async def thread_read(job_id: str) -> Any:
        return await anyio.to_thread.run_sync(engine_read, job_id)

    reader = PgJobReader(engine)
    paths: dict[str, Read] = {"thread+engine": thread_read, "pg_reads": reader.job_record}
    async_engine = None
    if importlib.util.find_spec("greenlet") is not None:
        from sqlalchemy.ext.asyncio import create_async_engine

        async_engine = create_async_engine(engine.url, pool_size=20, isolation_level="AUTOCOMMIT")

        async def sqlalchemy_read(job_id: str) -> Any:
            assert async_engine is not None
            async with async_engine.connect() as connection:
                result = await connection.execute(JOB_RECORD, {"job_id": job_id})
                return result.first()

        paths["sqlalchemy-async"] = sqlalchemy_read
    else:
        print("sqlalchemy-async: skipped (greenlet is not installed)")
    cpu: dict[str, list[float]] = {name: [] for name in paths}
    try:
        for _ in range(2):
            for name, read in paths.items():
                us, rate = await measure(read, ids, options.reads, options.readers)
                cpu[name].append(us)
                print(f"{name:17s} cpu_us_per_read={us:6.1f} reads_per_s={rate:7.0f}", flush=True)
    finally:
        await reader.aclose()
        if async_engine is not None:
            await async_engine.dispose()
        engine.dispose()
    ratio = min(cpu["thread+engine"]) / min(cpu["pg_reads"])
    print(f"thread_to_event_loop_cpu_ratio={ratio:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=5000, help="jobs in the database")
    parser.add_argument("--reads", type=int, default=6000, help="reads per measurement")
    parser.add_argument("--readers", type=int, default=16, help="concurrent readers")
    options = parser.parse_args()
    dsn = os.environ.get("AIPROD_BENCH_PG_DSN", DEFAULT_DSN)
    with throwaway_database(dsn) as dbname:
        url = pg_url(dsn, dbname)
        upgrade(url)
        engine = make_engine(url)
        ids = fill(engine, options.jobs)
        engine.dispose()
        print(f"jobs={len(ids)} reads={options.reads} readers={options.readers}", flush=True)
        uvloop.run(compare(url, ids, options))


if __name__ == "__main__":
    main()
