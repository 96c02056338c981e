"""Keyword-only services of the review gate and of retries; no web framework here.

    GET  manifest   the planned VideoSpec and its version (the ETag)
    PUT  manifest   replace it while the job awaits review (validated, If-Match honoured)
    POST approve    awaiting_review → queued: the plan will be rendered
    POST retry      failed | dead → queued with a full set of attempts; a stored plan is
                    kept, so the job resumes at rendering instead of planning again

Each change locks the job row, writes the change and its history event (in
:mod:`aiprod.jobs.store`) and an audit row with the request id, in the caller's
transaction. Another owner's job is :class:`NotFound`, exactly like a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from aiprod.auth import Principal, audit
from aiprod.config import Settings
from aiprod.db.engine import Executor
from aiprod.errors import Conflict, NotFound, PreconditionFailed
from aiprod.jobs import store
from aiprod.jobs.models import Job
from aiprod.jobs.policy import JobKind, JobStatus
from aiprod.jobs.queue_snapshot import QueueSnapshot
from aiprod.jobs.store import JobRecord, QueuePlace
from aiprod.pipeline.request import estimate_cost
from aiprod.spec.model import VideoSpec
from aiprod.spec.presets import Preset
from aiprod.spec.validate import validate_spec
from aiprod.uploads.media_paths import media_roots

AWAITING = JobStatus.AWAITING_REVIEW.value
RETRYABLE_STATUSES = (JobStatus.FAILED.value, JobStatus.DEAD.value)
J = TypeVar("J", Job, JobRecord)


@dataclass(frozen=True)
class Manifest:
    """A job's manifest (the VideoSpec it renders) and its version, sent as the ETag."""

    spec: dict[str, Any]
    version: int

    @property
    def etag(self) -> str:
        """The strong entity tag of this version: ``"<plan_version>"``."""
        return f'"{self.version}"'


def etag_matches(if_match: str | None, version: int) -> bool:
    """True when an ``If-Match`` header (absent, ``*`` or a list of tags) allows ``version``."""
    if if_match is None or if_match.strip() == "*":
        return True
    tags = (tag.strip().removeprefix("W/").strip('"') for tag in if_match.split(","))
    return str(version) in tags


def _check_version(if_match: str | None, job: Job) -> None:
    if not etag_matches(if_match, job.plan_version):
        raise PreconditionFailed(
            f'the manifest of job {job.id} is at version "{job.plan_version}", '
            f"not {if_match.strip() if if_match else ''}"
        )


def visible(job: J | None, principal: Principal, job_id: str) -> J:
    """``job`` when ``principal`` may see it; NotFound when it is missing or another's."""
    if job is None or not (principal.is_admin or job.owner == principal.owner):
        raise NotFound(f"no job {job_id}")
    return job


def _locked(session: Session, principal: Principal, job_id: str) -> Job:
    return visible(store.lock_job(session, job_id=job_id), principal, job_id)


def _audit(
    session: Session,
    principal: Principal,
    action: str,
    job: Job,
    request_id: str | None,
    **detail: Any,
) -> None:
    audit.record(
        session,
        actor=principal.owner,
        action=action,
        target=job.id,
        detail={"key_id": principal.key_id, **detail},
        request_id=request_id,
    )


def job_with_queue_place(
    session: Executor,
    *,
    principal: Principal,
    job_id: str,
    snapshot: QueueSnapshot | None = None,
) -> tuple[JobRecord, QueuePlace | None]:
    """One visible job (its public columns only) and, when it is queued, its place in the
    queue: from the shared ``snapshot`` when given (at most about a second old), else by
    exact COUNT queries."""
    job = visible(store.read_job_record(session, job_id), principal, job_id)
    if snapshot is not None:
        return job, snapshot.place(session, job=job)
    return job, store.queue_place(session, job=job)


def get_manifest(session: Session, *, principal: Principal, job_id: str) -> Manifest:
    """The plan of a brief (or the spec a spec job was submitted with) and its version.

    NotFound while a brief has not been planned yet: there is no manifest to show.
    """
    job = visible(session.get(Job, job_id), principal, job_id)
    if job.plan is not None:
        return Manifest(job.plan, job.plan_version)
    spec = job.request.get("spec") if job.kind == JobKind.SPEC.value else None
    if isinstance(spec, dict):
        return Manifest(spec, job.plan_version)
    raise NotFound(f"job {job_id} has no manifest yet (it is {job.status})")


def validate_manifest(
    manifest: dict[str, Any], settings: Settings, *, owner: str | None = None
) -> tuple[VideoSpec, Preset]:
    """Parse and check a whole manifest; InvalidSpec lists every problem with its path.

    With ``owner``, its media files must be the owner's (:mod:`aiprod.uploads.media_paths`).
    """
    roots = None if owner is None else media_roots(settings, owner)
    return validate_spec(
        manifest, presets_file=settings.presets_file, source="manifest", media_roots=roots
    )


def replace_manifest(
    session: Session,
    *,
    principal: Principal,
    job_id: str,
    manifest: dict[str, Any],
    if_match: str | None,
    settings: Settings,
    request_id: str | None = None,
) -> Manifest:
    """Replace the plan of a job awaiting review; the new version is the old one plus 1.

    Conflict unless the job awaits review; PreconditionFailed when ``If-Match`` names
    another version; InvalidSpec for a manifest that would not render.
    """
    job = _locked(session, principal, job_id)
    if job.status != AWAITING:
        raise Conflict(f"job {job_id} is {job.status}; its manifest can change only in review")
    _check_version(if_match, job)
    spec, preset = validate_manifest(manifest, settings, owner=job.owner)
    plan = spec.model_dump(mode="json")
    estimate = estimate_cost(spec, preset, settings).to_dict()
    version = store.replace_plan(session, job=job, plan=plan, estimate=estimate)
    store.write_plan_artifact(settings.data_dir / "jobs" / job_id, plan)
    _audit(session, principal, "job.manifest_replaced", job, request_id, plan_version=version)
    return Manifest(plan, version)


def approve_job(
    session: Session,
    *,
    principal: Principal,
    job_id: str,
    if_match: str | None = None,
    request_id: str | None = None,
) -> Job:
    """Approve the plan of a job awaiting review: it is queued to be rendered."""
    job = _locked(session, principal, job_id)
    if job.status != AWAITING:
        raise Conflict(f"job {job_id} is {job.status}, not awaiting review")
    _check_version(if_match, job)
    store.approve_plan(session, job=job)
    _audit(session, principal, "job.approved", job, request_id, plan_version=job.plan_version)
    return job


def retry_job(
    session: Session, *, principal: Principal, job_id: str, request_id: str | None = None
) -> Job:
    """Queue a failed or dead job again with a full set of attempts (it keeps its plan)."""
    job = _locked(session, principal, job_id)
    if job.status not in RETRYABLE_STATUSES:
        raise Conflict(f"job {job_id} is {job.status}; only failed or dead jobs can be retried")
    error = job.error
    store.requeue_for_retry(session, job=job)
    _audit(session, principal, "job.retried", job, request_id, error=error)
    return job
