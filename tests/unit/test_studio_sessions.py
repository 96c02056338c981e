"""Studio session cookies and CSRF tokens: signed, expiring on the server, tamper-evident."""

from __future__ import annotations

import time
from http.cookies import SimpleCookie

import pytest
from starlette.requests import Request
from starlette.responses import Response

from aiprod.auth import Principal
from aiprod.config import Settings
from aiprod.studio.pages import environment, policy
from aiprod.studio.routes import _safe_next, _stage_states
from aiprod.studio.sessions import (
    PRE_SESSION_COOKIE,
    SESSION_COOKIE,
    CsrfRefused,
    SessionKeeper,
    check_origin,
)

SECRET = b"s" * 32


def request(cookies: dict[str, str] | None = None, **headers: str) -> Request:
    raw = [(name.replace("_", "-").encode(), value.encode()) for name, value in headers.items()]
    if cookies:
        jar = "; ".join(f"{name}={value}" for name, value in cookies.items())
        raw.append((b"cookie", jar.encode()))
    scope = {
        "type": "http",
        "method": "POST",
        "scheme": "http",
        "server": ("127.0.0.1", 8000),
        "path": "/studio",
        "headers": [(b"host", b"127.0.0.1:8000"), *raw],
    }
    return Request(scope)


def set_cookies(response: Response) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in response.raw_headers:
        if name == b"set-cookie":
            parsed = SimpleCookie(value.decode())
            found.update({key: morsel.value for key, morsel in parsed.items()})
    return found


def signed_in(keeper: SessionKeeper, key_id: str = "key-1") -> dict[str, str]:
    response = Response()
    keeper.issue(response, request(), key_id)
    return set_cookies(response)


def test_a_session_cookie_reads_back_and_holds_no_secret() -> None:
    keeper = SessionKeeper(SECRET, ttl_s=600)
    cookies = signed_in(keeper)
    found = keeper.read(request(cookies))
    assert found is not None and found.key_id == "key-1" and found.token_principal is None
    assert cookies[PRE_SESSION_COOKIE] == ""  # the pre-session cookie is dropped
    other = signed_in(keeper)
    assert keeper.read(request(other)) != found  # a fresh session id each time


def test_a_tampered_or_foreign_cookie_is_refused() -> None:
    keeper = SessionKeeper(SECRET, ttl_s=600)
    value = signed_in(keeper)[SESSION_COOKIE]
    payload, _, signature = value.partition(".")
    assert keeper.read(request({SESSION_COOKIE: "x" + value})) is None
    assert keeper.read(request({SESSION_COOKIE: payload + ".AAAA." + signature})) is None
    elsewhere = SessionKeeper(b"t" * 32, ttl_s=600)
    assert elsewhere.read(request({SESSION_COOKIE: value})) is None
    assert keeper.read(request({SESSION_COOKIE: "a" * 2000})) is None
    assert keeper.read(request()) is None


def test_the_server_refuses_a_cookie_older_than_its_lifetime(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keeper = SessionKeeper(SECRET, ttl_s=60)
    cookies = signed_in(keeper)
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 59)
    assert keeper.read(request(cookies)) is not None
    monkeypatch.setattr(time, "time", lambda: now + 62)
    assert keeper.read(request(cookies)) is None  # whatever the browser still sends


def test_csrf_tokens_belong_to_one_purpose_and_one_session() -> None:
    keeper = SessionKeeper(SECRET, ttl_s=600)
    assert keeper.token("session", "a") == keeper.token("session", "a")
    assert keeper.token("session", "a") != keeper.token("session", "b")
    assert keeper.token("session", "a") != keeper.token("signin", "a")


def test_the_sign_in_form_token_matches_its_pre_session_cookie() -> None:
    keeper = SessionKeeper(SECRET, ttl_s=600)
    response = Response()
    token = keeper.signin_token(request(), response)
    cookies = set_cookies(response)
    keeper.check_signin_token(request(cookies), token)
    with pytest.raises(CsrfRefused):
        keeper.check_signin_token(request(cookies), "0" * 64)
    with pytest.raises(CsrfRefused):
        keeper.check_signin_token(request(), token)  # no cookie: no token can match


