"""Migrations of the job tables on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from aiprod.db.base import Base
from aiprod.db.engine import (
    current_revision,
    ensure_migrated,
    head_revision,
    is_up_to_date,
    make_engine,
    upgrade,
)
from aiprod.db.errors import UnmigratedDatabase


def test_empty_database_is_refused_until_migrated(empty_db_url: str) -> None:
    assert current_revision(empty_db_url) is None
    assert not is_up_to_date(empty_db_url)
    with pytest.raises(UnmigratedDatabase, match="<empty>") as caught:
        ensure_migrated(empty_db_url)
    assert caught.value.code == "unmigrated_database"

    upgrade(empty_db_url)

    assert current_revision(empty_db_url) == head_revision()
    assert is_up_to_date(empty_db_url)
    ensure_migrated(empty_db_url)


def test_upgrade_twice_is_harmless(empty_db_url: str) -> None:
    upgrade(empty_db_url)
    upgrade(empty_db_url)
    ensure_migrated(empty_db_url)


def test_migrations_match_the_models(empty_db_url: str) -> None:
    upgrade(empty_db_url)
    engine = make_engine(empty_db_url)
    try:
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert diff == []
