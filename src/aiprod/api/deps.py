"""Request dependencies: a database session, the authenticated principal, scope checks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from aiprod.api.ratelimit import limit_principal
from aiprod.api.request_session import request_session, run_in_session
from aiprod.auth import JOBS_READ, JOBS_WRITE, Principal, verify_key
from aiprod.auth.key_cache import VerifiedKeyCache
from aiprod.auth.tokens import TokenRejected, TokenVerifier, looks_like_jwt, verify_token
from aiprod.config import Settings
from aiprod.errors import AuthenticationRequired, InvalidToken, PermissionDenied

bearer_scheme = HTTPBearer(
    auto_error=False, description="an AIPROD API key, or a JWT of the configured issuer"
)


# Dependencies that do no I/O are ``async def``: FastAPI runs a plain ``def`` dependency in
# the thread pool, and each such hop costs more CPU than the work here.
async def get_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request: committed when the route succeeds, rolled back otherwise."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    async with request_session(factory) as session:  # opened without a thread-pool hop
        yield session


async def get_token_verifier(request: Request) -> TokenVerifier:
    """The app's bearer-JWT verifier (it caches the issuer's keys)."""
    verifier: TokenVerifier = request.app.state.token_verifier
    return verifier


async def get_request_id(request: Request) -> str:
    """The id of this request (set by :class:`aiprod.api.request_id.RequestId`)."""
    request_id: str = getattr(request.state, "request_id", "")
    return request_id


SettingsDep = Annotated[Settings, Depends(get_settings)]
RequestIdDep = Annotated[str, Depends(get_request_id)]
# scope="function": commit before the response is sent, so a failed commit is a 503, not a lie
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]
TokenVerifierDep = Annotated[TokenVerifier, Depends(get_token_verifier)]


async def get_principal(request: Request, credentials: BearerDep) -> Principal:
    """The principal of the request's Bearer API key or JWT; 401 when absent or invalid,
    429 when over its rate limit. (It reads the app's state itself rather than through
    more dependencies: every authenticated request resolves it.)"""
    presented = None if credentials is None else credentials.credentials
    key_cache: VerifiedKeyCache = request.app.state.key_cache
    verifier: TokenVerifier = request.app.state.token_verifier
    request_id: str = getattr(request.state, "request_id", "")
    known = None if presented is None else key_cache.remembered(presented)
    if known is None:  # else a key verified seconds ago: no database, no thread-pool hop
        check = partial(
            authenticate,
            presented=presented,
            request_id=request_id,
            verifier=verifier,
            key_cache=key_cache,
        )
        known = await run_in_session(request, check)
    await limit_principal(request, known)
    return known


def authenticate(
    session: Session,
    presented: str | None,
    *,
    request_id: str,
    verifier: TokenVerifier | None = None,
    key_cache: VerifiedKeyCache | None = None,
) -> Principal:
    """The principal of an API key (``aip_…``) or, given a ``verifier``, of a bearer JWT
    (HTTP header or WebSocket); AuthenticationRequired if none or invalid."""
    if presented is None:
        raise AuthenticationRequired("an API key is required: 'Authorization: Bearer <key>'")
    if verifier is not None and looks_like_jwt(presented):
        return _jwt_principal(session, verifier, presented, request_id=request_id)
    verify = verify_key if key_cache is None else key_cache.verify
    principal = verify(session, presented, request_id=request_id)
    if principal is None:
        session.commit()  # keep verify_key's auth.failed audit row despite the 401
        raise InvalidToken("the API key is invalid, revoked or expired")
    return principal


def _jwt_principal(
    session: Session, verifier: TokenVerifier, token: str, *, request_id: str
) -> Principal:
    try:
        return verify_token(session, verifier, token, request_id=request_id)
    except TokenRejected as rejected:
        session.commit()  # keep verify_token's auth.failed audit row despite the 401
        raise InvalidToken(str(rejected)) from None


def check_scope(principal: Principal, scope: str) -> Principal:
    """``principal`` when its key grants ``scope``; PermissionDenied (403) otherwise."""
    if not principal.has(scope):
        raise PermissionDenied(f"this API key lacks the '{scope}' scope")
    return principal


def require_scope(
    scope: str,
) -> Callable[[Request, HTTPAuthorizationCredentials | None], Awaitable[Principal]]:
    """A dependency that answers 403 unless the principal's key grants ``scope``."""

    async def check(request: Request, credentials: BearerDep) -> Principal:
        # get_principal called, not depended on: one dependency less on every request
        return check_scope(await get_principal(request, credentials), scope)

    return check


ReaderDep = Annotated[Principal, Depends(require_scope(JOBS_READ))]
WriterDep = Annotated[Principal, Depends(require_scope(JOBS_WRITE))]
