"""The studio's OIDC redirect sign-in: the authorization code flow with PKCE (RFC 7636,
``S256``), ``state`` and ``nonce`` (OpenID Connect Core 1.0, section 3.1), against the
provider of ``jwt_issuer``.

:meth:`OidcClient.start` makes a fresh ``state``, ``nonce`` and code verifier and the
provider's authorization address (from ``<issuer>/.well-known/openid-configuration``); the
three secrets travel in a short-lived, signed, HttpOnly cookie (:class:`FlowCookie`), never
in the page. The provider sends the browser back to ``oidc_redirect_url`` with ``code`` and
``state``: the state must be the cookie's, the code is exchanged at the token endpoint
(with the code verifier, and the client secret for a confidential client), and the
``id_token`` is verified by the same :class:`~aiprod.auth.tokens.TokenVerifier` as bearer
JWTs (the issuer's JWKS, allowed algorithms, ``exp``/``iat``/``iss``/``sub``), with
the client id as its audience; its ``nonce`` must be the cookie's. The principal then gets
the same session cookie as a pasted token. Every refusal is an :class:`OidcRefused` whose
message is said on the sign-in page.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlencode

import httpx
import jwt
from itsdangerous import BadSignature, URLSafeTimedSerializer

from aiprod.auth import Principal
from aiprod.auth.tokens import USER_AGENT, TokenIssuerUnavailable, TokenRejected, TokenVerifier
from aiprod.config import Settings
from aiprod.errors import AiprodError

FLOW_COOKIE: Final = "aiprod_studio_oidc"
FLOW_TTL_S: Final = 600  # ten minutes to sign in at the provider
CALLBACK_PATH: Final = "/studio/oidc"
MAX_TOKEN_CHARS: Final = 16_000


class OidcRefused(AiprodError):
    """The redirect sign-in did not complete; the message says why, for the sign-in page."""

    code = "oidc_refused"


@dataclass(frozen=True)
class Flow:
    """One sign-in under way: what the callback must find again."""

    state: str
    nonce: str
    verifier: str
    next_path: str


@dataclass(frozen=True)
class Endpoints:
    authorization: str
    token: str


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def code_challenge(verifier: str) -> str:
    """RFC 7636's ``S256`` challenge of a code verifier."""
    return _b64(hashlib.sha256(verifier.encode("ascii")).digest())


class FlowCookie:
    """The flow's secrets in a signed cookie, valid for :data:`FLOW_TTL_S`."""

    def __init__(self, secret: bytes) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="aiprod.studio.oidc")

    def dumps(self, flow: Flow) -> str:
        return self._serializer.dumps(
            {"s": flow.state, "n": flow.nonce, "v": flow.verifier, "t": flow.next_path}
        )

    def loads(self, raw: str | None) -> Flow | None:
        """The flow of a valid cookie; None when missing, forged or over ten minutes old."""
        if not raw or len(raw) > 2000:
            return None
        try:
            data: Any = self._serializer.loads(raw, max_age=FLOW_TTL_S)
        except BadSignature:
            return None
        fields = [data.get(k) for k in ("s", "n", "v", "t")] if isinstance(data, dict) else []
        found = [f for f in fields if isinstance(f, str)]
        if len(found) != 4:
            return None
        return Flow(state=found[0], nonce=found[1], verifier=found[2], next_path=found[3])


class OidcClient:
    """The studio as an OIDC relying party of ``jwt_issuer``'s provider."""

    def __init__(self, settings: Settings) -> None:
        assert settings.oidc_client_id and settings.oidc_redirect_url and settings.jwt_issuer
        self.settings = settings
        self.client_id = settings.oidc_client_id
        self.redirect_url = settings.oidc_redirect_url
        self.issuer = settings.jwt_issuer
        # ID tokens are for this client: their audience is the client id
        self.verifier = TokenVerifier(settings.model_copy(update={"jwt_audience": self.client_id}))
        self._endpoints: Endpoints | None = None
        self._lock = threading.Lock()

    def start(self, next_path: str) -> tuple[str, Flow]:
        """The provider's authorization address for a new flow, and the flow to remember."""
        flow = Flow(
            state=secrets.token_urlsafe(24),
            nonce=secrets.token_urlsafe(24),
            verifier=secrets.token_urlsafe(48),  # 64 characters of [A-Za-z0-9_-]
            next_path=next_path,
        )
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_url,
            "scope": self.settings.oidc_scopes,
            "state": flow.state,
            "nonce": flow.nonce,
            "code_challenge": code_challenge(flow.verifier),
            "code_challenge_method": "S256",
        }
        authorization = self.endpoints().authorization
        separator = "&" if "?" in authorization else "?"
        return f"{authorization}{separator}{urlencode(query)}", flow

    def finish(self, flow: Flow, code: str) -> tuple[Principal, int]:
        """The principal of the ``id_token`` the code is exchanged for, and its ``exp``."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_url,
            "client_id": self.client_id,
            "code_verifier": flow.verifier,
        }
        secret = self.settings.oidc_client_secret
        auth = (self.client_id, secret.get_secret_value()) if secret else None
        try:
            response = httpx.post(
                self.endpoints().token,
                data=form,
                auth=auth,
                headers={"Accept": "application/json", "User-Agent": USER_AGENT},
                timeout=self.settings.jwt_http_timeout_s,
            )
            answer = response.json()
        except (httpx.HTTPError, ValueError):
            raise TokenIssuerUnavailable(
                "the identity provider did not answer; try again later"
            ) from None
        if not isinstance(answer, dict):
            answer = {}
        if response.status_code != 200:
            error = str(answer.get("error") or f"HTTP {response.status_code}")[:80]
            raise OidcRefused(f"the identity provider refused the sign-in code ({error})")
        token = answer.get("id_token")
        if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
            raise OidcRefused("the identity provider sent no ID token")
        try:
            principal = self.verifier.verify(token)
        except TokenRejected as rejected:
            reason = rejected.reason.replace("_", " ")
            raise OidcRefused(
                f"the identity provider's ID token was not accepted ({reason})"
            ) from None
        claims = jwt.decode(token, options={"verify_signature": False})  # verified above
        nonce = claims.get("nonce")
        if not isinstance(nonce, str) or not secrets.compare_digest(nonce, flow.nonce):
            raise OidcRefused(
                "the ID token was not made for this sign-in (its nonce does not match)"
            )
        return principal, int(claims["exp"])

    def endpoints(self) -> Endpoints:
        """The provider's authorization and token endpoints, from its discovery document
        (fetched once)."""
        with self._lock:
            if self._endpoints is None:
                self._endpoints = self._discover()
            return self._endpoints

    def _discover(self) -> Endpoints:
        url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            response = httpx.get(
                url,
                timeout=self.settings.jwt_http_timeout_s,
                headers={"User-Agent": USER_AGENT},
            )
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError):
            raise TokenIssuerUnavailable(
                "the identity provider cannot be reached; try again later"
            ) from None
        if not isinstance(document, dict) or document.get("issuer") != self.issuer:
            raise TokenIssuerUnavailable(f"{url} does not describe the issuer {self.issuer}")
        found = [document.get(k) for k in ("authorization_endpoint", "token_endpoint")]
        if not all(isinstance(u, str) and u.startswith(("https://", "http://")) for u in found):
            raise TokenIssuerUnavailable(f"{url} names no usable authorization or token endpoint")
        methods = document.get("code_challenge_methods_supported")
        if isinstance(methods, list) and "S256" not in methods:
            raise TokenIssuerUnavailable("the identity provider does not support PKCE (S256)")
        return Endpoints(authorization=str(found[0]), token=str(found[1]))
