"""Errors of the HTTP API and the ONE table that maps every error to a problem response.

    AiprodError                    (aiprod.errors) every error we raise on purpose
    └── ApiError                   an HTTP-level refusal of the request
        ├── AuthenticationRequired no credential                               → 401
        │   └── InvalidToken       a key or bearer JWT that does not verify    → 401
        ├── PermissionDenied       the key lacks the scope the route needs     → 403
        ├── NotFound               no such resource visible to the caller      → 404
        ├── Conflict               the resource's state forbids the action     → 409
        ├── PreconditionFailed     If-Match names another version              → 412
        ├── PayloadTooLarge        the request body is over the size limit     → 413
        ├── UnsupportedMedia       an upload that is not image, audio or video → 415
        ├── MediaTooLong           an upload over the duration limit           → 422
        ├── UndecodableMedia       an image or video whose first frame fails to decode → 422
        ├── OriginNotAllowed       a CORS preflight from an unlisted origin    → 403
        ├── RateLimited            over a rate limit (with Retry-After)        → 429
        └── NotReady               a dependency (FFmpeg) is missing            → 503

Storage errors (:mod:`aiprod.storage.errors`: unknown artifact, bad or expired signed URL,
unsatisfiable byte range, object storage unreachable) are mapped here too, to 404, 403,
416 and 503; so is
:class:`aiprod.auth.tokens.TokenIssuerUnavailable` (the JWT issuer's keys cannot be fetched)
→ 503.

Every error leaves the API as ``application/problem+json`` (RFC 9457) with ``type``,
``title``, ``status``, ``detail`` and ``instance``; unexpected errors answer 500 and never
show a stack trace.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Final

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from aiprod.auth.tokens import TokenIssuerUnavailable
from aiprod.db.errors import DatabaseUnavailable, UnmigratedDatabase
from aiprod.errors import (
    AiprodError,
    ApiError,
    AuthenticationRequired,
    Conflict,
    InvalidCursor,
    InvalidSpec,
    InvalidToken,
    MediaTooLong,
    NotFound,
    NotReady,
    OriginNotAllowed,
    PayloadTooLarge,
    PermissionDenied,
    PreconditionFailed,
    RateLimited,
    UndecodableMedia,
    UnsupportedMedia,
)
from aiprod.jobs.errors import InvalidTransition
from aiprod.storage.errors import (
    RangeNotSatisfiable,
    StorageUnavailable,
    UnknownArtifact,
    UrlExpired,
    UrlSignatureInvalid,
)

PROBLEM_MEDIA_TYPE: Final = "application/problem+json"
HTTP_METHODS: Final = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
TYPE_PREFIX: Final = "urn:aiprod:problem:"
logger = logging.getLogger(__name__)

__all__ = [
    "ERROR_TABLE",
    "ApiError",
    "AuthenticationRequired",
    "Conflict",
    "NotFound",
    "NotReady",
    "PayloadTooLarge",
    "PermissionDenied",
    "install_error_handlers",
    "problem_response",
]


@dataclass(frozen=True)
class ProblemKind:
    """How one class of error leaves the API."""

    status: int
    slug: str
    title: str


UNSTORABLE: Final = ProblemKind(422, "unstorable-value", "The request holds an unstorable value")
DATABASE_UNAVAILABLE: Final = ProblemKind(503, "database-unavailable", "Database unavailable")

# The one table: the most specific class in an error's MRO wins.
ERROR_TABLE: Final[dict[type[Exception], ProblemKind]] = {
    InvalidSpec: ProblemKind(422, "invalid-spec", "The spec is invalid"),
    InvalidCursor: ProblemKind(422, "invalid-cursor", "The cursor is invalid"),
    RequestValidationError: ProblemKind(422, "invalid-request", "The request is invalid"),
    AuthenticationRequired: ProblemKind(401, "unauthenticated", "Authentication required"),
    PermissionDenied: ProblemKind(403, "forbidden", "Missing permission"),
    NotFound: ProblemKind(404, "not-found", "Not found"),
    Conflict: ProblemKind(409, "conflict", "Conflict"),
    InvalidTransition: ProblemKind(409, "conflict", "Conflict"),
    PreconditionFailed: ProblemKind(412, "precondition-failed", "Precondition failed"),
    PayloadTooLarge: ProblemKind(413, "payload-too-large", "Payload too large"),
    UnsupportedMedia: ProblemKind(415, "unsupported-media", "Unsupported media"),
    MediaTooLong: ProblemKind(422, "media-too-long", "The media is too long"),
    UndecodableMedia: ProblemKind(422, "undecodable-media", "The media cannot be decoded"),
    OriginNotAllowed: ProblemKind(403, "origin-not-allowed", "Origin not allowed"),
    RateLimited: ProblemKind(429, "rate-limited", "Too many requests"),
    UnknownArtifact: ProblemKind(404, "not-found", "Not found"),
    UrlSignatureInvalid: ProblemKind(403, "invalid-signature", "Invalid URL signature"),
    UrlExpired: ProblemKind(403, "url-expired", "URL expired"),
    RangeNotSatisfiable: ProblemKind(416, "range-not-satisfiable", "Range not satisfiable"),
    StorageUnavailable: ProblemKind(503, "storage-unavailable", "Artifact storage unavailable"),
    # a value the database refuses, such as text with a NUL character on PostgreSQL
    DataError: UNSTORABLE,
    psycopg.DataError: UNSTORABLE,
    DatabaseUnavailable: DATABASE_UNAVAILABLE,
    OperationalError: DATABASE_UNAVAILABLE,
    InterfaceError: DATABASE_UNAVAILABLE,
    # the driver's own errors, from reads on the event loop (aiprod.jobs.pg_reads)
    psycopg.OperationalError: DATABASE_UNAVAILABLE,
    psycopg.InterfaceError: DATABASE_UNAVAILABLE,
    UnmigratedDatabase: ProblemKind(503, "database-unmigrated", "Database not migrated"),
    NotReady: ProblemKind(503, "not-ready", "Service not ready"),
    TokenIssuerUnavailable: ProblemKind(503, "issuer-unavailable", "Token issuer unavailable"),
    StarletteHTTPException: ProblemKind(400, "http-error", "HTTP error"),
    Exception: ProblemKind(500, "internal-error", "Internal server error"),
}

# Framework HTTP errors (routing 404/405, …) keep their status and get a stable slug.
HTTP_STATUS_KINDS: Final[dict[int, ProblemKind]] = {
    400: ProblemKind(400, "malformed-request", "Malformed request"),  # e.g. a body not UTF-8
    404: ERROR_TABLE[NotFound],
    405: ProblemKind(405, "method-not-allowed", "Method not allowed"),
    413: ERROR_TABLE[PayloadTooLarge],
}


def problem_kind(error: BaseException) -> ProblemKind:
    """The table entry of ``error``: its most specific listed class."""
    if isinstance(error, StarletteHTTPException):
        return HTTP_STATUS_KINDS.get(
            error.status_code, ProblemKind(error.status_code, "http-error", "HTTP error")
        )
    for cls in type(error).__mro__:
        if cls in ERROR_TABLE:
            return ERROR_TABLE[cls]
    return ERROR_TABLE[Exception]


def problem_body(kind: ProblemKind, *, detail: str, instance: str, **extra: Any) -> dict[str, Any]:
    """An RFC 9457 problem document."""
    body = {
        "type": TYPE_PREFIX + kind.slug,
        "title": kind.title,
        "status": kind.status,
        "detail": detail,
        "instance": instance,
    }
    return {**body, **extra}


def _detail_and_extra(error: BaseException, kind: ProblemKind) -> tuple[str, dict[str, Any]]:
    if isinstance(error, InvalidSpec):
        errors = [{"path": p.path, "message": p.message} for p in error.problems]
        return f"{len(errors)} problem(s) in the request", {"errors": errors}
    if isinstance(error, RequestValidationError):
        errors = [_validation_item(item) for item in error.errors()]
        return f"{len(errors)} problem(s) in the request", {"errors": errors}
    if isinstance(error, StarletteHTTPException):
        return str(error.detail), {}
    if isinstance(error, DataError | psycopg.DataError):
        return "a value in the request cannot be stored (text may not hold NUL characters)", {}
    if kind.status >= 500 and not isinstance(error, AiprodError):
        # vendor and unexpected errors: never leak internals (SQL, hosts, tracebacks)
        return kind.title, {}
    return str(error) or kind.title, {}


def _validation_item(item: Any) -> dict[str, str]:
    loc = [str(part) for part in item.get("loc", ())]
    return {"path": ".".join(loc), "message": str(item.get("msg", "invalid"))}


def problem_response(error: BaseException, instance: str) -> JSONResponse:
    """The problem+json response for ``error`` at request path ``instance``."""
    kind = problem_kind(error)
    detail, extra = _detail_and_extra(error, kind)
    headers: dict[str, str] = {}
    if kind.status == 401:
        invalid = isinstance(error, InvalidToken)  # RFC 6750 §3.1
        headers["WWW-Authenticate"] = 'Bearer error="invalid_token"' if invalid else "Bearer"
    if isinstance(error, RangeNotSatisfiable):
        headers["Content-Range"] = f"bytes */{error.size}"
    if isinstance(error, RateLimited):
        headers["Retry-After"] = str(error.retry_after_s)
    if isinstance(error, StarletteHTTPException) and error.headers:
        headers.update(error.headers)
    body = problem_body(kind, detail=detail, instance=instance, **extra)
    return JSONResponse(body, kind.status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


async def _handle(request: Request, error: Exception) -> JSONResponse:
    if problem_kind(error).status >= 500:
        logger.error("request %s failed", request.url.path, exc_info=error)
    response = problem_response(error, request.url.path)
    if isinstance(error, StarletteHTTPException) and error.status_code == 405:
        # the router names the methods of the first route on the path, not of them all
        response.headers["Allow"] = allowed_methods(request)
    return response


def allowed_methods(request: Request) -> str:
    """Every method some route of the app accepts on the request's path (RFC 9110 ``Allow``).

    Each method is tried against the routes (included routers nest, so their methods are
    not all listed on one object); only 405 answers pay for it.
    """
    routes = request.app.router.routes
    return ", ".join(
        method
        for method in HTTP_METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    )


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error with problem+json, using :data:`ERROR_TABLE`."""
    for error_class in ERROR_TABLE:
        app.add_exception_handler(error_class, _handle)
