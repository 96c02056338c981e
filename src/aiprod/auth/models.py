"""API keys and the audit trail, declared on the job tables' :class:`Base`.

Sharing ``Base`` keeps one metadata for the job database, so the Alembic environment and
the model-versus-migration check see these tables with the job tables.
``api_keys`` never holds a secret: only its salted hash (see :mod:`aiprod.auth.hashing`).
"""

from __future__ import annotations

import secrets
import time
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from aiprod.db.base import JSON_TYPE, Base, JsonDict, UTCDateTime, utcnow


def new_key_id() -> str:
    """A 32-hex-digit id that sorts by creation time (48-bit ms clock, 80 random bits)."""
    return f"{time.time_ns() // 1_000_000:012x}{secrets.randbits(80):020x}"


class ApiKey(Base):
    """One API key: public prefix, salted secret hash, scopes and lifecycle times."""

    __tablename__ = "api_keys"
    __table_args__ = (
        Index("ix_api_keys_prefix", "prefix", unique=True),
        Index("ix_api_keys_owner", "owner"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_key_id)
    name: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(32))
    secret_hash: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[list[str]] = mapped_column(JSON_TYPE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rotated_from: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("api_keys.id", ondelete="SET NULL")
    )


class AuditEvent(Base):
    """One security-relevant action: who, what, on what, when, and for which request."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_at", "at"),
        Index("ix_audit_events_actor_at", "actor", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(50))
    target: Mapped[str] = mapped_column(Text)
    detail: Mapped[JsonDict | None] = mapped_column(JSON_TYPE)
    request_id: Mapped[str | None] = mapped_column(String(100))
