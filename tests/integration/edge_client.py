"""Apps with their own settings, and clients from a chosen address and scheme.

Used by the edge tests (rate limits, security headers, uploads); import the fixtures
``make_app``, ``make_client`` and ``redis_url`` into a test module to use them.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from api_client import ApiClient
from fastapi import FastAPI

from aiprod.api import create_app
from aiprod.config import Settings

REDIS_URL = "redis://127.0.0.1:6379/0"
ClientMaker = Callable[..., ApiClient]


def open_client(
    app: FastAPI, portal: BlockingPortal, ip: str = "127.0.0.1", scheme: str = "http"
) -> ApiClient:
    """An API client whose requests come from socket peer ``ip`` over ``scheme``."""
    api = ApiClient(app, portal)
    transport = httpx.ASGITransport(app=app, client=(ip, 50123))
    api.client = httpx.AsyncClient(transport=transport, base_url=f"{scheme}://api.test")
    return api


@pytest.fixture
def make_app(tmp_path: Path, jobs_db_url: str) -> Iterator[Callable[..., FastAPI]]:
    """``make_app(**settings)``: an app over the test database with these settings."""
    apps: list[FastAPI] = []

    def make(**overrides: Any) -> FastAPI:
        settings = Settings(data_dir=tmp_path / "data", **overrides)
        apps.append(create_app(settings, database_url=jobs_db_url))
        return apps[-1]

    yield make
    for app in apps:
        app.state.engine.dispose()


@pytest.fixture
def make_client(make_app: Callable[..., FastAPI]) -> Iterator[ClientMaker]:
    """``make_client(ip=..., **settings)``: a client of a new app (or of ``app=``)."""
    clients: dict[int, tuple[ApiClient, FastAPI]] = {}
    with start_blocking_portal() as portal:

        def make(
            *,
            ip: str = "127.0.0.1",
            scheme: str = "http",
            app: FastAPI | None = None,
            **settings: Any,
        ) -> ApiClient:
            app = app or make_app(**settings)
            api = open_client(app, portal, ip, scheme)
            clients[id(api)] = (api, app)
            return api

        yield make
        for api, _ in clients.values():
            api.close()
        for app in {id(app): app for _, app in clients.values()}.values():
            if app.state.rate_limiter is not None:  # its Redis connections: in their loop
                portal.call(app.state.rate_limiter.aclose)


@pytest.fixture
def redis_url() -> str:
    """The real Redis of ``make services``; skipped when absent, except in CI."""
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=2).close()
    except OSError as error:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required in CI and unreachable: {error}")
        pytest.skip(f"Redis unreachable: {error}")
    return REDIS_URL
