"""One error tree for the whole product.

    AiprodError                      every error we raise on purpose; ``code`` is stable
    ├── InvalidSpec                  the request is wrong: every problem listed, with its path
    │   └── InvalidCursor            a page cursor we did not issue
    ├── MediaError                   an input media file is missing, unreadable or not media
    ├── ProviderError                a capability provider failed
    │   ├── ProviderUnavailable      not installed / not reachable (retryable)
    │   └── ProviderRejectedInput    the provider will never accept this input
    ├── FFmpegError                  an ffmpeg/ffprobe process failed (command + stderr tail)
    ├── QAFailed                     the render was produced but did not meet its targets
    ├── BudgetExceeded               the estimate is over the caller's budget: refused before work
    └── ApiError                     a refusal of a request (the API maps each to its HTTP status)
        ├── AuthenticationRequired   no credential                              → 401
        │   └── InvalidToken         a key or bearer JWT that does not verify   → 401
        ├── PermissionDenied         the key lacks the scope the route needs     → 403
        ├── NotFound                 no such resource visible to the caller      → 404
        ├── Conflict                 the resource's state forbids the action     → 409
        ├── PreconditionFailed       If-Match names another version              → 412
        ├── PayloadTooLarge          the request body is over the size limit     → 413
        ├── UnsupportedMedia         an upload that is not an image, audio or video → 415
        ├── MediaTooLong             an upload over the duration limit           → 422
        ├── UndecodableMedia         an image or video whose first frame fails to decode → 422
        ├── OriginNotAllowed         a CORS preflight from an origin not listed  → 403
        ├── RateLimited              over a rate limit (Retry-After says when)   → 429
        └── NotReady                 a dependency (FFmpeg) is missing            → 503

The CLI prints ``str(error)`` as one line and exits non-zero; :mod:`aiprod.api.errors` maps
each class to an HTTP status in one table. No web framework here, so the services that raise
these errors (jobs, uploads, webhooks, auth) stay reusable by the CLI and the worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class AiprodError(Exception):
    """Base of every error AIPROD raises on purpose."""

    code = "aiprod_error"


@dataclass(frozen=True)
class SpecProblem:
    """One problem in a spec: where (dotted path) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '<root>'}: {self.message}"


class InvalidSpec(AiprodError):
    """The spec (or preset file) is invalid; ``problems`` lists every error at once."""

    code = "invalid_spec"

    def __init__(self, problems: Sequence[SpecProblem], source: str = "spec") -> None:
        self.problems = list(problems)
        self.source = source
        count = len(self.problems)
        summary = "; ".join(str(p) for p in self.problems[:3])
        more = f" (+{count - 3} more)" if count > 3 else ""
        super().__init__(f"{source} is invalid ({count} problem(s)): {summary}{more}")


class InvalidCursor(InvalidSpec):
    """A list's ``cursor`` is not one we issued: its own problem type, not a spec's."""

    code = "invalid_cursor"

    def __init__(self, path: str = "cursor") -> None:
        super().__init__([SpecProblem(path, "not a valid cursor")], "query")


class MediaError(AiprodError):
    """An input media file is missing, unreadable or not the media we need."""

    code = "media_error"

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class ProviderError(AiprodError):
    code = "provider_error"


class ProviderUnavailable(ProviderError):
    code = "provider_unavailable"


class ProviderRejectedInput(ProviderError):
    code = "provider_rejected_input"


class FFmpegError(AiprodError):
    """An ffmpeg or ffprobe process failed; carries the command and the end of stderr."""

    code = "ffmpeg_failed"

    def __init__(self, command: Sequence[str], returncode: int, stderr_tail: str) -> None:
        self.command = list(command)
        self.returncode = returncode
        self.stderr_tail = stderr_tail
        last = stderr_tail.strip().splitlines()[-1] if stderr_tail.strip() else "no output"
        super().__init__(f"{self.command[0]} exited with {returncode}: {last}")


class QAFailed(AiprodError):
    """The render finished but its QA gate failed; ``reasons`` says which checks."""

    code = "qa_failed"

    def __init__(self, reasons: Sequence[str]) -> None:
        self.reasons = list(reasons)
        super().__init__("QA gate failed: " + "; ".join(self.reasons))


class BudgetExceeded(AiprodError):
    """The estimated cost is over the budget; nothing was rendered."""

    code = "budget_exceeded"

    def __init__(self, estimate: float, budget: float, currency: str) -> None:
        self.estimate, self.budget, self.currency = estimate, budget, currency
        super().__init__(
            f"estimated cost {estimate:.4f} {currency} exceeds the budget of "
            f"{budget:.4f} {currency}; nothing was rendered"
        )


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


class UndecodableMedia(ApiError):
    """An image or video upload whose header probes but whose first frame does not decode."""

    code = "undecodable_media"


class OriginNotAllowed(ApiError):
    """A CORS preflight from an origin, or asking for a method or header, not allowed."""

    code = "origin_not_allowed"


class RateLimited(ApiError):
    """Too many requests from this client IP or API key; retry after ``retry_after_s``."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
