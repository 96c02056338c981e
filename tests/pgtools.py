"""Throwaway PostgreSQL databases for tests (the server from ``make services``).

When the server is unreachable, PostgreSQL cases skip on a laptop but fail when ``CI`` is
set. The ``pg_databases`` fixture (tests/conftest.py) drops what it created.
"""

from __future__ import annotations

import os
import secrets
from urllib.parse import quote

import psycopg
import pytest

PG_ADMIN_DSN = os.environ.get("AIPROD_TEST_PG_DSN", "host=127.0.0.1 port=5432 user=postgres")
PG_ADMIN_DB = "postgres"  # exists on every cluster, unlike the machine's `test`


def _pg_url(dsn: str, dbname: str) -> str:
    params = psycopg.conninfo.conninfo_to_dict(dsn)
    user, host, port = params.get("user", "postgres"), params.get("host"), params.get("port")
    password = params.get("password")
    login = f"{user}:{quote(password, safe='')}" if password else user
    return f"postgresql+psycopg://{login}@{host}:{port or 5432}/{dbname}"


def require_postgres() -> None:
    try:
        psycopg.connect(PG_ADMIN_DSN, dbname=PG_ADMIN_DB, connect_timeout=3).close()
    except psycopg.OperationalError as error:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI and unreachable: {error}")
        pytest.skip(f"PostgreSQL unreachable: {error}")


class PostgresDatabases:
    """Creates throwaway databases and drops them all at the end."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def create(self) -> str:
        name = f"aiprod_test_{secrets.token_hex(6)}"
        with psycopg.connect(PG_ADMIN_DSN, dbname=PG_ADMIN_DB, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.names.append(name)
        return _pg_url(PG_ADMIN_DSN, name)

    def drop_all(self) -> None:
        with psycopg.connect(PG_ADMIN_DSN, dbname=PG_ADMIN_DB, autocommit=True) as conn:
            for name in self.names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
