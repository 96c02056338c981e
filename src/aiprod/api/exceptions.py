"""Errors of the HTTP API's services, branches of :class:`aiprod.errors.AiprodError`.

No web framework here, so services that raise them stay reusable by the CLI and the worker;
:mod:`aiprod.api.errors` maps them to HTTP statuses in one table.

AiprodError
└── ApiError                   an HTTP-level refusal of the request
    ├── AuthenticationRequired no credential                               → 401
    │   └── InvalidToken       a key or bearer JWT that does not verify    → 401
    ├── PermissionDenied       the key lacks the scope the route needs     → 403
    ├── NotFound               no such resource visible to the caller      → 404
    ├── Conflict               the resource's state forbids the action     → 409
    ├── PreconditionFailed     If-Match names another version              → 412
    ├── PayloadTooLarge        the request body is over the size limit     → 413
    ├── UnsupportedMedia       an upload that is not an image, audio or video → 415
    ├── MediaTooLong           an upload over the duration limit           → 422
    ├── OriginNotAllowed       a CORS preflight from an origin not listed  → 403
    ├── RateLimited            over a rate limit (Retry-After says when)   → 429
    └── NotReady               a dependency (FFmpeg) is missing            → 503
"""

from __future__ import annotations

from aiprod.errors import AiprodError


class ApiError(AiprodError):
    """An HTTP-level refusal; the table below gives its status."""

    code = "api_error"


class AuthenticationRequired(ApiError):
    """No API key, or one that is malformed, unknown, revoked or expired."""

    code = "unauthenticated"


class InvalidToken(AuthenticationRequired):
    """An API key or bearer JWT that does not verify (``error="invalid_token"``, RFC 6750)."""

    code = "invalid_token"


class PermissionDenied(ApiError):
    """The API key is valid but lacks the scope this action needs."""

    code = "forbidden"


class NotFound(ApiError):
    """No such resource, or one the caller may not see (never told apart)."""

    code = "not_found"


class Conflict(ApiError):
    """The resource's current state forbids the action."""

    code = "conflict"


class PreconditionFailed(ApiError):
    """The request's ``If-Match`` does not match the resource's current version."""

    code = "precondition_failed"


class PayloadTooLarge(ApiError):
    """The request body is larger than the API accepts."""

    code = "payload_too_large"


class NotReady(ApiError):
    """A dependency the service needs (such as FFmpeg) is missing."""

    code = "not_ready"


class UnsupportedMedia(ApiError):
    """An upload FFmpeg cannot read as an image, audio or video."""

    code = "unsupported_media"


class MediaTooLong(ApiError):
    """An audio or video upload longer than the operator allows."""

    code = "media_too_long"


class OriginNotAllowed(ApiError):
    """A CORS preflight from an origin, or asking for a method or header, not allowed."""

    code = "origin_not_allowed"


class RateLimited(ApiError):
    """Too many requests from this client IP or API key; retry after ``retry_after_s``."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
