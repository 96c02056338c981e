"""Databases for the job-queue tests: a SQLite file and a fresh PostgreSQL database.

PostgreSQL gets one new database per test module (dropped afterwards). When the server is
unreachable, PostgreSQL cases skip on a laptop but fail when ``CI`` is set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from api_client import client, make_key  # noqa: F401  (fixtures shared by the API tests)
from render_worker import render_worker_setup, tiny_settings  # noqa: F401  (shared fixtures)
from sqlalchemy import Engine, delete

from aiprod.brandkits.models import BrandKitRow
from aiprod.db.engine import make_engine, upgrade
from aiprod.jobs.models import Batch, Job, JobEvent
from aiprod.webhooks.listener import register as register_webhook_listener
from aiprod.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookJobSecret,
)
from pgtools import PostgresDatabases

# as the API, `aiprod serve` and `aiprod worker` do: job changes queue their webhook deliveries
register_webhook_listener()

BACKENDS = ["sqlite", "postgresql"]


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
        for webhook_table in (WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookJobSecret):
            connection.execute(delete(webhook_table))
        connection.execute(delete(BrandKitRow))
        connection.execute(delete(JobEvent))
        connection.execute(delete(Job))
        connection.execute(delete(Batch))
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
