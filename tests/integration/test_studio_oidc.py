"""The studio's OIDC redirect sign-in (authorization code flow with PKCE, state and nonce)
against a local OpenID Connect provider (tests/integration/oidc_provider.py), on SQLite and
PostgreSQL: the ID token is verified like bearer JWTs and becomes the same session cookie;
a state mismatch, a bad nonce, an expired token, a refusal at the provider and a callback
in another browser are each explained on the sign-in page."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from api_client import ApiClient
from oidc_provider import OidcProvider
from test_auth_jwt import Keys, keys
from test_studio import assert_safe_page, submit
from test_studio_jwt import signed_in_owner

from aiprod.config import Settings

FIXTURES = (keys,)
CLIENT_ID = "aiprod-studio"
SECRET = "studio-client-secret-0123456789"
CALLBACK = "http://api.test/studio/oidc/callback"


@pytest.fixture
def provider(keys: Keys) -> Iterator[OidcProvider]:
    idp = OidcProvider(CLIENT_ID, CALLBACK, keys.rsa, client_secret=SECRET)
    yield idp
    idp.close()


@pytest.fixture
def settings(tmp_path: Path, provider: OidcProvider) -> Settings:
    """JWT auth trusting the provider (bearer tokens for the API audience) and the studio
    registered there as a confidential client."""
    return Settings(
        data_dir=tmp_path / "data",
        jwt_issuer=provider.issuer,
        jwt_audience="aiprod-api",
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=SECRET,
        oidc_redirect_url=CALLBACK,
    )


def at_provider(client: ApiClient, next_path: str = "/studio") -> tuple[str, dict[str, str]]:
    """Start a sign-in: the studio's redirect, followed to the provider; returns the
    callback's path and query as the provider sends the browser back."""
    started = client.get("/studio/oidc/start", params={"next": next_path})
    assert started.status_code == 303, started.text
    cookie = started.headers["set-cookie"]
    assert (
        "aiprod_studio_oidc=" in cookie and "HttpOnly" in cookie and "Path=/studio/oidc" in cookie
    )
    back = httpx.get(started.headers["location"], follow_redirects=False)
    assert back.status_code == 302, back.text
    url = urlparse(back.headers["location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == CALLBACK
    return url.path, {k: v[0] for k, v in parse_qs(url.query).items()}


def test_the_redirect_sign_in_gives_the_session_cookie(
    client: ApiClient, provider: OidcProvider
) -> None:
    page = client.get("/studio/sign-in?next=/studio/history")
    assert_safe_page(page)
    assert 'href="/studio/oidc/start?next=/studio/history"' in page.text
    assert f"Sign in with {provider.issuer}" in page.text
    started = client.get("/studio/oidc/start", params={"next": "/studio/history"})
    asked = {k: v[0] for k, v in parse_qs(urlparse(started.headers["location"]).query).items()}
    assert started.headers["location"].startswith(f"{provider.issuer}/authorize?")
    assert (asked["response_type"], asked["client_id"], asked["redirect_uri"]) == (
        "code",
        CLIENT_ID,
        CALLBACK,
    )
    assert asked["code_challenge_method"] == "S256" and "openid" in asked["scope"].split()
    assert len(asked["state"]) >= 32 and len(asked["nonce"]) >= 32
    assert asked["state"] not in started.headers["set-cookie"]  # signed, not readable as is
    path, query = at_provider(client, "/studio/history")
    signed = client.get(path, params=query)
    assert signed.status_code == 303, signed.text
    assert signed.headers["location"] == "/studio/history"
    cookies = [v for k, v in signed.headers.multi_items() if k == "set-cookie"]
    session = next(c for c in cookies if c.startswith("aiprod_studio="))
    assert "HttpOnly" in session and "SameSite=lax" in session
    assert any(c.startswith('aiprod_studio_oidc=""') for c in cookies)  # the flow is over
    max_age = int(session.lower().split("max-age=")[1].split(";")[0])
    assert 250 <= max_age <= 300  # the session ends with the ID token
    token_call = provider.token_requests[-1]
    assert len(token_call["code_verifier"]) >= 43 and token_call["client_id"] == CLIENT_ID
    assert (provider.token_auth[-1] or "").startswith("Basic ")  # a confidential client
    assert signed_in_owner(client) == "frank@example.com"
    assert submit(client, "A 15-second ad for Bean There coffee").status_code == 303
    # the same code cannot be used twice (the provider forgets it): explained, not a trace
    again = client.get(path, params=query)
    assert again.status_code == 400 and "did not start in this browser" in again.text


@pytest.mark.parametrize("case", ["state mismatch", "bad nonce", "expired", "denied", "replayed"])
def test_a_failed_redirect_sign_in_is_explained(
    client: ApiClient, provider: OidcProvider, case: str
) -> None:
    now = int(time.time())
    if case == "bad nonce":
        provider.claims = {"nonce": "not-the-one-we-sent"}
    elif case == "expired":
        provider.claims = {"iat": now - 900, "exp": now - 600}
    elif case == "denied":
        provider.authorize_error = "access_denied"
    path, query = at_provider(client)
    if case == "state mismatch":
        query["state"] = query["state"][::-1]
    if case == "replayed":  # the answer of another browser's sign-in
        client.client.cookies.clear()
    refused = client.get(path, params=query)
    expected = {
        "state mismatch": (400, "does not match this browser&#39;s sign-in (state mismatch)"),
        "bad nonce": (401, "the ID token was not made for this sign-in (its nonce does not match)"),
        "expired": (401, "the identity provider&#39;s ID token was not accepted (expired)"),
        "denied": (401, "The identity provider did not sign you in (access_denied)."),
        "replayed": (400, "did not start in this browser"),
    }[case]
    assert refused.status_code == expected[0], refused.text
    assert expected[1] in refused.text
    assert_safe_page(refused)
    assert "Traceback" not in refused.text
    assert "aiprod_studio=" not in refused.headers.get("set-cookie", "")
    assert signed_in_owner(client) is None
    if case == "state mismatch":
        assert provider.token_requests == []  # the code was never exchanged


def test_a_public_client_signs_in_with_pkce_alone(
    client: ApiClient, provider: OidcProvider, settings: Settings
) -> None:
    client.app.state.settings = settings.model_copy(update={"oidc_client_secret": None})
    provider.client_secret = None
    path, query = at_provider(client)
    assert client.get(path, params=query).status_code == 303
    assert provider.token_auth == [None]  # no client secret sent
    assert signed_in_owner(client) == "frank@example.com"


def test_off_without_a_client_id(client: ApiClient, settings: Settings) -> None:
    client.app.state.settings = settings.model_copy(
        update={"oidc_client_id": None, "oidc_redirect_url": None}
    )
    assert "oidc/start" not in client.get("/studio/sign-in").text
    assert client.get("/studio/oidc/start").status_code == 404
    with pytest.raises(ValueError, match="needs both oidc_client_id and oidc_redirect_url"):
        Settings(oidc_client_id=CLIENT_ID)
