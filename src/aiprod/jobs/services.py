"""Keyword-only job services behind the API; no web framework here, the caller commits.

Idempotency: the first submission with an ``Idempotency-Key`` creates the job (202); a
repeat by the same owner with the same key and the same body returns that job (200); the
same key with a different body is a :class:`Conflict` (409).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from aiprod.auth import Principal, audit
from aiprod.config import Settings
from aiprod.errors import Conflict, InvalidCursor, InvalidSpec, NotFound, SpecProblem
from aiprod.intake import validate_spec
from aiprod.jobs import store
from aiprod.jobs.choices import BriefChoices, check_choices
from aiprod.jobs.estimates import estimate_request
from aiprod.jobs.filters import JobFilter, newest_first, visible_jobs
from aiprod.jobs.models import Job
from aiprod.jobs.pg_insert import CreationAudit
from aiprod.jobs.policy import JobKind
from aiprod.net.targets import job_webhook_fields
from aiprod.observability.tracing import with_trace_context, without_trace_context
from aiprod.spec.formats import format_fields
from aiprod.spec.presets import available_presets

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Submission:
    """A validated job request, ready to store."""

    kind: str
    request: dict[str, Any]
    preset: str | None
    review: bool = False
    search_text: str | None = None


def validate_submission(
    *,
    brief: str | None,
    spec: dict[str, Any] | None,
    preset: str | None,
    review: bool,
    duration_s: float | None,
    presets_file: Path | None,
    webhook_url: str | None = None,
    webhook_networks: Sequence[str] | None = None,
    media_roots: Sequence[Path] | None = None,
    formats: Sequence[str] | None = None,
    brand_kit: dict[str, Any] | None = None,
    choices: BriefChoices | None = None,
) -> Submission:
    """Check the whole request before anything is stored; InvalidSpec lists every problem.

    With ``media_roots`` (API callers: see :mod:`aiprod.uploads.media_paths`), every file a spec
    names must lie inside them; relative paths are taken in the first root.

    ``webhook_url`` is kept in the request (see docs/webhooks.md); ``webhook_networks`` is
    the operator's allow-list for literal addresses (None: checked at sending only).
    ``formats`` (see :mod:`aiprod.spec.formats`) is kept in the request when given.

    ``brand_kit`` (:func:`aiprod.brandkits.service.job_brand`, a stored kit) is applied: a
    spec takes its brand and glossary (the spec's own words win), a brief keeps it in the
    request for the planner.

    ``choices`` (language, voice, music mood) apply to a brief; a spec sets its own.
    """
    choices = choices or BriefChoices()
    if problems := check_choices(choices, brief if spec is None else None):
        raise InvalidSpec(problems)
    hook = {**job_webhook_fields(webhook_url, allow_networks=webhook_networks)}
    hook.update(format_fields(formats))
    if spec is not None:
        if brand_kit is not None:
            glossary = spec.get("glossary")
            spoken = {**brand_kit["glossary"], **(glossary if isinstance(glossary, dict) else {})}
            spec = {**spec, "brand": brand_kit["brand"], "glossary": spoken}
        parsed, _ = validate_spec(
            spec,
            presets_file=presets_file,
            source="spec",
            prefix="spec",
            preset=preset,
            media_roots=media_roots,
        )
        request = {"spec": parsed.model_dump(mode="json"), "review": review, **hook}
        text = " ".join(scene.narration for scene in parsed.scenes).strip()
        return Submission(JobKind.SPEC.value, request, parsed.preset, review, text or None)
    if preset is not None and preset not in available_presets(presets_file):
        known = ", ".join(sorted(available_presets(presets_file)))
        raise InvalidSpec([SpecProblem("preset", f"unknown preset '{preset}' (known: {known})")])
    request = {
        "brief": brief,
        "preset": preset,
        "duration_s": duration_s,
        "review": review,
        **choices.fields(),
        **hook,
    }
    if brand_kit is not None:
        request["brand_kit"] = brand_kit
    return Submission(JobKind.BRIEF.value, request, preset, review, brief)


def estimate_submission(
    submission: Submission, settings: Settings, *, quick: bool = True
) -> dict[str, Any]:
    """The cost estimate of a validated submission, priced without planning it.

    ``quick`` (job submission) prices a brief from the planner's outline without drafting
    its script; ``POST /v1/estimate`` drafts it. Planning replaces the job's estimate.
    """
    return estimate_request(
        kind=submission.kind, request=submission.request, settings=settings, quick=quick
    )


def submit_job(
    session: Session,
    *,
    principal: Principal,
    submission: Submission,
    idempotency_key: str | None,
    request_id: str | None = None,
    settings: Settings | None = None,
) -> tuple[Job, bool]:
    """Store a queued job; return it and whether it is new (False: an idempotent replay).

    With ``settings``, the job also carries its cost estimate (``job.cost_estimate``).
    """
    estimate = estimate_submission(submission, settings) if settings is not None else None
    noted = CreationAudit({"kind": submission.kind, "key_id": principal.key_id}, request_id)
    job, created = store.insert_job(
        session,
        owner=principal.owner,
        kind=submission.kind,
        request=with_trace_context(submission.request),  # workers continue this trace
        preset=submission.preset,
        idempotency_key=idempotency_key,
        review=submission.review,
        search_text=submission.search_text,
        cost_estimate=estimate,
        audit=noted,  # the job.created audit row, written with the job
    )
    if not created:  # the key was used before: an idempotent replay
        if without_trace_context(job.request) != submission.request:
            raise Conflict("this Idempotency-Key was used with a different request")
        return job, False
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
    """The (created_at, id) a cursor points after; InvalidCursor when it is not ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, job_id = raw.split("|", 1)
        at = datetime.fromisoformat(stamp)
    except ValueError:
        raise InvalidCursor() from None
    if at.tzinfo is None:
        raise InvalidCursor()
    return at, job_id


def list_jobs(
    session: Session,
    *,
    principal: Principal,
    job_filter: JobFilter | None = None,
    limit: int = 20,
    cursor: str | None = None,
) -> tuple[list[Job], str | None]:
    """One page of visible jobs passing ``job_filter``, newest first, and the next cursor.

    The cursor does not carry the filters: callers repeat them with each ``cursor``.
    """
    query = visible_jobs(principal, job_filter or JobFilter())
    after = decode_cursor(cursor) if cursor is not None else None
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    query = newest_first(query, after).limit(limit + 1)
    jobs = list(session.scalars(query))
    more = len(jobs) > limit
    jobs = jobs[:limit]
    return jobs, encode_cursor(jobs[-1]) if more else None
