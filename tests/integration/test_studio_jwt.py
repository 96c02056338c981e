"""Signing in to the studio with a token of the configured issuer (an OIDC ID token),
verified against its JWKS on a loopback server like the API verifies bearer JWTs; the
session carries the token's principal and ends with the token."""

from __future__ import annotations

import time
from typing import Any

import pytest
from api_client import ApiClient, KeyMaker
from itsdangerous import URLSafeTimedSerializer
from test_auth_jwt import JwksServer, Keys, jwks, jwt_config, keys, mint, settings, tampered
from test_studio import assert_safe_page, csrf_of, sign_in, submit

FIXTURES = (jwks, jwt_config, keys, settings)  # pytest finds them in this module


def signed_in_owner(client: ApiClient) -> str | None:
    page = client.get("/studio")
    if page.status_code != 200:
        return None
    found = page.text.split('<span class="who">(', 1)
    return found[1].split(")", 1)[0] if len(found) == 2 else None


def test_the_sign_in_page_offers_the_issuer(client: ApiClient, jwks: JwksServer) -> None:
    page = client.get("/studio/sign-in")
    assert_safe_page(page)
    assert f"a sign-in token (an ID token) from {jwks.base_url}" in page.text
    assert "API key or sign-in token" in page.text


def test_a_token_of_the_issuer_signs_in_until_it_expires(
    client: ApiClient, jwks: JwksServer, keys: Keys
) -> None:
    expires = int(time.time()) + 120
    token = mint(keys.rsa, jwks.base_url, sub="carol@example.com", exp=expires)
    signed = sign_in(client, token)
    assert signed.status_code == 303, signed.text
    cookie = next(
        v for k, v in signed.headers.multi_items() if k == "set-cookie" and "aiprod_studio=" in v
    )
    max_age = int(cookie.lower().split("max-age=")[1].split(";")[0])
    assert 100 <= max_age <= 120  # the session ends with the token
    assert token.split(".")[2] not in cookie  # the token itself is not kept
    assert signed_in_owner(client) == "carol@example.com"
    made = submit(client, "A 15-second ad for Bean There coffee")
    assert made.status_code == 303, made.text  # default scopes: read and write
    history = client.get("/studio/history")
    assert "Bean There" in history.text
    # past the token's exp, the cookie is refused whatever the browser keeps
    raw = client.client.cookies.get("aiprod_studio")
    assert raw is not None
    serializer = URLSafeTimedSerializer(
        client.app.state.studio_sessions._secret, salt="aiprod.studio.session"
    )
    data: dict[str, Any] = serializer.loads(raw)
    client.client.cookies.set(
        "aiprod_studio", serializer.dumps({**data, "x": int(time.time()) - 1})
    )
    assert client.get("/studio").status_code == 303


@pytest.mark.parametrize("kind", ["tampered", "wrong audience", "expired", "impostor"])
def test_a_bad_token_is_explained(
    client: ApiClient, jwks: JwksServer, keys: Keys, kind: str
) -> None:
    token = {
        "tampered": lambda: tampered(mint(keys.rsa, jwks.base_url)),
        "wrong audience": lambda: mint(keys.rsa, jwks.base_url, aud="someone-else"),
        "expired": lambda: mint(keys.rsa, jwks.base_url, exp=int(time.time()) - 600),
        "impostor": lambda: mint(keys.impostor, jwks.base_url),
    }[kind]()
    refused = sign_in(client, token)
    assert refused.status_code == 401
    assert "That sign-in token was not accepted" in refused.text
    assert "aiprod_studio=" not in refused.headers.get("set-cookie", "")


def test_a_read_only_token_cannot_make_videos(
    client: ApiClient, jwks: JwksServer, keys: Keys
) -> None:
    token = mint(keys.ec, jwks.base_url, sub="dave", scope="jobs:read")
    assert sign_in(client, token).status_code == 303
    page = client.get("/studio")
    assert "it lacks the 'jobs:write' scope" in page.text
    assert submit(client, "A coffee ad").status_code == 403
    none = mint(keys.ec, jwks.base_url, sub="erin", scope="admin:nothing")
    refused = sign_in(client, none)
    assert refused.status_code in (401, 403)


def test_api_keys_still_sign_in_beside_tokens(client: ApiClient, make_key: KeyMaker) -> None:
    assert sign_in(client, make_key("alice")).status_code == 303
    assert signed_in_owner(client) == "alice"
    form = client.get("/studio/sign-in")
    assert csrf_of(form)
