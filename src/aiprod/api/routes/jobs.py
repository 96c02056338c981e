"""``/v1/jobs``: submit, read, list and cancel render jobs. Thin: parse, call, answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Query, Request, Response, status
from sqlalchemy.orm import Session

from aiprod.api import job_reads
from aiprod.api.deps import ReaderDep, RequestIdDep, SessionDep, SettingsDep, WriterDep
from aiprod.api.request_session import run_in_session
from aiprod.api.routes.job_filters import JobFilterDep
from aiprod.api.schemas import (
    SPEC_EXAMPLE,
    JobAccepted,
    JobCreate,
    JobList,
    JobPublic,
    Links,
    job_path,
    problem_responses,
)
from aiprod.brandkits import service as brand_kits
from aiprod.jobs import review, services
from aiprod.uploads.media_paths import media_roots

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        200: {"model": JobAccepted, "description": "idempotent replay"},
        **problem_responses(401, 403, 409, 413, 422, 503),
    },
)
async def create_job(
    body: JobCreate,
    principal: WriterDep,
    settings: SettingsDep,
    request: Request,
    response: Response,
    request_id: RequestIdDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> JobAccepted:
    """Queue a job from a brief or a full spec; the whole request is validated first.

    A repeat with the same ``Idempotency-Key`` (same owner, same body) returns the same
    job with 200 instead of 202.
    """

    def submit(session: Session) -> tuple[str, str, bool]:
        kit = brand_kits.job_brand(session, principal=principal, kit_id=body.brand_kit)
        submission = services.validate_submission(
            brief=body.brief,
            spec=body.spec,
            preset=body.preset,
            review=body.review,
            duration_s=body.duration_s,
            presets_file=settings.presets_file,
            webhook_url=body.webhook_url,
            webhook_networks=settings.webhook_allow_networks,
            media_roots=media_roots(settings, principal.owner) if body.spec is not None else None,
            formats=body.formats,
            choices=body.choices(),
            brand_kit=kit,
        )
        job, created = services.submit_job(
            session,
            principal=principal,
            submission=submission,
            idempotency_key=idempotency_key,
            request_id=request_id,
            settings=settings,
        )
        return job.id, job.status, created

    job_id, job_status, created = await run_in_session(request, submit)  # one thread hop
    if not created:
        response.status_code = status.HTTP_200_OK
    response.headers["Location"] = job_path(job_id)
    return JobAccepted(id=job_id, status=job_status, links=Links(self=job_path(job_id)))


@router.get("", responses=problem_responses(401, 403, 422, 503))
async def list_jobs(
    principal: ReaderDep,
    request: Request,
    job_filter: JobFilterDep,
    limit: Annotated[int, Query(ge=1, le=services.MAX_PAGE_SIZE)] = 20,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> JobList:
    """The caller's jobs (an admin sees all), newest first, one page at a time.

    Filters narrow the list; the cursor does not carry them, so send the same filters
    again with each ``cursor``.
    """

    def page(session: Session) -> JobList:
        jobs, next_cursor = services.list_jobs(
            session, principal=principal, job_filter=job_filter, limit=limit, cursor=cursor
        )
        return JobList(items=[JobPublic.of(job) for job in jobs], next_cursor=next_cursor)

    return await run_in_session(request, page, read_only=True)


@router.get("/{job_id}", responses=problem_responses(401, 403, 404, 503))
async def get_job(job_id: str, principal: ReaderDep, request: Request) -> JobPublic:
    """One job (with its queue position while queued, at most a second old); another
    owner's job is 404."""
    job, place = await job_reads.job_with_queue_place(request, principal=principal, job_id=job_id)
    return JobPublic.of(job, queue=place)


@router.post("/{job_id}/cancel", responses=problem_responses(401, 403, 404, 409, 503))
async def cancel_job(
    job_id: str, principal: WriterDep, request: Request, request_id: RequestIdDep
) -> JobPublic:
    """Cancel a queued or awaiting-review job; a running one is asked to stop."""

    def cancel(session: Session) -> JobPublic:
        return JobPublic.of(
            services.cancel_job(session, principal=principal, job_id=job_id, request_id=request_id)
        )

    return await run_in_session(request, cancel)


MANIFEST_OK: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the manifest: the VideoSpec the job renders",
        "headers": {
            "ETag": {"description": 'its version, "<plan_version>"', "schema": {"type": "string"}}
        },
    }
}
IfMatchHeader = Annotated[str | None, Header(max_length=200, description='"<plan_version>"')]


@router.get(
    "/{job_id}/manifest", responses={**MANIFEST_OK, **problem_responses(401, 403, 404, 503)}
)
def get_manifest(
    job_id: str, principal: ReaderDep, session: SessionDep, response: Response
) -> dict[str, Any]:
    """The planned VideoSpec (a spec job's own spec), ETag = its version; 404 before planning."""
    manifest = review.get_manifest(session, principal=principal, job_id=job_id)
    response.headers["ETag"] = manifest.etag
    return manifest.spec


@router.put(
    "/{job_id}/manifest",
    responses={**MANIFEST_OK, **problem_responses(401, 403, 404, 409, 412, 422, 503)},
)
def replace_manifest(
    job_id: str,
    manifest: Annotated[
        dict[str, Any],
        Body(
            description="a full VideoSpec",
            openapi_examples={"bean-there": {"value": SPEC_EXAMPLE["spec"]}},
        ),
    ],
    principal: WriterDep,
    session: SessionDep,
    settings: SettingsDep,
    request_id: RequestIdDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> dict[str, Any]:
    """Replace the manifest of a job awaiting review (validated in full); bumps its version."""
    replaced = review.replace_manifest(
        session,
        principal=principal,
        job_id=job_id,
        manifest=manifest,
        if_match=if_match,
        settings=settings,
        request_id=request_id,
    )
    response.headers["ETag"] = replaced.etag
    return replaced.spec


@router.post("/{job_id}/approve", responses=problem_responses(401, 403, 404, 409, 412, 503))
def approve_job(
    job_id: str,
    principal: WriterDep,
    session: SessionDep,
    request_id: RequestIdDep,
    if_match: IfMatchHeader = None,
) -> JobPublic:
    """Approve the manifest of a job awaiting review: the job is queued for rendering."""
    job = review.approve_job(
        session, principal=principal, job_id=job_id, if_match=if_match, request_id=request_id
    )
    return JobPublic.of(job)


@router.post("/{job_id}/retry", responses=problem_responses(401, 403, 404, 409, 503))
def retry_job(
    job_id: str, principal: WriterDep, session: SessionDep, request_id: RequestIdDep
) -> JobPublic:
    """Queue a failed or dead job again with fresh attempts; a planned job resumes rendering."""
    job = review.retry_job(session, principal=principal, job_id=job_id, request_id=request_id)
    return JobPublic.of(job)
