"""Every failure of the API answers problem+json: routing, unexpected errors, a lost database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import psycopg
import pytest
from anyio.from_thread import start_blocking_portal
from api_client import PROBLEM, ApiClient
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from aiprod.api import create_app
from aiprod.auth import JOBS_READ, create_key
from aiprod.config import Settings
from aiprod.db.engine import make_engine, make_session_factory, upgrade
from aiprod.db.errors import UnmigratedDatabase
from aiprod.jobs import pg_reads

PROBLEM_FIELDS = {"type", "title", "status", "detail", "instance"}


class Databases(Protocol):
    """The ``pg_databases`` fixture: makes throwaway PostgreSQL databases."""

    def create(self) -> str: ...


def drop_database(url: str) -> None:
    """Drop the database at ``url``, ending its connections, from the maintenance db."""
    parsed = make_url(url)
    with psycopg.connect(
        host=parsed.host,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(f'DROP DATABASE "{parsed.database}" WITH (FORCE)')


@pytest.fixture
def app(settings: Settings, jobs_db_url: str) -> Iterator[FastAPI]:
    application = create_app(settings, database_url=jobs_db_url)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[ApiClient]:
    with start_blocking_portal() as portal:
        api = ApiClient(app, portal)
        yield api
        api.close()


def test_unknown_route_and_wrong_method_are_problems(client: ApiClient) -> None:
    missing = client.get("/nowhere")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == PROBLEM
    assert set(missing.json()) >= PROBLEM_FIELDS
    assert missing.json()["instance"] == "/nowhere"
    wrong = client.request("DELETE", "/health")
    assert wrong.status_code == 405
    assert wrong.json()["type"].endswith("method-not-allowed")


def test_unexpected_error_is_500_without_internals(app: FastAPI) -> None:
    def explode() -> None:
        raise RuntimeError("secret internals at /srv/db")

    app.add_api_route("/explode", explode)
    with start_blocking_portal() as portal:
        api = ApiClient(app, portal, raise_app_exceptions=False)
        response = api.get("/explode")
        api.close()
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    assert "secret" not in response.text
    assert "Traceback" not in response.text


def test_openapi_documents_the_jobs_api(client: ApiClient) -> None:
    schema = client.get("/openapi.json").json()
    assert {"/v1/jobs", "/v1/jobs/{job_id}", "/v1/jobs/{job_id}/cancel"} <= set(schema["paths"])
    assert "examples" in schema["components"]["schemas"]["JobCreate"]


def test_unmigrated_database_is_refused(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(UnmigratedDatabase):
        create_app(settings, database_url=f"sqlite:///{tmp_path / 'empty.db'}")


def test_dropped_database_answers_503(settings: Settings, pg_databases: Databases) -> None:
    url = pg_databases.create()
    upgrade(url)
    app = create_app(settings, database_url=url)
    with start_blocking_portal() as portal:
        api = ApiClient(app, portal)
        assert api.get("/ready").status_code == 200
        drop_database(url)
        for path in ("/ready", "/v1/jobs"):
            response = api.get(path, headers={"Authorization": "Bearer aip_x"})
            assert response.status_code == 503, response.text
            assert response.headers["content-type"] == PROBLEM
            assert response.json()["type"].endswith("database-unavailable")
        api.close()
    app.state.engine.dispose()


def test_a_dropped_database_is_503_for_job_reads_on_the_event_loop(
    settings: Settings, pg_databases: Databases, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pg_reads, "CHECKOUT_TIMEOUT_S", 0.2)
    url = pg_databases.create()
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        _, key = create_key(session, name="reader", owner="alice", scopes=(JOBS_READ,))
        session.commit()
    engine.dispose()
    app = create_app(settings, database_url=url)
    headers = {"Authorization": f"Bearer {key}"}
    with start_blocking_portal() as portal:
        api = ApiClient(app, portal)
        assert api.get("/v1/jobs/job_x", headers=headers).status_code == 404  # pool open
        drop_database(url)
        # the pooled connection is gone, then no new one comes: both are 503 (the key is
        # still in the verified-key cache, so the read itself meets the missing database)
        for _ in range(2):
            response = api.get("/v1/jobs/job_x", headers=headers)
            assert response.status_code == 503, response.text
            assert response.headers["content-type"] == PROBLEM
            assert response.json()["type"].endswith("database-unavailable")
        api.close()
    app.state.engine.dispose()
