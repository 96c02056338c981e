"""Errors of the HTTP API's services, branches of :class:`aiprod.errors.AiprodError`.

No web framework here, so services that raise them stay reusable by the CLI and the worker;
:mod:`aiprod.api.errors` maps them to HTTP statuses in one table.

AiprodError
└── ApiError                   an HTTP-level refusal of the request
    ├── AuthenticationRequired no, malformed or invalid API key           → 401
    ├── PermissionDenied       the key lacks the scope the route needs     → 403
    ├── NotFound               no such resource visible to the caller      → 404
    ├── Conflict               the resource's state forbids the action     → 409
    ├── PayloadTooLarge        the request body is over the size limit     → 413
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


class PermissionDenied(ApiError):
    """The API key is valid but lacks the scope this action needs."""

    code = "forbidden"


class NotFound(ApiError):
    """No such resource, or one the caller may not see (never told apart)."""

    code = "not_found"


class Conflict(ApiError):
    """The resource's current state forbids the action."""

    code = "conflict"


class PayloadTooLarge(ApiError):
    """The request body is larger than the API accepts."""

    code = "payload_too_large"


class NotReady(ApiError):
    """A dependency the service needs (such as FFmpeg) is missing."""

    code = "not_ready"
