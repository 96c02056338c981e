"""``/v1/jobs``: submit, read, list and cancel render jobs. Thin: parse, call, answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response, status

from aiprod.api import services
from aiprod.api.deps import ReaderDep, SessionDep, SettingsDep, WriterDep
from aiprod.api.schemas import JobAccepted, JobCreate, JobList, JobPublic, Links, Problem, job_path
from aiprod.jobs.policy import JobStatus

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])


def _problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": Problem, "content": {"application/problem+json": {}}} for code in codes}


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        200: {"model": JobAccepted, "description": "idempotent replay"},
        **_problems(401, 403, 409, 413, 422, 503),
    },
)
def create_job(
    body: JobCreate,
    principal: WriterDep,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> JobAccepted:
    """Queue a job from a brief or a full spec; the whole request is validated first.

    A repeat with the same ``Idempotency-Key`` (same owner, same body) returns the same
    job with 200 instead of 202.
    """
    submission = services.validate_submission(
        brief=body.brief,
        spec=body.spec,
        preset=body.preset,
        review=body.review,
        duration_s=body.duration_s,
        presets_file=settings.presets_file,
    )
    job, created = services.submit_job(
        session, principal=principal, submission=submission, idempotency_key=idempotency_key
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    response.headers["Location"] = job_path(job.id)
    return JobAccepted(id=job.id, status=job.status, links=Links(self=job_path(job.id)))


@router.get("", responses=_problems(401, 403, 422, 503))
def list_jobs(
    principal: ReaderDep,
    session: SessionDep,
    status_filter: Annotated[JobStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=services.MAX_PAGE_SIZE)] = 20,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> JobList:
    """The caller's jobs (an admin sees all), newest first, one page at a time."""
    jobs, next_cursor = services.list_jobs(
        session,
        principal=principal,
        status=status_filter.value if status_filter else None,
        limit=limit,
        cursor=cursor,
    )
    return JobList(items=[JobPublic.of(job) for job in jobs], next_cursor=next_cursor)


@router.get("/{job_id}", responses=_problems(401, 403, 404, 503))
def get_job(job_id: str, principal: ReaderDep, session: SessionDep) -> JobPublic:
    """One job; another owner's job is 404, exactly like a missing one."""
    return JobPublic.of(services.get_job(session, principal=principal, job_id=job_id))


@router.post("/{job_id}/cancel", responses=_problems(401, 403, 404, 409, 503))
def cancel_job(job_id: str, principal: WriterDep, session: SessionDep) -> JobPublic:
    """Cancel a queued or awaiting-review job; a running one is asked to stop."""
    return JobPublic.of(services.cancel_job(session, principal=principal, job_id=job_id))
