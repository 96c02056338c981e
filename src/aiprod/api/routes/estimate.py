"""``POST /v1/estimate``: what a job would cost and take, priced without planning it."""

from __future__ import annotations

from fastapi import APIRouter

from aiprod.api.deps import ReaderDep, SettingsDep
from aiprod.api.schemas import EstimatePublic, JobCreate, problem_responses
from aiprod.jobs import services
from aiprod.uploads.media_paths import media_roots

router = APIRouter(prefix="/v1", tags=["jobs"])


@router.post(
    "/estimate",
    responses=problem_responses(401, 403, 413, 422, 503),
    response_model_exclude_none=True,  # ``formats`` only when asked for: as stored on jobs
)
def estimate_job(body: JobCreate, principal: ReaderDep, settings: SettingsDep) -> EstimatePublic:
    """Price a ``POST /v1/jobs`` body: per stage, total, ETA, in milliseconds.

    Validated exactly like a submission (same 422 problems). A brief is priced from the
    preset and length the planner would choose; seconds per unit are those measured on
    this server.
    """
    submission = services.validate_submission(
        brief=body.brief,
        spec=body.spec,
        preset=body.preset,
        review=body.review,
        duration_s=body.duration_s,
        presets_file=settings.presets_file,
        media_roots=media_roots(settings, principal.owner) if body.spec is not None else None,
        formats=body.formats,
        choices=body.choices(),
    )
    found = services.estimate_submission(submission, settings, quick=False)
    return EstimatePublic.model_validate(found)
