"""Batches: up to 100 jobs queued by one all-or-nothing request; no web framework here.

Every item is validated before anything is stored, and every problem is reported at once
with its item's path (``jobs.3.brief``, ``jobs.0.spec.scenes.0.narration``). The batch and
all its jobs are then added in the caller's transaction. An ``Idempotency-Key`` works as
for single jobs: same owner, key and items (in order) → the same batch; other items → 409.

A batch has no status of its own; it is derived from its jobs' statuses, first rule wins:

    queued           every job is queued: none has started
    running          some job is queued, planning or rendering
    awaiting_review  nothing is queued or running, and some job waits for review approval
    failed           every job has ended, and some job failed or is dead
    canceled         every job has ended, none failed, and some job was canceled
    succeeded        every job succeeded

Progress is the mean of the jobs' progress, where a job that has ended counts as 1.0
(nothing is left to do for it), so a batch whose jobs have all ended is at 1.0.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aiprod.auth import Principal, audit
from aiprod.config import Settings
from aiprod.errors import Conflict, InvalidSpec, NotFound, SpecProblem
from aiprod.jobs import store
from aiprod.jobs.choices import BriefChoices
from aiprod.jobs.models import Batch, Job, JobEvent
from aiprod.jobs.policy import TERMINAL, JobStatus
from aiprod.jobs.services import Submission, estimate_submission, validate_submission
from aiprod.observability.tracing import with_trace_context, without_trace_context
from aiprod.spec.load import problems_from

RUNNING = frozenset({JobStatus.QUEUED, JobStatus.PLANNING, JobStatus.RENDERING})
FAILED = frozenset({JobStatus.FAILED, JobStatus.DEAD})


@dataclass(frozen=True)
class BatchView:
    """A batch with its jobs (in submission order) and what they add up to."""

    batch: Batch
    jobs: list[Job]
    status: str
    counts: dict[str, int]
    progress: float


def _at(prefix: str, problems: list[SpecProblem]) -> list[SpecProblem]:
    return [SpecProblem(f"{prefix}.{p.path}" if p.path else prefix, p.message) for p in problems]


class JobRequest(Protocol):
    """One item of a batch once parsed: the fields of a ``POST /v1/jobs`` body."""

    brief: str | None
    spec: dict[str, Any] | None
    preset: str | None
    review: bool
    duration_s: float | None
    webhook_url: str | None
    formats: list[str] | None

    def choices(self) -> BriefChoices:
        """The brief's explicit language, voice and music mood."""
        ...


ParseItem = Callable[[Mapping[str, Any]], JobRequest]


def _validate_item(
    item: Mapping[str, Any],
    parse_item: ParseItem,
    presets_file: Path | None,
    media_roots: Sequence[Path] | None,
) -> Submission:
    try:
        body = parse_item(item)
    except ValidationError as exc:
        raise InvalidSpec(problems_from(exc), "job") from None
    if getattr(body, "brand_kit", None) is not None:
        problem = SpecProblem("brand_kit", "brand kits apply to single jobs (POST /v1/jobs) only")
        raise InvalidSpec([problem], "job")
    return validate_submission(
        brief=body.brief,
        spec=body.spec,
        preset=body.preset,
        review=body.review,
        duration_s=body.duration_s,
        presets_file=presets_file,
        webhook_url=body.webhook_url,  # its address is checked when sending
        media_roots=media_roots,
        formats=body.formats,
        choices=body.choices(),
    )


def validate_batch(
    items: Sequence[Mapping[str, Any]],
    *,
    parse_item: ParseItem,
    presets_file: Path | None,
    media_roots: Sequence[Path] | None = None,
) -> list[Submission]:
    """Every item as a submission; InvalidSpec naming ``jobs.<i>…`` for every problem.

    ``parse_item`` reads one item as a job request (the API passes its ``JobCreate``
    schema's validator; a pydantic ``ValidationError`` becomes problems of that item)."""
    submissions: list[Submission] = []
    problems: list[SpecProblem] = []
    for index, item in enumerate(items):
        try:
            submissions.append(_validate_item(item, parse_item, presets_file, media_roots))
        except InvalidSpec as exc:
            problems += _at(f"jobs.{index}", exc.problems)
    if problems:
        raise InvalidSpec(problems, "batch")
    return submissions


