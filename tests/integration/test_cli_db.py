"""`aiprod db upgrade` and `aiprod db status` on SQLite and the real PostgreSQL."""

from __future__ import annotations

import subprocess
from pathlib import Path

from cli_runner import run_aiprod

from aiprod.db.engine import head_revision


def aiprod(*args: str, data_dir: Path, url: str | None = None) -> subprocess.CompletedProcess[str]:
    extra = {"AIPROD_DATABASE_URL": url} if url is not None else None
    return run_aiprod(*args, data_dir=data_dir, extra_env=extra)


def test_status_refuses_then_upgrade_migrates(empty_db_url: str, tmp_path: Path) -> None:
    before = aiprod("db", "status", data_dir=tmp_path, url=empty_db_url)
    assert before.returncode == 1 and "aiprod db upgrade" in before.stderr
    done = aiprod("db", "upgrade", data_dir=tmp_path, url=empty_db_url)
    assert done.returncode == 0, done.stderr
    assert "was empty" in done.stdout
    again = aiprod("db", "upgrade", data_dir=tmp_path, url=empty_db_url)  # idempotent
    assert again.returncode == 0 and f"was {head_revision()}" in again.stdout
    assert aiprod("db", "status", data_dir=tmp_path, url=empty_db_url).returncode == 0


def test_default_database_is_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    done = aiprod("db", "upgrade", data_dir=tmp_path / "data")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "data" / "aiprod.db").is_file()


def test_unreachable_database_is_one_line(tmp_path: Path) -> None:
    done = aiprod(
        "db", "upgrade", data_dir=tmp_path, url="postgresql+psycopg://nobody@127.0.0.1:1/none"
    )
    assert done.returncode == 1
    assert done.stderr.startswith("error: job database unavailable:")
    assert "Traceback" not in done.stderr and done.stderr.strip().count("\n") == 0
