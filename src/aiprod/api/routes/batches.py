"""``/v1/batches``: queue up to 100 jobs at once (all or none) and follow them together."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response, status

from aiprod.api.deps import ReaderDep, RequestIdDep, SessionDep, SettingsDep, WriterDep
from aiprod.api.schemas import (
    BatchAccepted,
    BatchCreate,
    BatchJobPublic,
    BatchPublic,
    JobAccepted,
    JobCreate,
    Links,
    batch_path,
    job_path,
    problem_responses,
)
from aiprod.jobs import batches
from aiprod.uploads.media_paths import media_roots

router = APIRouter(prefix="/v1/batches", tags=["batches"])


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        200: {"model": BatchAccepted, "description": "idempotent replay"},
        **problem_responses(401, 403, 409, 413, 422, 503),
    },
)
def create_batch(
    body: BatchCreate,
    principal: WriterDep,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
    request_id: RequestIdDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> BatchAccepted:
    """Queue 1-100 jobs, each like a ``POST /v1/jobs`` body, in one transaction.

    Every item is validated first; one 422 names every problem as ``jobs.<i>.<field>`` and
    nothing is queued. A repeat with the same ``Idempotency-Key`` and the same items
    returns the same batch with 200; other items with that key are a 409.
    """
    submissions = batches.validate_batch(
        body.jobs,
        parse_item=JobCreate.model_validate,
        presets_file=settings.presets_file,
        media_roots=media_roots(settings, principal.owner),
    )
    view, created = batches.create_batch(
        session,
        principal=principal,
        submissions=submissions,
        idempotency_key=idempotency_key,
        settings=settings,
        request_id=request_id,
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    response.headers["Location"] = batch_path(view.batch.id)
    return BatchAccepted(
        id=view.batch.id,
        status=view.status,
        size=view.batch.size,
        jobs=[
            JobAccepted(id=job.id, status=job.status, links=Links(self=job_path(job.id)))
            for job in view.jobs
        ],
        links=Links(self=batch_path(view.batch.id)),
    )


@router.get("/{batch_id}", responses=problem_responses(401, 403, 404, 503))
def get_batch(batch_id: str, principal: ReaderDep, session: SessionDep) -> BatchPublic:
    """A batch's overall status, job counts per status, mean progress and its jobs.

    Status, first rule wins: ``queued`` (no job started), ``running`` (a job is queued,
    planning or rendering), ``awaiting_review``, ``failed`` (all ended, one failed or is
    dead), ``canceled`` (all ended, none failed, one canceled), ``succeeded``. Another
    owner's batch is 404.
    """
    view = batches.get_batch(session, principal=principal, batch_id=batch_id)
    return BatchPublic(
        id=view.batch.id,
        status=view.status,
        size=view.batch.size,
        counts=view.counts,
        progress=view.progress,
        created_at=view.batch.created_at,
        jobs=[
            BatchJobPublic(
                id=job.id,
                status=job.status,
                stage=job.stage,
                progress=job.progress,
                links=Links(self=job_path(job.id)),
            )
            for job in view.jobs
        ],
        links=Links(self=batch_path(view.batch.id)),
    )