def create_batch(
    session: Session,
    *,
    principal: Principal,
    submissions: Sequence[Submission],
    idempotency_key: str | None,
    settings: Settings,
    request_id: str | None = None,
) -> tuple[BatchView, bool]:
    """Add a batch and its queued jobs (the caller commits); False: an idempotent replay."""
    if idempotency_key is not None:
        existing = _replay(session, principal.owner, idempotency_key, submissions)
        if existing is not None:
            return existing, False
    batch = Batch(owner=principal.owner, size=len(submissions), idempotency_key=idempotency_key)
    try:
        with session.begin_nested():
            session.add(batch)
            session.flush()
    except IntegrityError:
        if idempotency_key is None:
            raise
        # a concurrent request with the same key committed first
        raced = _replay(session, principal.owner, idempotency_key, submissions)
        if raced is None:
            raise
        return raced, False
    jobs = [_add_job(session, principal, s, batch.id, settings) for s in submissions]
    audit.record(
        session,
        actor=principal.owner,
        action="batch.created",
        target=batch.id,
        detail={"size": batch.size, "key_id": principal.key_id, "jobs": [j.id for j in jobs]},
        request_id=request_id,
    )
    return summarise(batch, jobs), True


def _add_job(
    session: Session,
    principal: Principal,
    submission: Submission,
    batch_id: str,
    settings: Settings,
) -> Job:
    job = store.create_job(
        session,
        owner=principal.owner,
        kind=submission.kind,
        request=with_trace_context(submission.request),  # workers continue this trace
        preset=submission.preset,
        review=submission.review,
        search_text=submission.search_text,
        batch_id=batch_id,
        cost_estimate=estimate_submission(submission, settings),
    )
    return job


def _replay(
    session: Session, owner: str, idempotency_key: str, submissions: Sequence[Submission]
) -> BatchView | None:
    query = select(Batch).where(Batch.owner == owner, Batch.idempotency_key == idempotency_key)
    batch = session.scalars(query).one_or_none()
    if batch is None:
        return None
    jobs = batch_jobs(session, batch.id)
    if [without_trace_context(job.request) for job in jobs] != [s.request for s in submissions]:
        raise Conflict("this Idempotency-Key was used with a different batch")
    return summarise(batch, jobs)


def batch_jobs(session: Session, batch_id: str) -> list[Job]:
    """The jobs of a batch in submission order (the order of their creation events)."""
    created = (JobEvent.job_id == Job.id) & JobEvent.from_status.is_(None)
    query = (
        select(Job)
        .outerjoin(JobEvent, created)
        .where(Job.batch_id == batch_id)
        .order_by(JobEvent.id.asc().nulls_last(), Job.id)
    )
    return list(session.scalars(query).unique())


def get_batch(session: Session, *, principal: Principal, batch_id: str) -> BatchView:
    """The batch if the principal owns it (or is admin); NotFound otherwise."""
    batch = session.get(Batch, batch_id)
    if batch is None or not (principal.is_admin or batch.owner == principal.owner):
        raise NotFound(f"no batch {batch_id}")
    return summarise(batch, batch_jobs(session, batch.id))


def summarise(batch: Batch, jobs: list[Job]) -> BatchView:
    """The view of ``batch`` over ``jobs``: status, counts per status, mean progress."""
    seen = Counter(JobStatus(job.status) for job in jobs)
    counts = {status.value: seen.get(status, 0) for status in JobStatus}
    done = [1.0 if JobStatus(job.status) in TERMINAL else job.progress for job in jobs]
    progress = round(sum(done) / len(done), 4) if done else 1.0
    return BatchView(batch, jobs, batch_status(seen), counts, progress)


def batch_status(seen: Mapping[JobStatus, int]) -> str:
    """The overall status of a batch whose jobs have these status counts (module doc)."""
    present = {status for status, count in seen.items() if count}
    if present == {JobStatus.QUEUED}:
        return JobStatus.QUEUED.value
    if present & RUNNING:
        return "running"
    if JobStatus.AWAITING_REVIEW in present:
        return JobStatus.AWAITING_REVIEW.value
    if present & FAILED:
        return JobStatus.FAILED.value
    if JobStatus.CANCELED in present:
        return JobStatus.CANCELED.value
    return JobStatus.SUCCEEDED.value
