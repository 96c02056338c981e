"""Web studio sign-in: an API key exchanged for a signed session cookie, and CSRF tokens.

The cookie (``aiprod_studio``: HttpOnly, SameSite=Lax, Secure over HTTPS) carries the id of
the API key that signed in and a random session id, signed with itsdangerous and stamped:
the server refuses it once ``studio_session_ttl_s`` has passed, whatever the browser keeps.
The key itself is never stored in the cookie. Every request loads the key row again, so a
revoked or expired key ends its studio sessions at once.

Where bearer JWTs are configured (``jwt_issuer``), a token of that issuer (an OIDC ID or
access token) signs in too: verified like the API verifies it, its principal (owner,
scopes) is carried in the signed cookie, which the server refuses after the token's own
``exp`` (or the session's TTL, whichever comes first). The token itself is not kept.

CSRF: every POST form carries ``csrf`` = HMAC(secret, session id); the sign-in form, which
has no session yet, uses a pre-session cookie (``aiprod_studio_pre``) the same way. A POST
whose token does not match is refused (403) before anything else runs; a cross-site
``Origin`` header is refused too.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import jwt
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from aiprod.auth import ApiKey, Principal
from aiprod.config import Settings
from aiprod.storage.signing import load_or_create_key

SESSION_COOKIE: Final = "aiprod_studio"
PRE_SESSION_COOKIE: Final = "aiprod_studio_pre"
KEY_FILE: Final = Path("secrets") / "studio-session.key"
PRE_SESSION_TTL_S: Final = 3600
MAX_COOKIE_CHARS: Final = 2000


class CsrfRefused(Exception):
    """A POST without a valid CSRF token, or from another origin."""


@dataclass(frozen=True)
class StudioSession:
    """A signed-in browser: the principal of its key and the session's CSRF token."""

    principal: Principal
    csrf: str


@dataclass(frozen=True)
class SessionCookie:
    """A valid session cookie: the key (or ``jwt:<kid>``) that signed in, the session id,
    and for a token sign-in the token's principal."""

    key_id: str
    sid: str
    token_principal: Principal | None = None


def token_expiry(token: str) -> int:
    """The ``exp`` of a token already verified (its signature is not checked again)."""
    claims = jwt.decode(token, options={"verify_signature": False})
    return int(claims["exp"])


def _token_principal(data: dict[str, Any], key_id: str) -> Principal | None:
    """The principal a token session carries; None when expired or malformed."""
    owner, scopes, expires = data.get("o"), data.get("c"), data.get("x")
    if not isinstance(owner, str) or not isinstance(expires, int) or expires <= time.time():
        return None
    if not isinstance(scopes, list) or not all(isinstance(c, str) for c in scopes):
        return None
    return Principal(owner=owner, key_id=key_id, scopes=frozenset(scopes))


