"""API keys and their audit trail on SQLite and the real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, delete, inspect, select
from sqlalchemy.orm import Session

from aiprod.auth import (
    JOBS_READ,
    JOBS_WRITE,
    ApiKey,
    ApiKeyInactive,
    ApiKeyNotFound,
    AuditEvent,
    InvalidScopes,
    audit,
    create_key,
    list_keys,
    revoke_key,
    rotate_key,
    verify_key,
)
from aiprod.db.base import utcnow
from aiprod.db.engine import (
    current_revision,
    ensure_migrated,
    head_revision,
    make_engine,
    make_session_factory,
    upgrade,
)


@pytest.fixture
def session(jobs_db_url: str) -> Iterator[Session]:
    """A session on a migrated database with empty auth tables."""
    ensure_migrated(jobs_db_url)
    engine = make_engine(jobs_db_url)
    with engine.begin() as connection:  # the PostgreSQL database is shared per module
        connection.execute(delete(AuditEvent))
        connection.execute(delete(ApiKey))
    with make_session_factory(engine)() as db_session:
        yield db_session
    engine.dispose()


def failures(session: Session) -> list[AuditEvent]:
    return audit.recent(session, 100, action="auth.failed")


def new_key(
    session: Session,
    *,
    name: str = "ci",
    owner: str = "ana",
    scopes: tuple[str, ...] = (JOBS_READ,),
    expires_at: datetime | None = None,
) -> tuple[ApiKey, str]:
    key, full = create_key(session, name=name, owner=owner, scopes=scopes, expires_at=expires_at)
    session.commit()
    return key, full


def columns_of(event: AuditEvent) -> dict[str, object]:
    return {column.key: getattr(event, column.key) for column in inspect(AuditEvent).columns}


def test_a_created_key_verifies_with_its_scopes(session: Session) -> None:
    key, full = new_key(session, scopes=(JOBS_READ, JOBS_WRITE))
    principal = verify_key(session, full)
    session.commit()
    assert principal is not None
    assert (principal.owner, principal.key_id) == ("ana", key.id)
    assert principal.has(JOBS_WRITE) and not principal.is_admin
    stored = session.scalars(select(ApiKey)).one()
    assert full.split("_")[2] not in stored.secret_hash and stored.last_used_at is not None
    created = audit.recent(session, 10, action="key.created")
    assert [event.target for event in created] == [key.prefix]


def test_unknown_scopes_are_refused(session: Session) -> None:
    with pytest.raises(InvalidScopes):
        create_key(session, name="x", owner="ana", scopes=["root"])


@pytest.mark.parametrize("case", ["wrong_secret", "unknown_prefix", "malformed"])
def test_a_bad_key_fails_and_is_audited_without_its_secret(session: Session, case: str) -> None:
    key, full = new_key(session)
    presented = {
        "wrong_secret": f"{key.prefix}_{'A' * 32}",
        "unknown_prefix": f"aip_ZZZZZZZZ_{full.split('_')[2]}",
        "malformed": f"{full}!",
    }[case]
    assert verify_key(session, presented, request_id="req-1") is None
    session.commit()
    [event] = failures(session)
    expected_target = "aip_ZZZZZZZZ" if case == "unknown_prefix" else key.prefix
    assert event.actor == "system" and event.target == expected_target
    assert event.detail == {"reason": case} and event.request_id == "req-1"
    assert presented.split("_")[2][:32] not in repr(columns_of(event))


def test_revoked_and_expired_keys_fail(session: Session) -> None:
    revoked, revoked_full = new_key(session)
    revoke_key(session, key_id=revoked.id, actor="ana")
    session.commit()
    past = utcnow() - timedelta(seconds=1)
    _, expired_full = new_key(session, name="old", expires_at=past)
    assert verify_key(session, revoked_full) is None
    assert verify_key(session, expired_full) is None
    session.commit()
    reasons = sorted(str(event.detail) for event in failures(session))
    assert reasons == ["{'reason': 'expired'}", "{'reason': 'revoked'}"]
    assert len(audit.recent(session, 10, action="key.revoked")) == 1


def test_revoking_twice_is_harmless_and_unknown_ids_are_refused(session: Session) -> None:
    key, _ = new_key(session)
    revoke_key(session, key_id=key.id, actor="ana")
    revoke_key(session, key_id=key.id, actor="ana")
    session.commit()
    assert len(audit.recent(session, 10, action="key.revoked")) == 1
    with pytest.raises(ApiKeyNotFound):
        revoke_key(session, key_id="nope", actor="ana")


def test_rotation_replaces_the_old_key(session: Session) -> None:
    old, old_full = new_key(session, scopes=(JOBS_WRITE,))
    new, new_full = rotate_key(session, key_id=old.id, actor="ana")
    session.commit()
    assert verify_key(session, old_full) is None
    principal = verify_key(session, new_full)
    assert principal is not None and principal.scopes == frozenset({JOBS_WRITE})
    assert (new.name, new.owner, new.rotated_from) == (old.name, old.owner, old.id)
    assert len(audit.recent(session, 10, action="key.rotated")) == 1
    with pytest.raises(ApiKeyInactive):
        rotate_key(session, key_id=old.id, actor="ana")


def test_rotation_with_grace_keeps_the_old_key_briefly(session: Session) -> None:
    old, old_full = new_key(session)
    rotate_key(session, key_id=old.id, actor="ana", grace=timedelta(minutes=5))
    session.commit()
    assert verify_key(session, old_full) is not None
    later = utcnow() + timedelta(minutes=6)
    assert verify_key(session, old_full, now=later) is None


def test_last_used_is_written_at_most_once_a_minute(session: Session) -> None:
    key, full = new_key(session)
    start = utcnow()
    verify_key(session, full, now=start)
    verify_key(session, full, now=start + timedelta(seconds=30))
    assert key.last_used_at == start
    verify_key(session, full, now=start + timedelta(seconds=61))
    assert key.last_used_at == start + timedelta(seconds=61)


def test_listing_never_exposes_hashes(session: Session) -> None:
    new_key(session, owner="ana")
    new_key(session, owner="bo", name="other")
    listed = list_keys(session, owner="ana")
    assert [info.owner for info in listed] == ["ana"]
    assert len(list_keys(session)) == 2
    fields = asdict(listed[0])
    assert "secret_hash" not in fields
    stored_hash = session.scalars(select(ApiKey.secret_hash)).first()
    assert stored_hash is not None and stored_hash not in repr(fields)


def test_migration_0002_upgrades_from_0001(empty_db_url: str) -> None:
    upgrade(empty_db_url, "0001_create_jobs")
    assert current_revision(empty_db_url) == "0001_create_jobs"
    upgrade(empty_db_url)
    assert current_revision(empty_db_url) == head_revision()
    ensure_migrated(empty_db_url)
    engine: Engine = make_engine(empty_db_url)
    try:
        inspector = inspect(engine)
        assert {"api_keys", "audit_events"} <= set(inspector.get_table_names())
        unique = {ix["name"]: ix["unique"] for ix in inspector.get_indexes("api_keys")}
        assert unique["ix_api_keys_prefix"]
    finally:
        engine.dispose()
