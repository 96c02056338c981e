"""Alembic environment of the job tables.

Run through :func:`aiprod.db.engine.upgrade`, which passes an open connection in
``config.attributes["connection"]``; the alembic CLI may instead set ``sqlalchemy.url``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import aiprod.auth.models
import aiprod.brandkits.models  # noqa: F401  (registers brand_kits on Base)
from aiprod.db.base import Base
from aiprod.db.engine import make_engine
from aiprod.jobs.outbox import OutboxMessage  # noqa: F401  (registers job_outbox on Base)


def run_migrations(connection: Connection) -> None:
    """Configure the migration context on ``connection`` and run the migrations."""
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Use the caller's connection, or open one from ``sqlalchemy.url``."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("set sqlalchemy.url or pass a connection in config.attributes")
    engine = make_engine(url)
    try:
        with engine.begin() as new_connection:
            run_migrations(new_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported")
run_online()