class SessionKeeper:
    """Signs, reads and checks studio cookies and CSRF tokens with one secret."""

    def __init__(self, secret: bytes, ttl_s: int) -> None:
        self._secret = secret
        self.ttl_s = ttl_s
        self._serializer = URLSafeTimedSerializer(secret, salt="aiprod.studio.session")

    @classmethod
    def from_settings(cls, settings: Settings) -> SessionKeeper:
        """The configured secret, or one generated once in the data directory."""
        if settings.studio_session_key is not None:
            secret = settings.studio_session_key.get_secret_value().encode()
        else:
            secret = load_or_create_key(settings.data_dir / KEY_FILE)
        return cls(secret, settings.studio_session_ttl_s)

    def derived_key(self, purpose: str) -> bytes:
        """A key of its own for ``purpose`` (another cookie's signer), from the session key."""
        return hmac.new(self._secret, f"key|{purpose}".encode(), hashlib.sha256).digest()

    def token(self, purpose: str, nonce: str) -> str:
        """The CSRF token of ``nonce`` for ``purpose`` (``session`` or ``signin``)."""
        message = f"{purpose}|{nonce}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    # session cookie ------------------------------------------------------------------

    def issue(
        self,
        response: Response,
        request: Request,
        key_id: str,
        *,
        token: Principal | None = None,
        token_expires: int | None = None,
    ) -> None:
        """Set a fresh session cookie for ``key_id`` (or a verified token's principal, until
        ``token_expires``) and drop the pre-session cookie."""
        data: dict[str, Any] = {"k": key_id, "s": secrets.token_urlsafe(18)}
        max_age = self.ttl_s
        if token is not None and token_expires is not None:
            data.update(o=token.owner, c=sorted(token.scopes), x=token_expires)
            max_age = max(1, min(self.ttl_s, token_expires - int(time.time())))
        set_cookie(response, request, SESSION_COOKIE, self._serializer.dumps(data), max_age)
        response.delete_cookie(PRE_SESSION_COOKIE, path="/studio")

    def read(self, request: Request) -> SessionCookie | None:
        """The session of a valid, unexpired cookie; None otherwise."""
        raw = request.cookies.get(SESSION_COOKIE)
        if not raw or len(raw) > MAX_COOKIE_CHARS:
            return None
        try:
            data: Any = self._serializer.loads(raw, max_age=self.ttl_s)
        except BadSignature:  # also SignatureExpired: the server-side expiry
            return None
        if not isinstance(data, dict):
            return None
        key_id, sid = data.get("k"), data.get("s")
        if not isinstance(key_id, str) or not isinstance(sid, str):
            return None
        if not key_id.startswith("jwt:"):
            return SessionCookie(key_id, sid)
        principal = _token_principal(data, key_id)
        return None if principal is None else SessionCookie(key_id, sid, principal)

    @staticmethod
    def clear(response: Response) -> None:
        """Sign out: the browser forgets the cookie."""
        response.delete_cookie(SESSION_COOKIE, path="/")

    # sign-in form ----------------------------------------------------------------------

    def signin_token(self, request: Request, response: Response) -> str:
        """The sign-in form's CSRF token; sets the pre-session cookie when missing."""
        nonce = request.cookies.get(PRE_SESSION_COOKIE)
        if not nonce or len(nonce) > 100:
            nonce = secrets.token_urlsafe(18)
            set_cookie(response, request, PRE_SESSION_COOKIE, nonce, PRE_SESSION_TTL_S, "/studio")
        return self.token("signin", nonce)

    def check_signin_token(self, request: Request, presented: str) -> None:
        """CsrfRefused unless ``presented`` matches the pre-session cookie."""
        nonce = request.cookies.get(PRE_SESSION_COOKIE) or ""
        check_origin(request)
        if not nonce or not hmac.compare_digest(self.token("signin", nonce), presented):
            raise CsrfRefused("the sign-in form has expired; reload the page and try again")


def principal_of(session: Session, key_id: str, now: datetime | None = None) -> Principal | None:
    """The principal of an active key (not revoked, not expired); None otherwise."""
    key = session.get(ApiKey, key_id)
    if key is None:
        return None
    moment = now or datetime.now(UTC)
    if key.revoked_at is not None and key.revoked_at <= moment:
        return None
    if key.expires_at is not None and key.expires_at <= moment:
        return None
    return Principal(owner=key.owner, key_id=key.id, scopes=frozenset(key.scopes))


def check_origin(request: Request) -> None:
    """CsrfRefused when the browser says the request comes from another site.

    ``Sec-Fetch-Site`` first (sent by current browsers whatever the referrer policy); then
    ``Origin``, which is ``null`` on form posts from our ``no-referrer`` pages and absent
    from old browsers and other clients: for those, the CSRF token decides alone.
    """
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        raise CsrfRefused("this form was sent from another site")
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return
    if origin != f"{request.url.scheme}://{request.url.netloc}":
        raise CsrfRefused("this form was sent from another site")


def set_cookie(
    response: Response, request: Request, name: str, value: str, max_age: int, path: str = "/"
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
