"""API-key services: create, verify, revoke, rotate and list keys.

Keyword-only functions over a SQLAlchemy session; the caller commits (also after a failed
verification, so its ``auth.failed`` audit row is kept). No web framework here, so the API,
the worker and the CLI share them.

Rotation issues a new key with the same name, owner and scopes and sets the old key's
``revoked_at`` to ``now + grace``. The default grace is zero: the old key stops working at
once. A caller that must roll clients over without downtime passes a short ``grace``;
verification treats a key as revoked from its ``revoked_at`` on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from aiprod.auth import audit, hashing
from aiprod.auth.errors import ApiKeyInactive, ApiKeyNotFound
from aiprod.auth.models import ApiKey
from aiprod.auth.principal import Principal, validate_scopes
from aiprod.db.base import utcnow

# last_used_at is written at most this often per key, not on every request.
LAST_USED_RESOLUTION: Final = timedelta(minutes=1)


@dataclass(frozen=True)
class ApiKeyInfo:
    """What a listing shows of a key: never the secret nor its hash."""

    id: str
    name: str
    owner: str
    prefix: str
    scopes: frozenset[str]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    rotated_from: str | None

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyInfo:
        """The public view of ``key``."""
        return cls(
            id=key.id,
            name=key.name,
            owner=key.owner,
            prefix=key.prefix,
            scopes=frozenset(key.scopes),
            created_at=key.created_at,
            expires_at=key.expires_at,
            revoked_at=key.revoked_at,
            last_used_at=key.last_used_at,
            rotated_from=key.rotated_from,
        )


def _is_active(key: ApiKey, now: datetime) -> bool:
    revoked = key.revoked_at is not None and key.revoked_at <= now
    expired = key.expires_at is not None and key.expires_at <= now
    return not (revoked or expired)


def _new_key(
    *, name: str, owner: str, scopes: Iterable[str], expires_at: datetime | None
) -> tuple[ApiKey, str]:
    granted = validate_scopes(scopes)
    prefix, secret = hashing.new_prefix(), hashing.new_secret()
    key = ApiKey(
        name=name,
        owner=owner,
        prefix=prefix,
        secret_hash=hashing.hash_secret(secret),
        scopes=sorted(granted),
        created_at=utcnow(),
        expires_at=expires_at,
    )
    return key, hashing.format_key(prefix, secret)


def create_key(
    session: Session,
    *,
    name: str,
    owner: str,
    scopes: Iterable[str],
    expires_at: datetime | None = None,
    actor: str | None = None,
    request_id: str | None = None,
) -> tuple[ApiKey, str]:
    """Add a key and return it with its full secret, which is never retrievable again."""
    key, full = _new_key(name=name, owner=owner, scopes=scopes, expires_at=expires_at)
    session.add(key)
    session.flush()
    audit.record(
        session,
        actor=actor or owner,
        action="key.created",
        target=key.prefix,
        detail={"key_id": key.id, "name": name, "scopes": key.scopes},
        request_id=request_id,
    )
    return key, full


def _fail(session: Session, *, prefix: str | None, reason: str, request_id: str | None) -> None:
    audit.record(
        session,
        actor=audit.SYSTEM_ACTOR,
        action="auth.failed",
        target=prefix or "<malformed>",
        detail={"reason": reason},
        request_id=request_id,
    )


def _check(key: ApiKey | None, secret: str, now: datetime) -> str | None:
    """Why ``key`` does not authenticate ``secret`` at ``now``; ``None`` when it does."""
    if key is None:
        hashing.verify_secret(secret, hashing.DUMMY_HASH)  # same work as a known prefix
        return "unknown_prefix"
    if not hashing.verify_secret(secret, key.secret_hash):
        return "wrong_secret"
    if key.revoked_at is not None and key.revoked_at <= now:
        return "revoked"
    if key.expires_at is not None and key.expires_at <= now:
        return "expired"
    return None


@dataclass(frozen=True)
class VerifiedKey:
    """A key that authenticated: its principal, and when it stops working (if ever)."""

    principal: Principal
    valid_until: datetime | None


def authenticate_key(
    session: Session, presented: str, *, now: datetime | None = None, request_id: str | None = None
) -> VerifiedKey | None:
    """Like :func:`verify_key`, also telling until when the key stays valid."""
    now = now or utcnow()
    parsed = hashing.parse_key(presented)
    if parsed is None:
        prefix = hashing.public_prefix(presented)
        _fail(session, prefix=prefix, reason="malformed", request_id=request_id)
        return None
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == parsed.prefix))
    reason = _check(key, parsed.secret, now)
    if key is None or reason is not None:
        _fail(session, prefix=parsed.prefix, reason=reason or "", request_id=request_id)
        return None
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        key.last_used_at = now
    ends = [moment for moment in (key.revoked_at, key.expires_at) if moment is not None]
    principal = Principal(owner=key.owner, key_id=key.id, scopes=frozenset(key.scopes))
    return VerifiedKey(principal, min(ends, default=None))


def verify_key(
    session: Session, presented: str, *, now: datetime | None = None, request_id: str | None = None
) -> Principal | None:
    """The principal of a valid, active key; ``None`` (and an audit row) otherwise."""
    verified = authenticate_key(session, presented, now=now, request_id=request_id)
    return None if verified is None else verified.principal


def _get(session: Session, key_id: str) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None:
        raise ApiKeyNotFound(key_id)
    return key


def revoke_key(
    session: Session,
    *,
    key_id: str,
    actor: str,
    now: datetime | None = None,
    request_id: str | None = None,
) -> ApiKey:
    """Revoke a key now; revoking an already revoked key changes nothing."""
    now = now or utcnow()
    key = _get(session, key_id)
    if key.revoked_at is not None and key.revoked_at <= now:
        return key
    key.revoked_at = now
    audit.record(
        session,
        actor=actor,
        action="key.revoked",
        target=key.prefix,
        detail={"key_id": key.id},
        request_id=request_id,
    )
    return key


def rotate_key(
    session: Session,
    *,
    key_id: str,
    actor: str,
    grace: timedelta = timedelta(0),
    now: datetime | None = None,
    request_id: str | None = None,
) -> tuple[ApiKey, str]:
    """Replace an active key: a new key and secret; the old one is revoked after ``grace``."""
    now = now or utcnow()
    old = _get(session, key_id)
    if not _is_active(old, now):
        raise ApiKeyInactive(key_id)
    new, full = _new_key(
        name=old.name, owner=old.owner, scopes=old.scopes, expires_at=old.expires_at
    )
    new.rotated_from = old.id
    old.revoked_at = now + grace
    session.add(new)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="key.rotated",
        target=old.prefix,
        detail={
            "old_key_id": old.id,
            "new_key_id": new.id,
            "new_prefix": new.prefix,
            "grace_seconds": grace.total_seconds(),
        },
        request_id=request_id,
    )
    return new, full


def list_keys(session: Session, *, owner: str | None = None) -> list[ApiKeyInfo]:
    """Every key (or every key of ``owner``), oldest first, without secrets or hashes."""
    query = select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)
    if owner is not None:
        query = query.where(ApiKey.owner == owner)
    return [ApiKeyInfo.of(key) for key in session.scalars(query)]
