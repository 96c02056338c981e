"""A small OpenID Connect provider on 127.0.0.1, following OpenID Connect Core 1.0 (the
authorization code flow, section 3.1) and RFC 7636 (PKCE, ``S256``): discovery, ``/authorize``
(the user is taken as signed in: it redirects back to the registered ``redirect_uri`` with a
one-time ``code`` and the ``state``), ``/token`` (checks the code, the redirect URI, the
client and its secret, the code verifier; answers an ``id_token`` signed with a key of its
JWKS, carrying the request's ``nonce``) and ``/jwks.json``.

Tests change what the next ID token says (``claims``: a past ``exp``, another ``nonce``…)
or what ``/authorize`` answers (``authorize_error``)."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import jwt


@dataclass
class Grant:
    """What ``/authorize`` was asked, remembered under the code it gave."""

    client_id: str
    redirect_uri: str
    nonce: str | None
    challenge: str
    method: str


@dataclass
class OidcProvider:
    """The provider; ``sub`` signs in, ``claims`` override the next ID tokens' claims."""

    client_id: str
    redirect_uri: str
    key: Any  # tests/integration/test_auth_jwt.SigningKey
    client_secret: str | None = None
    sub: str = "frank@example.com"
    claims: dict[str, Any] = field(default_factory=dict)
    authorize_error: str | None = None
    grants: dict[str, Grant] = field(default_factory=dict)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    token_auth: list[str | None] = field(default_factory=list)  # Authorization headers

    def __post_init__(self) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()

    # -- endpoints -----------------------------------------------------------------------

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks.json",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [self.key.alg],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "none"],
        }

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str]]:
        """(status, headers): a 302 back to the client, or 400 for a bad request."""
        redirect_uri = query.get("redirect_uri", "")
        if query.get("client_id") != self.client_id or redirect_uri != self.redirect_uri:
            return 400, {}  # never redirect to an unregistered address
        back: dict[str, str] = {"state": query.get("state", "")}
        if self.authorize_error:
            back["error"] = self.authorize_error
        elif (
            query.get("response_type") != "code"
            or "openid" not in query.get("scope", "")
            or query.get("code_challenge_method") != "S256"
            or not query.get("code_challenge")
        ):
            back["error"] = "invalid_request"
        else:
            code = secrets.token_urlsafe(16)
            self.grants[code] = Grant(
                client_id=query["client_id"],
                redirect_uri=redirect_uri,
                nonce=query.get("nonce"),
                challenge=query["code_challenge"],
                method=query["code_challenge_method"],
            )
            back["code"] = code
        return 302, {"Location": f"{redirect_uri}?{urlencode(back)}"}

    def token(self, form: dict[str, str], authorization: str | None) -> tuple[int, dict[str, Any]]:
        self.token_requests.append(form)
        self.token_auth.append(authorization)
        if self.client_secret is not None:
            expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode())
            if authorization != f"Basic {expected.decode()}":
                return 401, {"error": "invalid_client"}
        grant = self.grants.pop(form.get("code", ""), None)  # a code is used once
        if form.get("grant_type") != "authorization_code" or grant is None:
            return 400, {"error": "invalid_grant"}
        if (
            form.get("redirect_uri") != grant.redirect_uri
            or form.get("client_id") != grant.client_id
        ):
            return 400, {"error": "invalid_grant"}
        digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant.challenge:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": self.sub,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": grant.nonce,
            **self.claims,
        }
        claims = {k: v for k, v in claims.items() if v is not None}
        id_token = jwt.encode(
            claims, self.key.private, algorithm=self.key.alg, headers={"kid": self.key.kid}
        )
        answer = {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer"}
        return 200, {**answer, "expires_in": 300, "id_token": id_token}

    # -- HTTP ----------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    self._json(200, provider.discovery())
                elif url.path == "/jwks.json":
                    self._json(200, {"keys": [provider.key.jwk()]})
                elif url.path == "/authorize":
                    status, headers = provider.authorize(query)
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                else:
                    self._json(404, {"error": "not_found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                form = {k: v[0] for k, v in parse_qs(body).items()}
                if urlparse(self.path).path != "/token":
                    self._json(404, {"error": "not_found"})
                    return
                status, answer = provider.token(form, self.headers.get("Authorization"))
                self._json(status, answer)

            def _json(self, status: int, data: Any) -> None:
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