@pytest.mark.parametrize(
    ("headers", "allowed"),
    [
        ({}, True),
        ({"origin": "http://127.0.0.1:8000"}, True),
        ({"origin": "null"}, True),  # a form posted from our no-referrer page
        ({"sec_fetch_site": "same-origin", "origin": "null"}, True),
        ({"origin": "https://evil.example"}, False),
        ({"origin": "http://127.0.0.1:8001"}, False),
        ({"sec_fetch_site": "cross-site"}, False),
        ({"sec_fetch_site": "same-site", "origin": "null"}, False),
    ],
)
def test_posts_from_another_site_are_refused(headers: dict[str, str], allowed: bool) -> None:
    if allowed:
        check_origin(request(**headers))
    else:
        with pytest.raises(CsrfRefused):
            check_origin(request(**headers))


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/studio/history", "/studio/history"),
        ("/studio/jobs/abc", "/studio/jobs/abc"),
        ("//evil.example/studio", "/studio"),
        ("/studio//evil.example", "/studio"),
        ("https://evil.example/studio", "/studio"),
        ("/studio\\\\evil", "/studio"),
        ("/v1/jobs", "/studio"),
        ("", "/studio"),
    ],
)
def test_after_sign_in_only_a_studio_page(target: str, expected: str) -> None:
    assert _safe_next(target) == expected


def test_the_secret_is_generated_once_in_the_data_dir(tmp_path: object) -> None:
    settings = Settings(data_dir=tmp_path)  # type: ignore[arg-type]
    first = SessionKeeper.from_settings(settings)
    second = SessionKeeper.from_settings(settings)
    assert first.token("session", "x") == second.token("session", "x")
    configured = SessionKeeper.from_settings(
        Settings(data_dir=tmp_path, studio_session_key="k" * 32)  # type: ignore[arg-type]
    )
    assert configured.token("session", "x") != first.token("session", "x")


def test_the_stage_stepper() -> None:
    states = dict(_stage_states("rendering", "compose", planned=True))
    assert states["plan"] == states["visuals"] == "done"
    assert states["compose"] == "current"
    assert states["qa"] == states["deliver"] == "todo"
    assert set(dict(_stage_states("queued", None, planned=False)).values()) == {"todo"}
    assert set(dict(_stage_states("succeeded", "compose", planned=True)).values()) == {"done"}
    planning = dict(_stage_states("planning", "plan", planned=False))
    assert planning["plan"] == "current" and planning["probe"] == "todo"
    review = dict(_stage_states("awaiting_review", "plan", planned=True))
    assert review["plan"] == "current"
    for status, stage in (("queued", "plan"), ("rendering", None), ("queued", None)):
        approved = dict(_stage_states(status, stage, planned=True))
        assert approved["plan"] == "done" and approved["probe"] == "todo", (status, stage)


def test_download_links_ask_for_an_attachment_only_from_our_own_files() -> None:
    download = environment.filters["download"]
    assert download("/v1/files/j/video.mp4?expires=1&signature=s").endswith("&download=1")
    presigned = "https://bucket.example/j/video.mp4?X-Amz-Signature=abc"
    assert download(presigned) == presigned  # extra parameters would break its signature


def test_the_policy_lets_pictures_and_videos_come_from_the_stores_origin_only() -> None:
    own = policy(["/v1/files/j/video.mp4?expires=1&signature=s"])
    assert "media-src 'self';" in own and "img-src 'self' data:;" in own
    s3 = policy(
        [
            "https://bucket.s3.eu-west-1.amazonaws.com/j/video.mp4?X-Amz-Signature=a",
            "https://bucket.s3.eu-west-1.amazonaws.com/j/thumbnail.jpg?X-Amz-Signature=b",
            "http://127.0.0.1:9000/bucket/j/video.mp4?sig=c",
        ]
    )
    origins = "http://127.0.0.1:9000 https://bucket.s3.eu-west-1.amazonaws.com"
    assert f"media-src 'self' {origins};" in s3 and f"img-src 'self' data: {origins};" in s3
    assert "script-src 'self';" in s3  # scripts never
    hostile = policy(["https://evil.example;script-src *", "javascript:alert(1)"])
    assert hostile == policy()


def test_a_token_session_carries_its_principal_until_the_token_expires(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keeper = SessionKeeper(SECRET, ttl_s=3600)
    now = time.time()
    carol = Principal(owner="carol", key_id="jwt:rsa-1", scopes=frozenset({"jobs:read"}))
    response = Response()
    keeper.issue(response, request(), carol.key_id, token=carol, token_expires=int(now) + 90)
    assert "max-age=90" in response.headers["set-cookie"].lower()
    cookies = set_cookies(response)
    found = keeper.read(request(cookies))
    assert found is not None and found.token_principal == carol
    monkeypatch.setattr(time, "time", lambda: now + 91)
    assert keeper.read(request(cookies)) is None  # the token's exp, not the session's TTL
    # a jwt session without the token's principal (a cookie of another shape): refused
    plain = set_cookies_of(keeper, "jwt:rsa-1")
    assert keeper.read(request(plain)) is None


def set_cookies_of(keeper: SessionKeeper, key_id: str) -> dict[str, str]:
    response = Response()
    keeper.issue(response, request(), key_id)
    return set_cookies(response)
