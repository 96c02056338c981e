"""`aiprod keys`: the secret is printed once, only its hash is stored, revocation works."""

from __future__ import annotations

import json
from pathlib import Path

from cli_runner import run_aiprod as aiprod

from aiprod.auth.keys import verify_key
from aiprod.db.engine import make_engine, make_session_factory


def verify(data_dir: Path, secret: str) -> bool:
    engine = make_engine(f"sqlite:///{data_dir / 'aiprod.db'}")
    try:
        with make_session_factory(engine)() as session, session.begin():
            return verify_key(session, secret) is not None
    finally:
        engine.dispose()


def test_keys_need_a_migrated_database(tmp_path: Path) -> None:
    done = aiprod("keys", "create", "--name", "ci", data_dir=tmp_path)
    assert done.returncode == 1 and "aiprod db upgrade" in done.stderr


def test_create_list_revoke(tmp_path: Path) -> None:
    assert aiprod("db", "upgrade", data_dir=tmp_path).returncode == 0
    created = aiprod("keys", "create", "--name", "ci", "--scope", "jobs:read", data_dir=tmp_path)
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip()
    assert secret.startswith("aip_") and len(secret) > 40
    assert verify(tmp_path, secret)
    listing = aiprod("keys", "list", "--json", data_dir=tmp_path)
    assert secret not in listing.stdout
    (row,) = json.loads(listing.stdout)
    assert row["prefix"] == secret[:12] and row["scopes"] == ["jobs:read"]
    assert "hash" not in json.dumps(row)
    assert secret.encode() not in (tmp_path / "aiprod.db").read_bytes()  # only a hash is kept
    key_id = created.stderr.split()[2]
    assert aiprod("keys", "revoke", key_id, data_dir=tmp_path).returncode == 0
    assert not verify(tmp_path, secret)
    bad = aiprod("keys", "create", "--name", "x", "--scope", "root", data_dir=tmp_path)
    assert bad.returncode == 1 and bad.stderr.startswith("error:")
