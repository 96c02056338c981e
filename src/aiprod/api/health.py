"""Readiness checks: the database answers and is migrated, FFmpeg is installed."""

from __future__ import annotations

import shutil

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from aiprod.api.exceptions import NotReady
from aiprod.jobs.errors import UnmigratedDatabase, database_errors


def check_readiness(*, engine: Engine, head: str) -> dict[str, str]:
    """Per-check results; raise DatabaseUnavailable/UnmigratedDatabase when not ready."""
    with database_errors(), engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current != head:
        raise UnmigratedDatabase(current, head)
    if shutil.which("ffmpeg") is None:
        raise NotReady("ffmpeg is not installed")
    return {"database": "ok", "ffmpeg": "ok"}
