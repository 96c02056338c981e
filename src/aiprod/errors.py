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
    └── BudgetExceeded               the estimate is over the caller's budget: refused before work

The CLI prints ``str(error)`` as one line and exits non-zero; the API (later) maps ``code``
to an HTTP status in one table.
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
