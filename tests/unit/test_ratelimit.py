"""Pure parts of the rate limiter: whom a request counts against, and its headers."""

from __future__ import annotations

import pytest
from limits import parse
from pydantic import ValidationError

from aiprod.api.ratelimit import (
    LimitState,
    client_identity,
    is_exempt,
    principal_identity,
    rate_limit_headers,
)
from aiprod.auth import Principal
from aiprod.config import Settings


@pytest.mark.parametrize(
    ("peer", "identity"),
    [
        ("192.0.2.10", "192.0.2.10"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),  # a host holds its whole /64
        ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.10", "192.0.2.10"),
        ("not-an-ip", "not-an-ip"),
    ],
)
def test_client_identity(peer: str, identity: str) -> None:
    assert client_identity({"type": "http", "client": (peer, 1234)}) == identity


def test_a_scope_without_client_counts_as_unknown() -> None:
    assert client_identity({"type": "http"}) == "unknown"


def test_keys_count_by_id_and_jwts_by_owner() -> None:
    scopes = frozenset({"jobs:read"})
    assert principal_identity(Principal("alice", "K1", scopes)) == "key:K1"
    # every token signed by one issuer key shares the key id: count the owner instead
    assert principal_identity(Principal("bob", "jwt:kid-1", scopes)) == "owner:bob"
    assert principal_identity(Principal("carol", "jwt:kid-1", scopes)) == "owner:carol"


def test_headers_describe_the_limit_nearest_exhaustion() -> None:
    counted = [
        LimitState(parse("1200/minute"), remaining=1100, reset_after_s=40),
        LimitState(parse("10/second"), remaining=3, reset_after_s=1),
        LimitState(parse("600/hour"), remaining=3, reset_after_s=1800),
    ]
    assert dict(rate_limit_headers(counted)) == {
        b"ratelimit-limit": b"600",  # tie on remaining: the one that lasts longer
        b"ratelimit-remaining": b"3",
        b"ratelimit-reset": b"1800",
        b"ratelimit-policy": b"1200;w=60, 10;w=1, 600;w=3600",
    }


@pytest.mark.parametrize(
    ("path", "exempt"),
    [
        ("/health", True),
        ("/ready", True),
        ("/metrics", True),
        ("/docs", True),
        ("/docs/static/swagger-ui.css", True),
        ("/openapi.json", True),
        ("/v1/jobs", False),
        ("/healthz", False),
        ("/docsx", False),
        ("/v1/files/x/video.mp4", False),
    ],
)
def test_exempt_paths(path: str, exempt: bool) -> None:
    assert is_exempt(path) is exempt


@pytest.mark.parametrize(
    "overrides",
    [
        {"rate_limit_ip": "lots"},
        {"rate_limit_write": "10 per fortnight"},
        {"rate_limit_storage_url": "http://127.0.0.1:6379"},
    ],
)
def test_bad_limit_settings_are_refused(overrides: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        Settings(**overrides)  # type: ignore[arg-type]


def test_several_limits_and_lists_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIPROD_RATE_LIMIT_READ", "10/second;600/minute")
    monkeypatch.setenv("AIPROD_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.1")
    settings = Settings()
    assert settings.rate_limit_read == "10/second;600/minute"
    assert settings.trusted_proxies == ["10.0.0.0/8", "192.0.2.1"]
