"""Errors of the database, branches of :class:`aiprod.errors.AiprodError`.

AiprodError
├── UnmigratedDatabase    the tables are missing or behind the code's migrations
└── DatabaseUnavailable   the database cannot be reached or opened (retry later)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import InterfaceError, OperationalError

from aiprod.errors import AiprodError


class UnmigratedDatabase(AiprodError):
    """The database is not at the latest job-table revision; run ``upgrade(url)``."""

    code = "unmigrated_database"

    def __init__(self, current: str | None, head: str) -> None:
        self.current, self.head = current, head
        super().__init__(
            f"job database is at revision {current or '<empty>'}, the code needs {head}; "
            "run 'aiprod db upgrade' first"
        )


class DatabaseUnavailable(AiprodError):
    """The job database cannot be reached or opened; the API answers 503 for this."""

    code = "database_unavailable"

    def __init__(self, reason: str) -> None:
        super().__init__(f"job database unavailable: {reason}")


@contextmanager
def database_errors() -> Iterator[None]:
    """Turn the driver's connection failures into DatabaseUnavailable (one line)."""
    try:
        yield
    except (OperationalError, InterfaceError) as exc:
        first = str(exc.orig if exc.orig is not None else exc).strip().splitlines()
        raise DatabaseUnavailable(first[0] if first else type(exc).__name__) from exc
