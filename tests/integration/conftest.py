"""Databases for the job-queue tests: a SQLite file and a fresh PostgreSQL database.

PostgreSQL gets one new database per test module (dropped afterwards). When the server is
unreachable, PostgreSQL cases skip on a laptop but fail when ``CI`` is set.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from sqlalchemy import Engine, delete

from aiprod.jobs.db import make_engine, upgrade
from aiprod.jobs.models import Job, JobEvent

PG_ADMIN_DSN = os.environ.get("AIPROD_TEST_PG_DSN", "host=127.0.0.1 port=5432 user=postgres")
PG_ADMIN_DB = "postgres"  # exists on every cluster, unlike the machine's `test`
BACKENDS = ["sqlite", "postgresql"]


def _pg_url(dsn: str, dbname: str) -> str:
    params = psycopg.conninfo.conninfo_to_dict(dsn)
    user, host, port = params.get("user", "postgres"), params.get("host"), params.get("port")
    password = params.get("password")
    login = f"{user}:{quote(password, safe='')}" if password else user
    return f"postgresql+psycopg://{login}@{host}:{port or 5432}/{dbname}"


def _require_postgres() -> None:
    try:
        psycopg.connect(PG_ADMIN_DSN, dbname=PG_ADMIN_DB, connect_timeout=3).close()
    except psycopg.OperationalError as error:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI and unreachable: {error}")
        pytest.skip(f"PostgreSQL unreachable: {error}")


class PostgresDatabases:
    """Creates throwaway databases and drops them all at the end."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def create(self) -> str:
        name = f"aiprod_test_{secrets.token_hex(6)}"
        with psycopg.connect(PG_ADMIN_DSN, dbname=PG_ADMIN_DB, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.names.append(name)
        return _pg_url(PG_ADMIN_DSN, name)

    def drop_all(self) -> None:
        with psycopg.connect(PG_ADMIN_DSN, dbname=PG_ADMIN_DB, autocommit=True) as conn:
            for name in self.names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def pg_databases() -> Iterator[PostgresDatabases]:
    _require_postgres()
    databases = PostgresDatabases()
    yield databases
    databases.drop_all()


@pytest.fixture(scope="module")
def pg_jobs_url(pg_databases: PostgresDatabases) -> str:
    """A migrated PostgreSQL database shared by one test module."""
    url = pg_databases.create()
    upgrade(url)
    return url


@pytest.fixture(params=BACKENDS)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL to a brand-new, unmigrated database of each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    databases: PostgresDatabases = request.getfixturevalue("pg_databases")
    return databases.create()


@pytest.fixture(params=BACKENDS)
def jobs_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated database with empty job tables, for each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'jobs.db'}"
        upgrade(url)
        return url
    url = str(request.getfixturevalue("pg_jobs_url"))
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(delete(JobEvent))
        connection.execute(delete(Job))
    engine.dispose()
    return url


@pytest.fixture
def make_jobs_engine(jobs_db_url: str) -> Iterator[Callable[[], Engine]]:
    """``make_jobs_engine()`` opens another engine on the test database (one per worker)."""
    engines: list[Engine] = []

    def make() -> Engine:
        engines.append(make_engine(jobs_db_url))
        return engines[-1]

    yield make
    for engine in engines:
        engine.dispose()


@pytest.fixture
def jobs_engine(make_jobs_engine: Callable[[], Engine]) -> Engine:
    """An engine on the migrated test database."""
    return make_jobs_engine()
