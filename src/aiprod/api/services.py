"""Keyword-only job services behind the API; no web framework here, the caller commits.

Idempotency: the first submission with an ``Idempotency-Key`` creates the job (202); a
repeat by the same owner with the same key and the same body returns that job (200); the
same key with a different body is a :class:`Conflict` (409).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from aiprod.api.exceptions import Conflict, NotFound
from aiprod.auth import Principal, audit
from aiprod.errors import InvalidSpec, SpecProblem
from aiprod.jobs import store
from aiprod.jobs.models import Job
from aiprod.jobs.policy import JobKind
from aiprod.spec.load import check_semantics, parse_spec
from aiprod.spec.presets import available_presets

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Submission:
    """A validated job request, ready to store."""

    kind: str
    request: dict[str, Any]
    preset: str | None


def _prefixed(problems: list[SpecProblem], prefix: str) -> list[SpecProblem]:
    return [SpecProblem(f"{prefix}.{p.path}" if p.path else prefix, p.message) for p in problems]


def validate_submission(
    *,
    brief: str | None,
    spec: dict[str, Any] | None,
    preset: str | None,
    review: bool,
    duration_s: float | None,
    presets_file: Path | None,
) -> Submission:
    """Check the whole request before anything is stored; InvalidSpec lists every problem."""
    if spec is not None:
        try:
            parsed = parse_spec(spec, source="spec")
        except InvalidSpec as exc:
            raise InvalidSpec(_prefixed(exc.problems, "spec"), "spec") from None
        if preset:
            parsed = parsed.model_copy(update={"preset": preset})
        problems, _ = check_semantics(parsed, presets_file)
        if problems:
            raise InvalidSpec(_prefixed(problems, "spec"), "spec")
        request = {"spec": parsed.model_dump(mode="json"), "review": review}
        return Submission(JobKind.SPEC.value, request, parsed.preset)
    if preset is not None and preset not in available_presets(presets_file):
        known = ", ".join(sorted(available_presets(presets_file)))
        raise InvalidSpec([SpecProblem("preset", f"unknown preset '{preset}' (known: {known})")])
    request = {"brief": brief, "preset": preset, "duration_s": duration_s, "review": review}
    return Submission(JobKind.BRIEF.value, request, preset)


def submit_job(
    session: Session,
    *,
    principal: Principal,
    submission: Submission,
    idempotency_key: str | None,
    request_id: str | None = None,
) -> tuple[Job, bool]:
    """Store a queued job; return it and whether it is new (False: an idempotent replay)."""
    if idempotency_key is not None:
        query = select(Job).where(
            Job.owner == principal.owner, Job.idempotency_key == idempotency_key
        )
        existing = session.scalars(query).one_or_none()
        if existing is not None:
            if existing.request != submission.request:
                raise Conflict("this Idempotency-Key was used with a different request")
            return existing, False
    job = store.create_job(
        session,
        owner=principal.owner,
        kind=submission.kind,
        request=submission.request,
        preset=submission.preset,
        idempotency_key=idempotency_key,
    )
    audit.record(
        session,
        actor=principal.owner,
        action="job.created",
        target=job.id,
        detail={"kind": job.kind, "key_id": principal.key_id},
        request_id=request_id,
    )
    return job, True


def get_job(session: Session, *, principal: Principal, job_id: str) -> Job:
    """The job if the principal owns it (or is admin); NotFound otherwise, never 'forbidden'."""
    job = session.get(Job, job_id)
    if job is None or not (principal.is_admin or job.owner == principal.owner):
        raise NotFound(f"no job {job_id}")
    return job


def cancel_job(
    session: Session, *, principal: Principal, job_id: str, request_id: str | None = None
) -> Job:
    """Cancel a queued job (or flag a running one); Conflict when it already finished."""
    job = get_job(session, principal=principal, job_id=job_id)
    if not store.request_cancel(session, job_id=job_id):
        raise Conflict(f"job {job_id} is already {job.status}")
    audit.record(
        session,
        actor=principal.owner,
        action="job.canceled",
        target=job_id,
        detail={"key_id": principal.key_id},
        request_id=request_id,
    )
    session.flush()
    session.refresh(job)
    return job


def encode_cursor(job: Job) -> str:
    """An opaque cursor after ``job`` in (created_at, id) descending order."""
    raw = f"{job.created_at.isoformat()}|{job.id}".encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The (created_at, id) a cursor points after; InvalidSpec when it is not ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, job_id = raw.split("|", 1)
        at = datetime.fromisoformat(stamp)
    except ValueError:
        raise InvalidSpec([SpecProblem("cursor", "not a valid cursor")], "query") from None
    if at.tzinfo is None:
        raise InvalidSpec([SpecProblem("cursor", "not a valid cursor")], "query")
    return at, job_id


def list_jobs(
    session: Session,
    *,
    principal: Principal,
    status: str | None = None,
    limit: int = 20,
    cursor: str | None = None,
) -> tuple[list[Job], str | None]:
    """One page of visible jobs, newest first, and the cursor of the next page (or None)."""
    query = select(Job)
    if not principal.is_admin:
        query = query.where(Job.owner == principal.owner)
    if status is not None:
        query = query.where(Job.status == status)
    if cursor is not None:
        at, job_id = decode_cursor(cursor)
        query = query.where(or_(Job.created_at < at, and_(Job.created_at == at, Job.id < job_id)))
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    query = query.order_by(Job.created_at.desc(), Job.id.desc()).limit(limit + 1)
    jobs = list(session.scalars(query))
    more = len(jobs) > limit
    jobs = jobs[:limit]
    return jobs, encode_cursor(jobs[-1]) if more else None
