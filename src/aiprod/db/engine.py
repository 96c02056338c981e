"""Engines, sessions and migrations of the job database (SQLite or PostgreSQL).

The database URL is always a parameter: settings are read in :mod:`aiprod.config` only.
SQLite runs in WAL mode and every transaction starts with ``BEGIN IMMEDIATE``, so a
claim's read and write happen under one write lock and never fail with a lock upgrade.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from aiprod.db.errors import UnmigratedDatabase

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_MS = 10_000
# PostgreSQL pool: keep as many connections as an API process has request threads busy at
# once (a connection opened per request past ``pool_size`` costs more than the query).
# No ``pool_pre_ping``: it is a round trip per request. A connection that died under us
# (server restart) fails one request with 503 (DatabaseUnavailable), and SQLAlchemy then
# discards every pooled connection made before the failure; recycling bounds their age.
POSTGRES_POOL: Final[dict[str, Any]] = {
    "pool_size": 20,
    "max_overflow": 20,
    "pool_timeout": 10,
    "pool_recycle": 1800,
}


def make_engine(url: str | URL, **engine_options: Any) -> Engine:
    """An engine for ``url``; ``postgresql://`` uses psycopg 3, SQLite gets WAL and FKs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, **engine_options)
        _configure_sqlite(engine)
        return engine
    return create_engine(parsed, **{**POSTGRES_POOL, **engine_options})


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event own transactions instead of pysqlite's guesswork.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


Executor = Session | Connection  # what read-only Core queries accept: a session or a connection


def dialect_of(db: Executor) -> str:
    """``postgresql`` or ``sqlite``: the dialect behind a session or connection."""
    return (db.get_bind() if isinstance(db, Session) else db).dialect.name


def read_only_engine(engine: Engine) -> Engine:
    """``engine`` for reads that need no snapshot across statements: autocommit on
    PostgreSQL (no BEGIN and COMMIT round trips); SQLite keeps its transactions."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    return engine


def make_session_factory(engine: Engine, *, read_only: bool = False) -> sessionmaker[Session]:
    """Sessions bound to ``engine``; objects stay readable after commit.

    ``read_only`` sessions on PostgreSQL run each statement on its own (autocommit): for
    single reads, that saves the BEGIN and COMMIT round trips. SQLite keeps its
    transactions (they are what serialises it; see the module docstring).
    """
    return sessionmaker(
        bind=read_only_engine(engine) if read_only else engine, expire_on_commit=False
    )


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The newest migration revision shipped with the code."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None, "the migrations directory has no revisions"
    return head


def upgrade(url: str | URL, revision: str = "head") -> None:
    """Apply the job-table migrations to the database at ``url`` (idempotent)."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            config = _alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def current_revision(url: str | URL) -> str | None:
    """The migration revision the database is at; ``None`` for an unmigrated database."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def is_up_to_date(url: str | URL) -> bool:
    """True when the database is at the newest revision."""
    return current_revision(url) == head_revision()


def ensure_migrated(url: str | URL) -> None:
    """Raise :class:`UnmigratedDatabase` unless the database is at the newest revision."""
    current, head = current_revision(url), head_revision()
    if current != head:
        raise UnmigratedDatabase(current, head)
