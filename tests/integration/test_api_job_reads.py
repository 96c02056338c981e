"""``GET /v1/jobs/{id}`` read on the event loop (PostgreSQL) and through the engine."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC
from typing import Any

import pytest
from api_client import ApiClient, KeyMaker, auth
from sqlalchemy import Engine

from aiprod.db.engine import make_engine
from aiprod.jobs import pg_reads
from aiprod.jobs.pg_reads import PgJobReader, ReaderBusy
from aiprod.jobs.store import read_job_record

BRIEF = {"brief": "A 20-second ad for organic coffee", "preset": "quick_social"}
QUEUE_FIELDS = {"queue_position", "eta_seconds"}  # single reads only


def submit(client: ApiClient, key: str, count: int = 1) -> list[str]:
    ids = []
    for _ in range(count):
        response = client.post("/v1/jobs", json=BRIEF, headers=auth(key))
        assert response.status_code == 202, response.text
        ids.append(response.json()["id"])
    return ids


def test_a_job_read_equals_its_list_item_and_has_its_queue_place(
    client: ApiClient, make_key: KeyMaker
) -> None:
    key = make_key()
    ids = submit(client, key, 3)
    items = client.get("/v1/jobs", headers=auth(key)).json()["items"]
    listed = {item["id"]: item for item in items}
    for position, job_id in enumerate(ids, start=1):
        job = client.get(f"/v1/jobs/{job_id}", headers=auth(key)).json()
        assert job["queue_position"] == position
        assert job["created_at"].endswith("Z") or job["created_at"].endswith("+00:00")
        trimmed = {name: value for name, value in job.items() if name not in QUEUE_FIELDS}
        expected = {k: v for k, v in listed[job_id].items() if k not in QUEUE_FIELDS}
        assert trimmed == expected
    other = make_key(owner="mallory")
    assert client.get(f"/v1/jobs/{ids[0]}", headers=auth(other)).status_code == 404
    assert client.get("/v1/jobs/job_missing", headers=auth(key)).status_code == 404


@pytest.fixture
def pg_engine(client: ApiClient) -> Engine:
    engine: Engine = client.app.state.engine
    assert engine.dialect.name == "postgresql"
    return engine


postgres_only = pytest.mark.parametrize("jobs_db_url", ["postgresql"], indirect=True)


@postgres_only
def test_the_event_loop_reader_returns_the_engines_record(
    client: ApiClient, make_key: KeyMaker, pg_engine: Engine
) -> None:
    (job_id,) = submit(client, make_key())

    async def read(reader: PgJobReader) -> list[Any]:
        try:
            return [await reader.job_record(job_id), await reader.job_record("job_missing")]
        finally:
            await reader.aclose()

    record, missing = asyncio.run(read(PgJobReader(pg_engine)))
    with pg_engine.connect() as connection:
        assert record == read_job_record(connection, job_id)
    assert missing is None
    assert record.created_at.tzinfo == UTC


@postgres_only
def test_a_busy_pool_hands_the_read_to_the_engine(
    client: ApiClient, make_key: KeyMaker, pg_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = make_key()
    (job_id,) = submit(client, key)
    monkeypatch.setattr(pg_reads, "CHECKOUT_TIMEOUT_S", 0.2)
    busy = PgJobReader(pg_engine, max_size=1)
    client.app.state.pg_job_reader = busy

    async def read_while_the_only_connection_is_held() -> tuple[int, float]:
        assert await busy.job_record(job_id) is not None  # the pool is open
        async with busy._pool.connection():
            with pytest.raises(ReaderBusy):
                await busy.job_record(job_id)
            started = time.monotonic()
            response = await client.client.get(f"/v1/jobs/{job_id}", headers=auth(key))
            return response.status_code, time.monotonic() - started

    status, elapsed = client.portal.call(read_while_the_only_connection_is_held)
    assert status == 200
    assert elapsed >= 0.2  # it waited for the pool, then read through the engine


def test_the_reader_refuses_sqlite(tmp_path: Any) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(ValueError, match="PostgreSQL"):
        PgJobReader(engine)
    engine.dispose()
