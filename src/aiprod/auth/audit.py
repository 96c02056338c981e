"""The audit trail: append one row per security-relevant action, read the latest.

Actions in use: ``key.created``, ``key.revoked``, ``key.rotated``, ``auth.failed`` (and,
from the jobs service, ``job.created``, ``job.canceled``, ``job.approved``). Rows are added
to the caller's session and committed with the caller's transaction. Never put a secret
in ``target`` or ``detail``.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from aiprod.auth.models import AuditEvent
from aiprod.db.base import core_table, utcnow

SYSTEM_ACTOR: Final = "system"
_INSERT = insert(core_table(AuditEvent))  # Core, built once: no ORM bulk path, no cache key work


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    target: str,
    detail: dict[str, Any] | None = None,
    request_id: str | None = None,
) -> None:
    """Insert one audit row in ``session``'s transaction (the caller commits).

    A single Core INSERT, not a unit-of-work flush: it runs on every job submission.
    """
    row = {"actor": actor, "action": action, "target": target, "detail": detail}
    session.execute(_INSERT, {"at": utcnow(), "request_id": request_id, **row})


def recent(session: Session, limit: int = 50, *, action: str | None = None) -> list[AuditEvent]:
    """The newest ``limit`` audit rows, newest first; only ``action`` rows when given."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return list(session.scalars(query))
