# ruff: noqa: F811  (pytest fixtures imported from edge_client, then requested by name)
"""Rate limits per API key and per client IP, in memory and in a real Redis (127.0.0.1:6379).

Each test builds its own app with small limits; every case runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import secrets
import socket
from collections.abc import Callable

import httpx
import pytest
from api_client import PROBLEM, KeyMaker, auth
from edge_client import ClientMaker, make_app, make_client, redis_url  # noqa: F401
from fastapi import FastAPI


def assert_limited(response: httpx.Response, *, limit: int, instance: str) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"] == "urn:aiprod:problem:rate-limited"
    assert body["status"] == 429
    assert body["instance"] == instance
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert response.headers["ratelimit-limit"] == str(limit)
    assert response.headers["ratelimit-remaining"] == "0"
    assert 1 <= int(response.headers["ratelimit-reset"]) <= 60
    assert f"{limit};w=60" in response.headers["ratelimit-policy"]


def test_fourth_read_of_a_key_is_429(make_client: ClientMaker, make_key: KeyMaker) -> None:
    api = make_client(rate_limit_read="3/minute")
    key, other = make_key(), make_key(owner="bob")
    remaining = []
    for _ in range(3):
        response = api.get("/v1/jobs", headers=auth(key))
        assert response.status_code == 200, response.text
        assert response.headers["ratelimit-limit"] == "3"
        assert response.headers["ratelimit-policy"] == "1200;w=60, 3;w=60"  # per IP, per key
        remaining.append(response.headers["ratelimit-remaining"])
    assert remaining == ["2", "1", "0"]
    assert_limited(api.get("/v1/jobs", headers=auth(key)), limit=3, instance="/v1/jobs")
    assert api.get("/v1/jobs", headers=auth(other)).status_code == 200  # each key alone


def test_reads_and_writes_have_their_own_limits(
    make_client: ClientMaker, make_key: KeyMaker
) -> None:
    api = make_client(rate_limit_write="1/minute", rate_limit_read="5/minute")
    key = make_key()
    unknown = "/v1/jobs/0193f2a4c1c05d1e7b3a9f2c4d6e8a10/cancel"
    assert api.post(unknown, headers=auth(key)).status_code == 404  # counted: a write
    assert_limited(api.post(unknown, headers=auth(key)), limit=1, instance=unknown)
    response = api.get("/v1/jobs", headers=auth(key))
    assert response.status_code == 200
    assert response.headers["ratelimit-remaining"] == "4"


def test_per_ip_limit_throttles_key_guessing_before_auth(
    make_app: Callable[..., FastAPI], make_client: ClientMaker
) -> None:
    app = make_app(rate_limit_ip="2/minute")
    api = make_client(app=app, ip="203.0.113.7")
    guesses = [auth(f"aip_{secrets.token_hex(4)}_{'x' * 32}") for _ in range(3)]
    assert [api.get("/v1/jobs", headers=h).status_code for h in guesses[:2]] == [401, 401]
    assert_limited(api.get("/v1/jobs", headers=guesses[2]), limit=2, instance="/v1/jobs")
    neighbour = make_client(app=app, ip="203.0.113.8")
    assert neighbour.get("/v1/jobs", headers=guesses[0]).status_code == 401


def test_health_metrics_and_docs_are_never_limited(make_client: ClientMaker) -> None:
    api = make_client(rate_limit_ip="1/minute")
    for _ in range(3):
        for path in ("/health", "/ready", "/docs", "/redoc", "/openapi.json"):
            response = api.get(path)
            assert response.status_code == 200, (path, response.text)
            assert "ratelimit-limit" not in response.headers
    assert api.get("/metrics").status_code != 429
    assert api.get("/v1/presets").status_code == 401  # the one counted request
    assert api.get("/v1/presets").status_code == 429


def test_forwarded_for_is_believed_from_trusted_proxies_only(
    make_app: Callable[..., FastAPI], make_client: ClientMaker
) -> None:
    app = make_app(rate_limit_ip="1/minute", trusted_proxies="10.0.0.0/8")
    direct = make_client(app=app, ip="198.51.100.1")
    for n in range(2):  # a client cannot pick its own address
        forged = {"X-Forwarded-For": f"192.0.2.{n}"}
        assert direct.get("/v1/presets", headers=forged).status_code == [401, 429][n]
    proxied = make_client(app=app, ip="10.1.2.3")
    for n in range(3):  # behind the proxy, each client has its own count
        forwarded = {"X-Forwarded-For": f"192.0.2.{n}, 10.1.2.3"}
        assert proxied.get("/v1/presets", headers=forwarded).status_code == 401


def test_limits_can_be_turned_off(make_client: ClientMaker) -> None:
    api = make_client(rate_limit_enabled=False, rate_limit_ip="1/minute")
    for _ in range(3):
        response = api.get("/v1/presets")
        assert response.status_code == 401
        assert "ratelimit-limit" not in response.headers


def test_redis_counts_are_shared_by_two_api_instances(
    make_client: ClientMaker, make_key: KeyMaker, redis_url: str
) -> None:
    shared = {
        "rate_limit_storage_url": redis_url,
        "rate_limit_key_prefix": f"aiprod-test-{secrets.token_hex(6)}",
        "rate_limit_read": "3/minute",
    }
    first, second = make_client(**shared), make_client(**shared)
    key = make_key()
    assert first.get("/v1/jobs", headers=auth(key)).headers["ratelimit-remaining"] == "2"
    assert second.get("/v1/jobs", headers=auth(key)).headers["ratelimit-remaining"] == "1"
    assert first.get("/v1/jobs", headers=auth(key)).status_code == 200
    assert_limited(second.get("/v1/jobs", headers=auth(key)), limit=3, instance="/v1/jobs")


def test_a_redis_outage_lets_requests_through(
    make_client: ClientMaker, make_key: KeyMaker, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as unused:  # a loopback port nobody listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    api = make_client(
        rate_limit_storage_url=f"redis://127.0.0.1:{port}/0", rate_limit_read="1/minute"
    )
    key = make_key()
    for _ in range(3):
        response = api.get("/v1/jobs", headers=auth(key))
        assert response.status_code == 200, response.text
        assert "ratelimit-limit" not in response.headers
    assert caplog.text.count("rate limit storage failed") == 1  # not once per request
