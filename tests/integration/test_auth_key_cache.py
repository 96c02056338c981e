"""The verified-key cache on SQLite and the real PostgreSQL: what it saves, how stale it
may be (revocation within the TTL), and that failures are never remembered."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, event
from sqlalchemy.orm import Session

from aiprod.auth import ApiKey, AuditEvent, Principal, audit, create_key, revoke_key
from aiprod.auth.key_cache import VerifiedKeyCache
from aiprod.db.base import utcnow
from aiprod.db.engine import ensure_migrated, make_engine, make_session_factory


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


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


def new_key(session: Session, *, expires_at: datetime | None = None) -> tuple[ApiKey, str]:
    key, full = create_key(
        session, name="ci", owner="ana", scopes=["jobs:read"], expires_at=expires_at
    )
    session.commit()
    return key, full


def count_statements(session: Session) -> list[str]:
    """Every SQL statement the session's engine runs from now on."""
    seen: list[str] = []
    engine = session.get_bind()

    @event.listens_for(engine, "before_cursor_execute")
    def record(*args: object) -> None:
        seen.append(str(args[2]))

    return seen


def test_a_verified_key_is_answered_from_memory_within_the_ttl(session: Session) -> None:
    key, full = new_key(session)
    cache = VerifiedKeyCache(5.0, clock=FakeClock())
    first = cache.verify(session, full)
    session.commit()
    statements = count_statements(session)
    second = cache.verify(session, full)
    assert first is not None and second == first
    assert (second.owner, second.key_id, second.scopes) == ("ana", key.id, {"jobs:read"})
    assert not any("api_keys" in sql for sql in statements)


def test_a_revoked_key_stops_working_once_the_ttl_has_passed(session: Session) -> None:
    key, full = new_key(session)
    clock = FakeClock()
    cache = VerifiedKeyCache(5.0, clock=clock)
    assert cache.verify(session, full) is not None
    revoke_key(session, key_id=key.id, actor="admin")
    session.commit()
    clock.now += 4.9
    assert cache.verify(session, full) is not None  # the documented staleness: < TTL
    clock.now += 0.2
    assert cache.verify(session, full) is None
    assert cache.verify(session, full) is None  # and a failure is not remembered either


def test_with_a_zero_ttl_revocation_takes_effect_at_once(session: Session) -> None:
    key, full = new_key(session)
    cache = VerifiedKeyCache(0.0, clock=FakeClock())
    assert cache.verify(session, full) is not None
    revoke_key(session, key_id=key.id, actor="admin")
    session.commit()
    assert cache.verify(session, full) is None


def test_clear_forgets_every_key(session: Session) -> None:
    key, full = new_key(session)
    cache = VerifiedKeyCache(60.0, clock=FakeClock())
    assert cache.verify(session, full) is not None
    revoke_key(session, key_id=key.id, actor="admin")
    session.commit()
    cache.clear()
    assert cache.verify(session, full) is None


def test_an_entry_never_outlives_the_keys_own_expiry(session: Session) -> None:
    _, full = new_key(session, expires_at=utcnow() + timedelta(seconds=0.5))
    cache = VerifiedKeyCache(60.0)  # real clocks: the key expires long before the TTL
    assert cache.verify(session, full) is not None
    time.sleep(0.6)
    assert cache.verify(session, full) is None


def test_every_failure_reaches_the_database_and_the_audit_trail(session: Session) -> None:
    key, full = new_key(session)
    wrong = full[:-1] + ("a" if full[-1] != "a" else "b")
    cache = VerifiedKeyCache(5.0, clock=FakeClock())
    assert cache.verify(session, wrong, request_id="r1") is None
    assert cache.verify(session, wrong, request_id="r2") is None
    session.commit()
    failed = audit.recent(session, 10, action="auth.failed")
    assert sorted(event.request_id or "" for event in failed) == ["r1", "r2"]
    assert {event.target for event in failed} == {key.prefix}


def test_the_oldest_entries_go_first_past_the_size_bound(session: Session) -> None:
    keys = [new_key(session) for _ in range(3)]
    cache = VerifiedKeyCache(5.0, max_entries=2, clock=FakeClock())
    for _, full in keys:
        assert cache.verify(session, full) is not None
    statements = count_statements(session)
    assert cache.verify(session, keys[2][1]) is not None  # newest: remembered
    assert not any("api_keys" in sql for sql in statements)
    assert cache.verify(session, keys[0][1]) is not None  # oldest: evicted, asked again
    assert any("api_keys" in sql for sql in statements)


def test_requests_arriving_together_make_one_verification(
    session: Session, jobs_db_url: str
) -> None:
    _, full = new_key(session)
    cache = VerifiedKeyCache(5.0, clock=FakeClock())
    engine = make_engine(jobs_db_url)
    factory = make_session_factory(engine)
    lookups: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if "api_keys" in statement and statement.lstrip().upper().startswith("SELECT"):
            lookups.append(statement)

    start = threading.Barrier(8)

    def one_request() -> Principal | None:
        start.wait()
        with factory() as own:
            principal = cache.verify(own, full)
            own.commit()
            return principal

    with ThreadPoolExecutor(8) as pool:
        principals = list(pool.map(lambda _: one_request(), range(8)))
    engine.dispose()
    assert all(p is not None and p.owner == "ana" for p in principals)
    assert len(lookups) == 1
