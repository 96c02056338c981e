"""The API trusts a verified key for ``api_key_cache_s`` seconds, and no longer (both backends)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from anyio.from_thread import start_blocking_portal
from api_client import ApiClient, KeyMaker, auth
from fastapi import FastAPI
from sqlalchemy import select

from aiprod.api import create_app
from aiprod.auth import ApiKey, revoke_key
from aiprod.config import Settings
from aiprod.db.engine import make_engine, make_session_factory


def revoke(jobs_db_url: str, key: str) -> None:
    engine = make_engine(jobs_db_url)
    with make_session_factory(engine)() as session:
        prefix = key.rsplit("_", 1)[0]
        row = session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).one()
        revoke_key(session, key_id=row.id, actor="admin")
        session.commit()
    engine.dispose()


@pytest.fixture
def api(settings: Settings, jobs_db_url: str) -> Iterator[tuple[ApiClient, FastAPI]]:
    """A client on an app that trusts a verified key for 60 s, and that app."""
    app = create_app(settings.model_copy(update={"api_key_cache_s": 60}), database_url=jobs_db_url)
    with start_blocking_portal() as portal:
        client = ApiClient(app, portal)
        yield client, app
        client.close()
    app.state.engine.dispose()


@pytest.fixture
def uncached_client(settings: Settings, jobs_db_url: str) -> Iterator[ApiClient]:
    app = create_app(settings.model_copy(update={"api_key_cache_s": 0}), database_url=jobs_db_url)
    with start_blocking_portal() as portal:
        client = ApiClient(app, portal)
        yield client
        client.close()
    app.state.engine.dispose()


def test_a_revoked_key_works_until_the_cache_entry_expires(
    api: tuple[ApiClient, FastAPI], make_key: KeyMaker, jobs_db_url: str
) -> None:
    client, app = api
    key = make_key()
    assert client.get("/v1/jobs", headers=auth(key)).status_code == 200
    revoke(jobs_db_url, key)
    # within the TTL the process still trusts the key: the documented staleness
    assert client.get("/v1/jobs", headers=auth(key)).status_code == 200
    # a fresh process (or the same one after the TTL) asks the database and refuses it
    app.state.key_cache.clear()
    refused = client.get("/v1/jobs", headers=auth(key))
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")


def test_with_the_cache_off_revocation_is_immediate(
    uncached_client: ApiClient, make_key: KeyMaker, jobs_db_url: str
) -> None:
    key = make_key()
    assert uncached_client.get("/v1/jobs", headers=auth(key)).status_code == 200
    revoke(jobs_db_url, key)
    assert uncached_client.get("/v1/jobs", headers=auth(key)).status_code == 401


def test_a_cached_key_keeps_its_scopes(client: ApiClient, make_key: KeyMaker) -> None:
    reader = make_key(owner="rita", scopes=("jobs:read",))
    for _ in range(2):  # the second answer comes from the cache: still 403 for a write
        denied = client.post("/v1/jobs", headers=auth(reader), json={"brief": "hi there"})
        assert denied.status_code == 403
