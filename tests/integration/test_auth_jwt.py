"""Bearer JWTs through the API, against a real JWKS served over HTTP on loopback.

Keys are generated here (RSA and EC), tokens minted with PyJWT; every case runs on SQLite
and on the real PostgreSQL.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from api_client import PROBLEM, ApiClient, KeyMaker, auth
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from sqlalchemy import select

from aiprod.auth import AuditEvent
from aiprod.config import Settings
from aiprod.db.engine import make_engine, make_session_factory

AUDIENCE = "aiprod-test"
BRIEF = {"brief": "A 20-second ad for organic coffee"}
INVALID_TOKEN = 'Bearer error="invalid_token"'

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class SigningKey:
    kid: str
    alg: str
    private: PrivateKey

    def jwk(self) -> dict[str, Any]:
        public = self.private.public_key()
        if isinstance(public, rsa.RSAPublicKey):
            jwk = RSAAlgorithm.to_jwk(public, as_dict=True)
        else:
            jwk = ECAlgorithm.to_jwk(public, as_dict=True)
        return {**jwk, "kid": self.kid, "alg": self.alg, "use": "sig"}

    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


@dataclass(frozen=True)
class Keys:
    rsa: SigningKey
    ec: SigningKey
    rotated: SigningKey
    impostor: SigningKey  # not published; claims the kid of `rsa`


@pytest.fixture(scope="module")
def keys() -> Keys:
    def rsa_key() -> rsa.RSAPrivateKey:
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)

    return Keys(
        rsa=SigningKey("rsa-1", "RS256", rsa_key()),
        ec=SigningKey("ec-1", "ES256", ec.generate_private_key(ec.SECP256R1())),
        rotated=SigningKey("rsa-2", "RS256", rsa_key()),
        impostor=SigningKey("rsa-1", "RS256", rsa_key()),
    )


class JwksServer:
    """A JWKS endpoint and an OIDC discovery document on 127.0.0.1, counting requests."""

    def __init__(self) -> None:
        self.keys: list[dict[str, Any]] = []
        self.hits: Counter[str] = Counter()
        self.broken = False
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.jwks_url = f"{self.base_url}/jwks.json"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits[self.path] += 1
                document = server.document(self.path)
                if document is None:
                    self.send_error(404 if not server.broken else 500)
                    return
                body = json.dumps(document).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def document(self, path: str) -> dict[str, Any] | None:
        if self.broken:
            return None
        if path == "/jwks.json":
            return {"keys": self.keys}
        if path == "/.well-known/openid-configuration":
            return {"issuer": self.base_url, "jwks_uri": self.jwks_url}
        return None

    def publish(self, *keys: SigningKey) -> None:
        self.keys = [key.jwk() for key in keys]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def jwks(keys: Keys) -> Iterator[JwksServer]:
    server = JwksServer()
    server.publish(keys.rsa, keys.ec)
    yield server
    server.close()


@pytest.fixture
def jwt_config() -> dict[str, Any]:
    """The JWT settings of the app under test; tests parametrize it to change them."""
    return {}


@pytest.fixture
def settings(tmp_path: Path, jwks: JwksServer, jwt_config: dict[str, Any]) -> Settings:
    """Overrides the suite's settings: JWT auth on, trusting the loopback JWKS."""
    config = {
        "jwt_issuer": jwks.base_url,
        "jwt_audience": AUDIENCE,
        "jwt_jwks_url": jwks.jwks_url,
        "jwt_admin_claim": "admin",
        **jwt_config,
    }
    return Settings(data_dir=tmp_path / "data", **config)


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def claims(issuer: str, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {"iss": issuer, "aud": AUDIENCE, "sub": "alice", "iat": now, "exp": now + 300}
    merged = {**base, **overrides}
    return {name: value for name, value in merged.items() if value is not None}


def mint(key: SigningKey, issuer: str, **overrides: Any) -> str:
    return jwt.encode(
        claims(issuer, **overrides), key.private, algorithm=key.alg, headers={"kid": key.kid}
    )


def unsigned(header: dict[str, Any], payload: dict[str, Any], secret: bytes | None) -> str:
    """A token with an arbitrary header, HMAC-signed with ``secret`` (or unsigned)."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    if secret is None:
        return signing_input + "."
    digest = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(digest)}"


def tampered(token: str) -> str:
    """The token with its payload's subject changed and the signature kept."""
    header, payload, signature = token.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body["sub"] = "mallory"
    return f"{header}.{b64(json.dumps(body).encode())}.{signature}"


def audit_rows(jobs_db_url: str, request_id: str) -> list[AuditEvent]:
    engine = make_engine(jobs_db_url)
    with make_session_factory(engine)() as session:
        rows = list(session.scalars(select(AuditEvent).where(AuditEvent.request_id == request_id)))
    engine.dispose()
    return rows


def test_a_valid_token_creates_and_reads_its_own_job(
    client: ApiClient, jwks: JwksServer, keys: Keys, jobs_db_url: str
) -> None:
    token = mint(keys.rsa, jwks.base_url)
    created = client.post("/v1/jobs", json=BRIEF, headers=auth(token))
    assert created.status_code == 202, created.text
    job_url = created.headers["location"]
    same_subject_ec = mint(keys.ec, jwks.base_url)
    read = client.get(job_url, headers=auth(same_subject_ec))
    assert read.status_code == 200, read.text
    assert [job["id"] for job in client.get("/v1/jobs", headers=auth(token)).json()["items"]] == [
        created.json()["id"]
    ]
    (row,) = audit_rows(jobs_db_url, created.headers["x-request-id"])
    assert (row.action, row.actor, row.detail) == (
        "job.created",
        "alice",
        {"kind": "brief", "key_id": "jwt:rsa-1"},
    )
    assert jwks.hits["/jwks.json"] == 1  # the key set is cached


def test_others_get_404_and_admins_see_all(client: ApiClient, jwks: JwksServer, keys: Keys) -> None:
    created = client.post("/v1/jobs", json=BRIEF, headers=auth(mint(keys.rsa, jwks.base_url)))
    job_url = created.headers["location"]
    bob = mint(keys.rsa, jwks.base_url, sub="bob")
    assert client.get(job_url, headers=auth(bob)).status_code == 404
    assert client.get("/v1/jobs", headers=auth(bob)).json()["items"] == []
    admins = [
        mint(keys.ec, jwks.base_url, sub="root", admin=True),  # Firebase custom claim
        mint(keys.rsa, jwks.base_url, sub="ops", scope="admin"),
    ]
    for admin in admins:
        assert client.get(job_url, headers=auth(admin)).status_code == 200
        listed = client.get("/v1/jobs", headers=auth(admin)).json()["items"]
        assert [job["id"] for job in listed] == [created.json()["id"]]
    for not_admin in (False, "no", ["staff"]):
        token = mint(keys.rsa, jwks.base_url, sub="eve", admin=not_admin)
        assert client.get(job_url, headers=auth(token)).status_code == 404


def test_scopes_come_from_the_token(client: ApiClient, jwks: JwksServer, keys: Keys) -> None:
    def status(method: str, url: str, **claims_: Any) -> int:
        token = mint(keys.rsa, jwks.base_url, **claims_)
        body = BRIEF if method == "POST" else None
        return client.request(method, url, json=body, headers=auth(token)).status_code

    assert status("POST", "/v1/jobs", scope="openid jobs:read") == 403
    assert status("GET", "/v1/jobs", scope="openid jobs:read") == 200
    assert status("POST", "/v1/jobs", permissions=["jobs:write", "billing:x"]) == 202
    # a scope claim naming nothing of ours grants nothing (no fallback to the defaults)
    assert status("GET", "/v1/jobs", scope="openid profile email") == 403
    # no scope claim at all (a Firebase ID token): the default scopes
    assert status("POST", "/v1/jobs") == 202


def invalid_cases(keys: Keys, issuer: str) -> dict[str, tuple[str, str]]:
    """Token cases and the audit reason each must be refused with."""
    now = int(time.time())
    good = claims(issuer)
    hs_header = {"alg": "HS256", "typ": "JWT", "kid": keys.rsa.kid}
    return {
        "expired": (mint(keys.rsa, issuer, iat=now - 600, exp=now - 120), "expired"),
        "not yet valid": (mint(keys.rsa, issuer, nbf=now + 600), "not_yet_valid"),
        "wrong issuer": (mint(keys.rsa, "https://evil.example"), "wrong_issuer"),
        "wrong audience": (mint(keys.rsa, issuer, aud="someone-else"), "wrong_audience"),
        "tampered payload": (tampered(mint(keys.rsa, issuer)), "bad_signature"),
        "impostor key": (mint(keys.impostor, issuer), "bad_signature"),
        "unknown kid": (mint(keys.rotated, issuer), "unknown_key"),
        "no exp": (mint(keys.rsa, issuer, exp=None), "missing_claim"),
        "no sub": (mint(keys.rsa, issuer, sub=None), "missing_claim"),
        "owner too long": (mint(keys.rsa, issuer, sub="a" * 201), "invalid_owner"),
        "alg none": (
            unsigned({"alg": "none", "kid": keys.rsa.kid}, good, None),
            "disallowed_algorithm",
        ),
        "HS256 with the public key": (
            unsigned(hs_header, good, keys.rsa.public_pem()),
            "disallowed_algorithm",
        ),
        "garbage": ("eyJhbGciOi.eyJzdWIi.c2ln", "malformed"),
    }


def test_invalid_tokens_are_401_and_audited(
    client: ApiClient, jwks: JwksServer, keys: Keys, jobs_db_url: str
) -> None:
    for case, (token, reason) in invalid_cases(keys, jwks.base_url).items():
        response = client.get("/v1/jobs", headers=auth(token))
        assert response.status_code == 401, case
        assert response.headers["content-type"] == PROBLEM, case
        assert response.headers["www-authenticate"] == INVALID_TOKEN, case
        assert reason in response.json()["detail"], case
        (row,) = audit_rows(jobs_db_url, response.headers["x-request-id"])
        assert (row.action, row.detail["reason"]) == ("auth.failed", reason), case
        assert token not in json.dumps([row.actor, row.target, row.detail]), case
    assert jwks.hits["/jwks.json"] == 1  # the unknown kid refetched nothing (cooldown)


@pytest.mark.parametrize("jwt_config", [{"jwt_jwks_refetch_cooldown_s": 0}])
def test_a_rotated_key_is_fetched_once(client: ApiClient, jwks: JwksServer, keys: Keys) -> None:
    assert client.get("/v1/jobs", headers=auth(mint(keys.rsa, jwks.base_url))).status_code == 200
    jwks.publish(keys.rotated, keys.ec)  # the issuer rotates its RSA key
    for _ in range(2):
        response = client.get("/v1/jobs", headers=auth(mint(keys.rotated, jwks.base_url)))
        assert response.status_code == 200, response.text
    assert jwks.hits["/jwks.json"] == 2  # the first fetch and one refetch for the new kid


@pytest.mark.parametrize("jwt_config", [{"jwt_jwks_url": None}])
def test_oidc_discovery_finds_the_key_set(client: ApiClient, jwks: JwksServer, keys: Keys) -> None:
    for _ in range(2):
        response = client.get("/v1/jobs", headers=auth(mint(keys.ec, jwks.base_url)))
        assert response.status_code == 200, response.text
    assert jwks.hits["/.well-known/openid-configuration"] == 1
    assert jwks.hits["/jwks.json"] == 1


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/jwks.json"


@pytest.mark.parametrize(
    "jwt_config",
    [{"jwt_jwks_url": closed_port_url()}, {"jwt_jwks_url": None}],
    ids=["jwks-down", "discovery-down"],
)
def test_an_unreachable_issuer_is_503(
    client: ApiClient, jwks: JwksServer, keys: Keys, jobs_db_url: str
) -> None:
    jwks.broken = True  # only matters for discovery: the JWKS URL of the first case is dead
    response = client.get("/v1/jobs", headers=auth(mint(keys.rsa, jwks.base_url)))
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["type"] == "urn:aiprod:problem:issuer-unavailable"
    assert "127.0.0.1" not in problem["detail"] and "Traceback" not in response.text
    assert audit_rows(jobs_db_url, response.headers["x-request-id"]) == []


def test_an_issuer_that_comes_back_is_used_again(
    client: ApiClient, jwks: JwksServer, keys: Keys
) -> None:
    jwks.broken = True
    response = client.get("/v1/jobs", headers=auth(mint(keys.rsa, jwks.base_url)))
    assert response.status_code == 503
    jwks.broken = False
    response = client.get("/v1/jobs", headers=auth(mint(keys.rsa, jwks.base_url)))
    assert response.status_code == 200  # recovers as soon as the issuer answers again


@pytest.mark.parametrize(
    "jwt_config",
    [{"jwt_issuer": None, "jwt_audience": None, "jwt_jwks_url": None}],
    ids=["jwt-disabled"],
)
def test_without_jwt_settings_a_jwt_is_401(
    client: ApiClient, jwks: JwksServer, keys: Keys, jobs_db_url: str, make_key: KeyMaker
) -> None:
    response = client.get("/v1/jobs", headers=auth(mint(keys.rsa, jwks.base_url)))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == INVALID_TOKEN
    (row,) = audit_rows(jobs_db_url, response.headers["x-request-id"])
    assert row.detail == {"reason": "jwt_disabled", "credential": "jwt"}
    assert jwks.hits.total() == 0
    assert client.get("/v1/jobs", headers=auth(make_key())).status_code == 200


def test_api_keys_still_work_beside_jwts(client: ApiClient, make_key: KeyMaker) -> None:
    assert client.get("/v1/jobs", headers=auth(make_key())).status_code == 200
    response = client.get("/v1/jobs", headers=auth("aip_nope"))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == INVALID_TOKEN
