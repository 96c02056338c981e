"""Web studio sign-in: an API key exchanged for a signed session cookie, and CSRF tokens.

The cookie (``aiprod_studio``: HttpOnly, SameSite=Lax, Secure over HTTPS) carries the id of
the API key that signed in and a random session id, signed with itsdangerous and stamped:
the server refuses it once ``studio_session_ttl_s`` has passed, whatever the browser keeps.
The key itself is never stored in the cookie. Every request loads the key row again, so a
revoked or expired key ends its studio sessions at once.

CSRF: every POST form carries ``csrf`` = HMAC(secret, session id); the sign-in form, which
has no session yet, uses a pre-session cookie (``aiprod_studio_pre``) the same way. A POST
whose token does not match is refused (403) before anything else runs; a cross-site
``Origin`` header is refused too.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

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


class CsrfRefused(Exception):
    """A POST without a valid CSRF token, or from another origin."""


@dataclass(frozen=True)
class StudioSession:
    """A signed-in browser: the principal of its key and the session's CSRF token."""

    principal: Principal
    csrf: str


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

    def token(self, purpose: str, nonce: str) -> str:
        """The CSRF token of ``nonce`` for ``purpose`` (``session`` or ``signin``)."""
        message = f"{purpose}|{nonce}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    # session cookie ------------------------------------------------------------------

    def issue(self, response: Response, request: Request, key_id: str) -> None:
        """Set a fresh session cookie for ``key_id`` and drop the pre-session cookie."""
        value = self._serializer.dumps({"k": key_id, "s": secrets.token_urlsafe(18)})
        _set_cookie(response, request, SESSION_COOKIE, value, self.ttl_s)
        response.delete_cookie(PRE_SESSION_COOKIE, path="/studio")

    def read(self, request: Request) -> tuple[str, str] | None:
        """The (key id, session id) of a valid, unexpired cookie; None otherwise."""
        raw = request.cookies.get(SESSION_COOKIE)
        if not raw or len(raw) > 1000:
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
        return key_id, sid

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
            _set_cookie(response, request, PRE_SESSION_COOKIE, nonce, PRE_SESSION_TTL_S, "/studio")
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


def _set_cookie(
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
