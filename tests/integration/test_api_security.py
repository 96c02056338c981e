# ruff: noqa: F811  (pytest fixtures imported from edge_client, then requested by name)
"""Edge hardening: security headers, HSTS behind trusted proxies only, the docs pages' CSP,
the CORS allow-list, secrets from files and never in the logs. SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from api_client import PROBLEM, KeyMaker, auth
from edge_client import ClientMaker, make_app, make_client  # noqa: F401
from fastapi import FastAPI

from aiprod.config import Settings

ORIGIN = "https://studio.example.com"


class InlineScripts(HTMLParser):
    """The texts of a page's inline ``<script>`` elements, and its script URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.inline: list[str] = []
        self.sources: list[str] = []
        self._open: bool = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            src = dict(attrs).get("src")
            self._open = src is None
            if src is not None:
                self.sources.append(src)
            else:
                self.inline.append("")

    def handle_data(self, data: str) -> None:
        if self._open:
            self.inline[-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._open = False


def csp_directives(policy: str) -> dict[str, list[str]]:
    pairs = (part.strip().split() for part in policy.split(";") if part.strip())
    return {words[0]: words[1:] for words in pairs}


def test_every_response_carries_the_security_headers(
    make_client: ClientMaker, make_key: KeyMaker
) -> None:
    api = make_client()
    responses = [
        api.get("/health"),
        api.get("/v1/jobs"),  # 401 problem
        api.get("/v1/jobs", headers=auth(make_key())),
        api.get("/no/such/route"),
        api.post("/v1/jobs", content=b"x" * (2 * 1024 * 1024), headers=auth(make_key())),
    ]
    assert [r.status_code for r in responses] == [200, 401, 200, 404, 413]
    for response in responses:
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "strict-transport-security" not in response.headers  # plain HTTP
        assert "content-security-policy" not in response.headers  # JSON, not a page


def test_hsts_only_over_tls(make_app: Callable[..., FastAPI], make_client: ClientMaker) -> None:
    app = make_app(trusted_proxies="10.0.0.1")
    over_tls = make_client(app=app, scheme="https")
    hsts = over_tls.get("/health").headers["strict-transport-security"]
    assert hsts == "max-age=63072000; includeSubDomains"
    proxy = make_client(app=app, ip="10.0.0.1")
    stranger = make_client(app=app, ip="192.0.2.50")
    https = {"X-Forwarded-Proto": "https"}
    assert proxy.get("/health", headers=https).headers["strict-transport-security"] == hsts
    assert "strict-transport-security" not in proxy.get("/health").headers
    assert "strict-transport-security" not in stranger.get("/health", headers=https).headers


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/docs/oauth2-redirect"])
def test_docs_pages_allow_exactly_their_own_scripts(make_client: ClientMaker, path: str) -> None:
    response = make_client().get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = csp_directives(response.headers["content-security-policy"])
    page = InlineScripts()
    page.feed(response.text)
    wanted = {
        "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"
        for text in page.inline
    }
    assert set(policy["script-src"]) == {"'self'", *wanted}
    assert "'unsafe-inline'" not in policy["script-src"]
    assert all(src.startswith("/docs/static/") for src in page.sources)  # same origin
    assert policy["default-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["connect-src"] == ["'self'"]  # the OpenAPI document
    if path == "/docs":
        assert len(wanted) == 1  # Swagger UI's start-up script


def test_swagger_ui_assets_are_served_without_a_csp(make_client: ClientMaker) -> None:
    response = make_client().get("/docs/static/swagger-ui-bundle.js")
    assert response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in response.headers


def test_cors_preflight_for_listed_origins_only(make_client: ClientMaker) -> None:
    api = make_client(cors_origins=f"{ORIGIN} https://other.example.com")
    ask = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization",
    }
    allowed = api.request("OPTIONS", "/v1/jobs", headers={"Origin": ORIGIN, **ask})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    assert "POST" in allowed.headers["access-control-allow-methods"]
    refused = api.request("OPTIONS", "/v1/jobs", headers={"Origin": "https://evil.test", **ask})
    assert refused.status_code == 403
    assert refused.headers["content-type"] == PROBLEM
    assert refused.json()["type"] == "urn:aiprod:problem:origin-not-allowed"
    assert "access-control-allow-origin" not in refused.headers


def test_cors_responses_expose_our_headers(make_client: ClientMaker, make_key: KeyMaker) -> None:
    api = make_client(cors_origins=ORIGIN)
    response = api.get("/v1/jobs", headers={"Origin": ORIGIN, **auth(make_key())})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ORIGIN
    exposed = {
        h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")
    }
    assert {"location", "x-request-id", "etag", "retry-after", "ratelimit-remaining"} <= exposed
    foreign = api.get("/v1/jobs", headers={"Origin": "https://evil.test"})
    assert "access-control-allow-origin" not in foreign.headers


def test_no_cors_unless_configured(make_client: ClientMaker) -> None:
    api = make_client()
    response = api.get("/health", headers={"Origin": ORIGIN})
    assert "access-control-allow-origin" not in response.headers
    ask = {"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}
    preflight = api.request("OPTIONS", "/v1/jobs", headers=ask)
    assert preflight.status_code == 405
    assert preflight.headers["content-type"] == PROBLEM


def test_secrets_from_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    key_file, dsn_file = tmp_path / "signing-key", tmp_path / "database-url"
    key_file.write_text("k" * 40 + "\n")
    dsn_file.write_text("postgresql+psycopg://aiprod:s3cret@db:5432/aiprod")
    monkeypatch.setenv("AIPROD_URL_SIGNING_KEY_FILE", str(key_file))
    monkeypatch.setenv("AIPROD_DATABASE_URL_FILE", str(dsn_file))
    settings = Settings()
    assert settings.url_signing_key is not None
    assert settings.url_signing_key.get_secret_value() == "k" * 40  # the newline dropped
    assert settings.database_url == "postgresql+psycopg://aiprod:s3cret@db:5432/aiprod"
    assert "k" * 40 not in repr(settings)
    monkeypatch.setenv("AIPROD_DATABASE_URL", "sqlite:///direct.db")  # the variable wins
    assert Settings().database_url == "sqlite:///direct.db"


def test_unreadable_or_invalid_secret_files_are_refused_without_echo(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AIPROD_URL_SIGNING_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ValueError, match=r"AIPROD_URL_SIGNING_KEY_FILE: cannot read .*missing"):
        Settings()
    short = tmp_path / "short"
    short.write_text("hunter2")
    monkeypatch.setenv("AIPROD_URL_SIGNING_KEY_FILE", str(short))
    with pytest.raises(ValueError, match="url_signing_key") as refused:
        Settings()
    assert "hunter2" not in str(refused.value)


def test_keys_and_authorization_headers_never_reach_the_logs(
    make_client: ClientMaker, make_key: KeyMaker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    api = make_client(rate_limit_read="1/minute")
    key = make_key()
    secret = key.rsplit("_", 1)[-1]
    statuses = [api.get("/v1/jobs", headers=auth(key)).status_code for _ in range(2)]
    statuses.append(api.get("/v1/jobs", headers=auth(key + "x")).status_code)
    assert statuses == [200, 429, 401]
    assert caplog.records  # something was logged (SQL, auth), just never the key
    assert secret not in caplog.text
    assert "Bearer" not in caplog.text
