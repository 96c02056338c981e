"""Shared helpers of the API tests: a sync client over ASGI, API keys, auth headers.

The fixtures `client` and `make_key` are registered in conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from fastapi import FastAPI

from aiprod.auth import create_key
from aiprod.config import Settings
from aiprod.db.engine import make_engine, make_session_factory
from aiprod.web import create_app  # the served app: the API and the studio

PROBLEM = "application/problem+json"
KeyMaker = Callable[..., str]


class ApiClient:
    """A synchronous face on ``httpx.AsyncClient`` over the ASGI transport."""

    def __init__(
        self, app: FastAPI, portal: BlockingPortal, *, raise_app_exceptions: bool = True
    ) -> None:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
        self.portal, self.app = portal, app
        self.client = httpx.AsyncClient(transport=transport, base_url="http://api.test")

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.portal.call(lambda: self.client.get(url, **kwargs))

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.portal.call(lambda: self.client.post(url, **kwargs))

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.portal.call(lambda: self.client.request(method, url, **kwargs))

    def close(self) -> None:
        self.portal.call(self.client.aclose)
        if self.app.state.pg_job_reader is not None:  # its pool lives in the portal's loop
            self.portal.call(self.app.state.pg_job_reader.aclose)


@pytest.fixture
def client(settings: Settings, jobs_db_url: str) -> Iterator[ApiClient]:
    app = create_app(settings, database_url=jobs_db_url)
    with start_blocking_portal() as portal:
        api = ApiClient(app, portal)
        yield api
        api.close()
    app.state.engine.dispose()


@pytest.fixture
def make_key(jobs_db_url: str) -> Iterator[KeyMaker]:
    engine = make_engine(jobs_db_url)
    factory = make_session_factory(engine)

    def make(owner: str = "alice", scopes: tuple[str, ...] = ("jobs:read", "jobs:write")) -> str:
        with factory() as session:
            _, full = create_key(session, name=f"{owner}-key", owner=owner, scopes=scopes)
            session.commit()
        return full

    yield make
    engine.dispose()


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
