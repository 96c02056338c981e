"""Request dependencies: a database session, the authenticated principal, scope checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from aiprod.api.exceptions import AuthenticationRequired, PermissionDenied
from aiprod.auth import JOBS_READ, JOBS_WRITE, Principal, verify_key
from aiprod.config import Settings

bearer_scheme = HTTPBearer(auto_error=False, description="an AIPROD API key")


def get_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: committed when the route succeeds, rolled back otherwise."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    with factory() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


SettingsDep = Annotated[Settings, Depends(get_settings)]
# scope="function": commit before the response is sent, so a failed commit is a 503, not a lie
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]


def get_principal(session: SessionDep, credentials: BearerDep) -> Principal:
    """The principal of the request's Bearer API key; 401 when absent or invalid."""
    if credentials is None:
        raise AuthenticationRequired("an API key is required: 'Authorization: Bearer <key>'")
    principal = verify_key(session, credentials.credentials)
    if principal is None:
        session.commit()  # keep verify_key's auth.failed audit row despite the 401
        raise AuthenticationRequired("the API key is invalid, revoked or expired")
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_scope(scope: str) -> Callable[[Principal], Principal]:
    """A dependency that answers 403 unless the principal's key grants ``scope``."""

    def check(principal: PrincipalDep) -> Principal:
        if not principal.has(scope):
            raise PermissionDenied(f"this API key lacks the '{scope}' scope")
        return principal

    return check


ReaderDep = Annotated[Principal, Depends(require_scope(JOBS_READ))]
WriterDep = Annotated[Principal, Depends(require_scope(JOBS_WRITE))]
