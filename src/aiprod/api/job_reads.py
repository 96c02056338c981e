"""``GET /v1/jobs/{id}``, the API's most frequent request, in as little CPU as it takes.

On PostgreSQL the job's row is read on the event loop (:class:`PgJobReader`) and its queue
position comes from the shared :class:`QueueSnapshot`, so a read costs no thread-pool hop
at all. Everything else takes one hop, doing the same through the engine: SQLite, a pool
that gives no connection in time, and the rare position only the database can tell (the
very first snapshot, or a job beyond a truncated one).
"""

from __future__ import annotations

from contextlib import suppress
from functools import partial

from sqlalchemy import Connection
from starlette.requests import HTTPConnection

from aiprod.api.request_session import read_on_connection
from aiprod.auth import Principal
from aiprod.jobs import review
from aiprod.jobs.pg_reads import PgJobReader, ReaderBusy
from aiprod.jobs.policy import JobStatus
from aiprod.jobs.queue_snapshot import QueueSnapshot
from aiprod.jobs.store import JobRecord, QueuePlace


async def job_with_queue_place(
    request: HTTPConnection, *, principal: Principal, job_id: str
) -> tuple[JobRecord, QueuePlace | None]:
    """The visible job ``job_id`` (NotFound otherwise) and, while queued, its place."""
    state = request.app.state
    snapshot: QueueSnapshot = state.queue_snapshot
    reader: PgJobReader | None = state.pg_job_reader
    if reader is not None:
        with suppress(ReaderBusy):  # no pooled connection in time: the engine reads it
            return await _on_the_loop(request, reader, snapshot, principal, job_id)
    return await read_on_connection(request, partial(_read, principal, job_id, snapshot))


async def _on_the_loop(
    request: HTTPConnection,
    reader: PgJobReader,
    snapshot: QueueSnapshot,
    principal: Principal,
    job_id: str,
) -> tuple[JobRecord, QueuePlace | None]:
    job = review.visible(await reader.job_record(job_id), principal, job_id)
    if job.status != JobStatus.QUEUED:
        return job, None
    place = snapshot.known_place(job)
    if place is None:  # only the database can tell
        place = await read_on_connection(request, partial(_place, snapshot, job))
    return job, place


def _read(
    principal: Principal, job_id: str, snapshot: QueueSnapshot, connection: Connection
) -> tuple[JobRecord, QueuePlace | None]:
    return review.job_with_queue_place(
        connection, principal=principal, job_id=job_id, snapshot=snapshot
    )


def _place(snapshot: QueueSnapshot, job: JobRecord, connection: Connection) -> QueuePlace | None:
    return snapshot.place(connection, job=job)
