"""Who else hears of a job change: listeners registered by other domains.

The job domain writes its own rows (job, history, outbox); a domain that must act on a job
change *in the same transaction* (webhooks queue their deliveries) registers a listener here
instead of being imported by ``jobs/``, so the dependency points one way (``webhooks`` →
``jobs``). Registering is explicit and done where a process starts: the API's app factory,
``aiprod serve`` / ``aiprod worker``, and the integration tests' conftest
(:func:`aiprod.webhooks.listener.register`). Worker processes are spawned, so a pool passes
the references of the listeners registered in its parent (:func:`references`) and each
worker process loads them again (:func:`load`) before it claims a job.

    status_changed    every ``job_events`` row, in the transaction of the change
    stage_completed   a running job finished a stage and began the next
    creation_rows     on PostgreSQL a new job is created by one statement: a listener may
                      outer-join one table on the job's owner into it and gets the rows back
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Row
from sqlalchemy.orm import Session
from sqlalchemy.sql import FromClause


@dataclass(frozen=True, eq=False)
class CreationRows:
    """Rows a listener reads in the statement that creates a job on PostgreSQL.

    ``table`` (with an ``owner`` column) is outer-joined on the new job's owner; ``columns``
    (labelled) are returned with the job's id; ``created(session, values, rows)`` is called
    with the job's column values and those rows (one with NULLs when nothing matched)."""

    table: FromClause
    columns: tuple[ColumnElement[Any], ...]
    created: Callable[[Session, dict[str, Any], Sequence[Row[Any]]], None]


class JobListener(Protocol):
    """What a listener implements; every method runs inside the caller's transaction."""

    creation_rows: CreationRows | None

    def status_changed(
        self,
        session: Session,
        *,
        job_id: str,
        from_status: str | None,
        to_status: str,
        reason: str,
    ) -> None: ...

    def stage_completed(self, session: Session, *, job_id: str, stage: str) -> None: ...


_LISTENERS: dict[str, JobListener] = {}


def reference(factory: type[JobListener]) -> str:
    """``module:QualName`` of a listener class, the form :func:`load` imports."""
    return f"{factory.__module__}:{factory.__qualname__}"


def register(factory: type[JobListener]) -> None:
    """Register a listener (a class built with no arguments); registering twice is a no-op."""
    key = reference(factory)
    if key not in _LISTENERS:
        _LISTENERS[key] = factory()


def unregister(factory: type[JobListener]) -> None:
    """Remove a listener (tests that need a job domain with no one listening)."""
    _LISTENERS.pop(reference(factory), None)


def references() -> tuple[str, ...]:
    """The registered listeners, as references a spawned process can :func:`load`."""
    return tuple(_LISTENERS)


def load(refs: Iterable[str]) -> None:
    """Import and register each ``module:QualName`` reference (in a spawned worker)."""
    for ref in refs:
        module, _, name = ref.partition(":")
        register(getattr(importlib.import_module(module), name))


def listeners() -> tuple[JobListener, ...]:
    """The registered listeners, in registration order."""
    return tuple(_LISTENERS.values())


def creation_rows() -> CreationRows | None:
    """The one listener's rows to join into a job's creation on PostgreSQL, if any."""
    found = [lst.creation_rows for lst in _LISTENERS.values() if lst.creation_rows is not None]
    if len(found) > 1:
        raise RuntimeError("more than one job listener joins rows into job creation")
    return found[0] if found else None
