"""``GET /v1/exports/jobs.csv``: the caller's jobs (an admin: all jobs) as a CSV download."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session, sessionmaker

from aiprod.api.deps import ReaderDep, SessionDep
from aiprod.api.routes.job_filters import JobFilterDep
from aiprod.api.schemas import problem_responses
from aiprod.jobs import csv_export as job_csv

router = APIRouter(prefix="/v1/exports", tags=["exports"])


@router.get(
    "/jobs.csv",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/csv": {}}, "description": "one row per job, newest first"},
        **problem_responses(401, 403, 422, 503),
    },
)
def export_jobs_csv(
    request: Request, principal: ReaderDep, session: SessionDep, job_filter: JobFilterDep
) -> StreamingResponse:
    """Jobs as CSV, with the same filters as ``GET /v1/jobs``; streamed, newest first.

    At most 100,000 rows; ``X-Total-Count`` tells how many jobs matched, so a larger
    count means the file was cut (narrow the filters, e.g. by ``created_before``).
    """
    total = job_csv.count_jobs(session, principal=principal, job_filter=job_filter)
    factory: sessionmaker[Session] = request.app.state.session_factory
    pages = job_csv.job_pages(factory, principal=principal, job_filter=job_filter)
    headers = {
        "Content-Disposition": 'attachment; filename="jobs.csv"',
        "X-Total-Count": str(total),
        "Cache-Control": "no-store",
    }
    return StreamingResponse(
        job_csv.csv_text(pages), media_type="text/csv; charset=utf-8", headers=headers
    )
