"""The API under contract test: a fresh migrated database, a real key, no workers.

Each test runs on SQLite and on PostgreSQL (a throwaway database on the server named by
``AIPROD_TEST_PG_DSN``; skipped when unreachable, except in CI, like the integration tests).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from fastapi import FastAPI
from schemathesis.python.asgi import shutdown_lifespans

from aiprod.api import create_app
from aiprod.auth import JOBS_READ, JOBS_WRITE, create_key
from aiprod.config import Settings
from aiprod.db.engine import make_engine, make_session_factory, upgrade
from aiprod.jobs import store
from aiprod.providers.resilience import reset_breakers

OWNER = "bean-there"
PG_ADMIN_DSN = os.environ.get("AIPROD_TEST_PG_DSN", "host=127.0.0.1 port=5432 user=postgres")


@pytest.fixture(autouse=True)
def _fresh_breakers() -> Iterator[None]:
    """Circuit breakers are shared per endpoint in the process: every contract test starts
    and ends with them closed."""
    reset_breakers()
    yield
    reset_breakers()


@pytest.fixture(params=["sqlite", "postgresql"])
def contract_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A freshly migrated database of each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'contract.db'}"
        upgrade(url)
        yield url
        return
    name = f"aiprod_contract_{secrets.token_hex(6)}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        url = _pg_url(name)
        upgrade(url)
        yield url
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_admin(statement: str) -> None:
    try:
        connection = psycopg.connect(PG_ADMIN_DSN, dbname="postgres", autocommit=True)
    except psycopg.OperationalError as error:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI and unreachable: {error}")
        pytest.skip(f"PostgreSQL unreachable: {error}")
    with connection:
        connection.execute(statement.encode())


def _pg_url(dbname: str) -> str:
    params = psycopg.conninfo.conninfo_to_dict(PG_ADMIN_DSN)
    user, password = params.get("user", "postgres"), params.get("password")
    login = f"{user}:{quote(str(password), safe='')}" if password else str(user)
    host, port = params.get("host"), params.get("port") or 5432
    return f"postgresql+psycopg://{login}@{host}:{port}/{dbname}"


@pytest.fixture
def contract_app(settings: Settings, contract_db_url: str) -> Iterator[FastAPI]:
    """The real app; jobs it accepts stay queued, since no worker runs."""
    unthrottled = settings.model_copy(update={"rate_limit_enabled": False})  # 2,000+ requests
    app = create_app(unthrottled, database_url=contract_db_url)
    yield app
    shutdown_lifespans()  # schemathesis keeps each app's lifespan open until told
    app.state.engine.dispose()


@pytest.fixture
def api_key(contract_db_url: str) -> str:
    """A key of ``bean-there`` with the jobs:read and jobs:write scopes."""
    engine = make_engine(contract_db_url)
    with make_session_factory(engine)() as session:
        _, secret = create_key(
            session, name="contract", owner=OWNER, scopes=[JOBS_READ, JOBS_WRITE]
        )
        session.commit()
    engine.dispose()
    return secret


@pytest.fixture
def canceled_job_id(contract_db_url: str) -> str:
    """A job of the key's owner that has ended, so its event stream ends too."""
    engine = make_engine(contract_db_url)
    with make_session_factory(engine)() as session:
        job = store.create_job(
            session,
            owner=OWNER,
            kind="brief",
            request={"brief": "A 15-second ad for Bean There coffee."},
            preset="quick_social",
        )
        session.commit()
        store.request_cancel(session, job_id=job.id)
        session.commit()
        job_id = job.id
    engine.dispose()
    return job_id
