"""Bearer-JWT pieces without a network: claims to scopes, token shape, settings."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from aiprod.auth import ADMIN, JOBS_READ, JOBS_WRITE, InvalidScopes
from aiprod.auth.tokens import (
    TokenRejected,
    TokenVerifier,
    claim_value,
    looks_like_jwt,
    scopes_from_claims,
)
from aiprod.config import Settings

DEFAULTS = (JOBS_READ, JOBS_WRITE)


def scopes(claims: dict[str, Any], **options: Any) -> frozenset[str]:
    return scopes_from_claims(
        claims, scopes_claim=options.pop("scopes_claim", None), default_scopes=DEFAULTS, **options
    )


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"scope": "jobs:read openid"}, {JOBS_READ}),
        ({"scp": ["jobs:write", "User.Read"]}, {JOBS_WRITE}),
        ({"scp": "jobs:read jobs:write"}, {JOBS_READ, JOBS_WRITE}),  # Azure AD: a string
        ({"permissions": ["jobs:read", "admin"]}, {JOBS_READ, ADMIN}),  # Auth0 RBAC
        ({"scope": "jobs:read", "permissions": ["jobs:write"]}, {JOBS_READ, JOBS_WRITE}),
        ({"scope": "openid profile"}, set()),  # a scope claim without ours: nothing
        ({"scope": ""}, set()),
        ({"scope": 42}, set()),  # a malformed claim is present but grants nothing
        ({"permissions": ["jobs:read", 7, None]}, {JOBS_READ}),
        ({}, set(DEFAULTS)),  # no scope claim at all: the defaults
        ({"scope": None}, set(DEFAULTS)),
    ],
)
def test_scopes_from_the_standard_claims(claims: dict[str, Any], expected: set[str]) -> None:
    assert scopes(claims) == expected


def test_a_configured_scope_claim_replaces_the_standard_ones() -> None:
    claims = {"scope": "jobs:write", "realm_access": {"roles": ["jobs:read", "offline"]}}
    assert scopes(claims, scopes_claim="realm_access.roles") == {JOBS_READ}
    assert scopes({"scope": "jobs:write"}, scopes_claim="roles") == set(DEFAULTS)


@pytest.mark.parametrize(
    ("value", "admin_value", "is_admin"),
    [
        (True, "true", True),
        (False, "true", False),
        ("true", "true", True),
        ("yes", "true", False),
        (["staff", "admin"], "admin", True),
        (["staff"], "admin", False),
        (1, "1", True),
        ({"admin": True}, "true", False),
        (None, "true", False),
    ],
)
def test_the_admin_claim(value: Any, admin_value: str, is_admin: bool) -> None:
    claims = {"roles": value}
    granted = scopes(claims, admin_claim="roles", admin_value=admin_value)
    assert (ADMIN in granted) is is_admin
    assert set(DEFAULTS) <= granted  # the admin claim is not a scope claim


def test_no_admin_claim_configured_ignores_admin_claims() -> None:
    assert ADMIN not in scopes({"admin": True})


def test_claim_value_prefers_exact_names_then_walks_dots() -> None:
    claims = {"https://example.com/roles": ["a"], "realm_access": {"roles": ["b"]}, "a.b": 1}
    assert claim_value(claims, "https://example.com/roles") == ["a"]
    assert claim_value(claims, "realm_access.roles") == ["b"]
    assert claim_value(claims, "a.b") == 1
    assert claim_value(claims, "realm_access.missing") is None
    assert claim_value(claims, "a.b.c") is None


@pytest.mark.parametrize(
    ("presented", "is_jwt"),
    [
        ("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl", True),
        ("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.", True),  # alg none: shaped like a JWT
        ("aip_ABCDEFGH_" + "x" * 32, False),
        ("a.b", False),
        ("a.b.c.d.e", False),  # JWE compact form: not accepted
        ("a b.c.d", False),
        ("", False),
    ],
)
def test_jwt_shape(presented: str, is_jwt: bool) -> None:
    assert looks_like_jwt(presented) is is_jwt


@pytest.mark.parametrize("algorithms", [["HS256"], ["RS256", "none"], "RS256,HS512", []])
def test_symmetric_or_no_algorithms_are_refused(algorithms: Any) -> None:
    with pytest.raises(ValidationError):
        Settings(jwt_algorithms=algorithms)


def test_algorithms_and_default_scopes_accept_words() -> None:
    settings = Settings(jwt_algorithms="RS256, ES384", jwt_default_scopes="jobs:read")
    assert (settings.jwt_algorithms, settings.jwt_default_scopes) == (
        ["RS256", "ES384"],
        ["jobs:read"],
    )


@pytest.mark.parametrize(
    "config",
    [
        {"jwt_issuer": "https://issuer.example"},
        {"jwt_audience": "aiprod"},
        {"jwt_jwks_url": "https://issuer.example/jwks"},
        {"jwt_issuer": "issuer.example", "jwt_audience": "aiprod"},
        {"jwt_issuer": "https://i.example", "jwt_audience": "a", "jwt_jwks_url": "file:///etc/x"},
    ],
)
def test_incomplete_or_odd_jwt_settings_are_refused(config: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        Settings(**config)


def test_unknown_default_scopes_are_refused() -> None:
    with pytest.raises(InvalidScopes):
        TokenVerifier(Settings(jwt_default_scopes=["jobs:read", "jobs:delete"]))


def test_a_verifier_without_settings_rejects_every_token() -> None:
    verifier = TokenVerifier(Settings())
    assert not verifier.enabled
    with pytest.raises(TokenRejected) as rejected:
        verifier.verify("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln")
    assert rejected.value.reason == "jwt_disabled"
