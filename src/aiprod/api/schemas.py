"""Request and response bodies, split by direction: ``*Create`` in, ``*Public`` out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from aiprod.jobs.choices import BriefChoices
from aiprod.jobs.models import Job
from aiprod.jobs.policy import ACTIVE, JobStatus
from aiprod.jobs.store import JobRecord, QueuePlace
from aiprod.providers.music.styles import Mood
from aiprod.spec.formats import FormatsInvalid, format_names, parse_formats

BRIEF_EXAMPLE: dict[str, Any] = {
    "brief": "A 20-second vertical ad for Bean There, organic coffee delivered weekly.",
    "preset": "quick_social",
    "duration_s": 20,
}
SPEC_EXAMPLE: dict[str, Any] = {
    "spec": {
        "version": 1,
        "preset": "quick_social",
        "scenes": [{"narration": "Meet Bean There: organic coffee, delivered."}],
    }
}
PRESET_EXAMPLE: dict[str, Any] = {
    "name": "quick_social",
    "description": "9:16 vertical for Reels/Shorts/TikTok: bold captions, -14 LUFS",
    "width": 1080,
    "height": 1920,
    "fps": "30",
}
JOB_ID_EXAMPLE = "0193f2a4c1d87e5b9a0c3d2e1f4b6a78"
JOB_EXAMPLE: dict[str, Any] = {
    "id": JOB_ID_EXAMPLE,
    "kind": "brief",
    "status": "rendering",
    "stage": "narration",
    "progress": 0.35,
    "attempts": 1,
    "error": None,
    "preset": "quick_social",
    "created_at": "2026-11-21T09:30:00Z",
    "updated_at": "2026-11-21T09:31:12Z",
    "review": False,
    "plan_version": 1,
    "eta_seconds": 41.5,
    "queue_position": None,
    "cost": {"estimate": {"currency": "USD", "total": 0.0009, "eta_seconds": 63.8}, "actual": None},
    "started_at": "2026-11-21T09:30:02Z",
    "finished_at": None,
    "batch_id": None,
    "links": {
        "self": f"/v1/jobs/{JOB_ID_EXAMPLE}",
        "events": f"/v1/jobs/{JOB_ID_EXAMPLE}/events",
        "artifacts": f"/v1/jobs/{JOB_ID_EXAMPLE}/artifacts",
        "manifest": f"/v1/jobs/{JOB_ID_EXAMPLE}/manifest",
    },
}


class JobCreate(BaseModel):
    """A job submission: exactly one of ``brief`` or ``spec``."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [BRIEF_EXAMPLE, SPEC_EXAMPLE]}
    )

    brief: str | None = Field(default=None, min_length=1, max_length=20_000)
    spec: dict[str, Any] | None = Field(default=None, description="a full VideoSpec")
    preset: str | None = Field(default=None, min_length=1, max_length=100)
    review: bool = Field(default=False, description="stop for review after planning")
    brand_kit: str | None = Field(
        default=None,
        min_length=1,
        max_length=32,
        description="id of one of your brand kits (/v1/brand-kits): its colours, font, logo, "
        "tagline, call to action and glossary apply to the video",
    )
    duration_s: float | None = Field(
        default=None, gt=0, le=600, strict=True, description="brief only"
    )
    language: str | None = Field(
        default=None,
        max_length=35,
        pattern=r"^[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{2,8})*$",
        description="brief only: the BCP-47 language the planner writes and the voice speaks "
        "(English or French, any region: en-GB, fr-CA); by default detected in the brief",
        examples=["fr"],
    )
    voice: str | None = Field(
        default=None,
        min_length=1,
        max_length=80,
        description="brief only: the narration voice, as a spec's `voice` (`espeak:<name>`, "
        "`en_US-joe-medium`); by default the language's own. Hear one with "
        "POST /v1/previews/voice",
    )
    music_mood: Mood | None = Field(
        default=None, description="brief only: the music's mood; by default read in the brief"
    )
    webhook_url: str | None = Field(
        default=None,
        min_length=1,
        max_length=2000,
        description="http(s) URL told of this job's events, signed with the job-webhook "
        "secret (GET /v1/webhooks/job-secret)",
    )
    formats: list[Annotated[str, Field(max_length=20)]] | None = Field(
        default=None,
        min_length=1,
        max_length=10,
        description="aspect ratios (9:16, 1:1, 16:9) to render the one plan into, each a "
        "full set of files in its folder (9x16/video.mp4, …) with formats.json; one format "
        "renders the usual flat files in its frame size",
        examples=[["9:16", "1:1", "16:9"]],
    )

    def choices(self) -> BriefChoices:
        """The brief's explicit language, voice and music mood."""
        return BriefChoices(self.language, self.voice, self.music_mood)

    @field_validator("formats")
    @classmethod
    def _formats(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        try:
            return format_names(parse_formats(value))
        except FormatsInvalid as exc:
            raise ValueError(str(exc)) from None

    @model_validator(mode="after")
    def _one_source(self) -> JobCreate:
        if (self.brief is None) == (self.spec is None):
            raise ValueError("give exactly one of 'brief' or 'spec'")
        if self.brief is not None and not self.brief.strip():
            raise ValueError("'brief' is blank")
        return self


class Links(BaseModel):
    """Where to find a resource."""

    self: str


class JobAccepted(BaseModel):
    """The answer to a submission: the job's id, status and link."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": JOB_ID_EXAMPLE,
                    "status": "queued",
                    "links": {"self": f"/v1/jobs/{JOB_ID_EXAMPLE}"},
                }
            ]
        }
    )

    id: str
    status: str
    links: Links


class JobPublic(BaseModel):
    """A job as callers see it (never its request payload, lease or owner key)."""

    model_config = ConfigDict(json_schema_extra={"examples": [JOB_EXAMPLE]})

    id: str
    kind: str
    status: str
    stage: str | None
    progress: float
    attempts: int
    error: dict[str, Any] | None
    preset: str | None
    created_at: datetime
    updated_at: datetime
    review: bool = Field(description="stops for review after planning")
    plan_version: int = Field(description="version of the manifest (its ETag); 0: no plan yet")
    eta_seconds: float | None = Field(
        description="estimated seconds left: running, the estimate scaled by 1 - progress; "
        "queued, plus the work ahead (on single-job reads)"
    )
    queue_position: int | None = Field(
        description="1-based place among runnable queued jobs (single-job reads, queued only)"
    )
    cost: JobCost
    started_at: datetime | None
    finished_at: datetime | None
    batch_id: str | None
    links: JobLinks

    @classmethod
    def of(cls, job: Job | JobRecord, *, queue: QueuePlace | None = None) -> JobPublic:
        """The public view of ``job``; ``queue`` (one COUNT query) only for single reads."""
        path = job_path(job.id)
        return cls(
            id=job.id,
            kind=job.kind,
            status=job.status,
            stage=job.stage,
            progress=job.progress,
            attempts=job.attempts,
            error=job.error,
            preset=job.preset,
            created_at=job.created_at,
            updated_at=job.updated_at,
            review=bool(job.review),
            plan_version=job.plan_version or 0,
            eta_seconds=_eta_seconds(job, queue),
            queue_position=queue.position if queue else None,
            cost=JobCost(estimate=job.cost_estimate, actual=job.cost_actual),
            started_at=job.started_at,
            finished_at=job.finished_at,
            batch_id=job.batch_id,
            links=JobLinks(
                self=path,
                events=f"{path}/events",
                artifacts=f"{path}/artifacts",
                manifest=f"{path}/manifest",
            ),
        )


class JobCost(BaseModel):
    """What a job was estimated to cost (updated once planned) and what it did cost."""

    estimate: dict[str, Any] | None
    actual: dict[str, Any] | None


class JobLinks(Links):
    """Where to find a job, its live events, its files and its manifest."""

    events: str
    artifacts: str
    manifest: str


def _eta_seconds(job: Job | JobRecord, queue: QueuePlace | None) -> float | None:
    if job.status == JobStatus.SUCCEEDED:
        return 0.0
    estimate = (job.cost_estimate or {}).get("eta_seconds")
    if not isinstance(estimate, int | float):
        return None
    if job.status in ACTIVE:
        return round(float(estimate) * (1.0 - job.progress), 1)
    if job.status == JobStatus.QUEUED:
        return round(float(estimate) + (queue.seconds_ahead if queue else 0.0), 1)
    return None


class JobList(BaseModel):
    """One page of jobs, newest first; pass ``next_cursor`` as ``cursor`` for the next."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [JOB_EXAMPLE], "next_cursor": None}]}
    )

    items: list[JobPublic]
    next_cursor: str | None


class PresetPublic(BaseModel):
    """A render preset callers may name."""

    name: str
    description: str
    width: int
    height: int
    fps: str


class PresetList(BaseModel):
    """Every preset the server knows."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [PRESET_EXAMPLE]}]})

    items: list[PresetPublic]


class ProblemItem(BaseModel):
    """One problem in a request: where (dotted path) and what."""

    path: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document (``application/problem+json``)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "urn:aiprod:problem:not-found",
                    "title": "Not found",
                    "status": 404,
                    "detail": f"no job {JOB_ID_EXAMPLE}",
                    "instance": f"/v1/jobs/{JOB_ID_EXAMPLE}",
                }
            ]
        }
    )

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[ProblemItem] | None = None


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` declaring problem+json answers for ``codes`` (one place)."""
    return {code: {"model": Problem, "content": {"application/problem+json": {}}} for code in codes}


def job_path(job_id: str) -> str:
    """The URL path of a job."""
    return f"/v1/jobs/{job_id}"


def batch_path(batch_id: str) -> str:
    """The URL path of a batch."""
    return f"/v1/batches/{batch_id}"


class StageCostPublic(BaseModel):
    """One stage of an estimate: how much work, how long, at what price."""

    stage: str
    provider: str
    units: float
    unit: str
    seconds: float
    unit_price: float
    cost: float


class EstimatePublic(BaseModel):
    """What a job would cost and take on this server, priced without planning it."""

    currency: str
    rate_per_hour: float
    total: float
    eta_seconds: float
    stages: list[StageCostPublic]
    duration_s: float = Field(description="the programme length the price assumes")
    preset: str
    formats: list[str] | None = Field(
        default=None, description="the formats priced: the sound once, the picture per format"
    )


MAX_BATCH_SIZE = 100
# items are validated one by one (every problem named jobs.<i>.<field>), documented as JobCreate
JobCreateItem = Annotated[dict[str, Any], WithJsonSchema(JobCreate.model_json_schema())]


class BatchCreate(BaseModel):
    """Up to 100 jobs, each exactly like a ``POST /v1/jobs`` body; all or none are queued."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"jobs": [BRIEF_EXAMPLE, SPEC_EXAMPLE]}]}
    )

    jobs: list[JobCreateItem] = Field(min_length=1, max_length=MAX_BATCH_SIZE)


class BatchAccepted(BaseModel):
    """The answer to a batch submission: the batch and its queued jobs."""

    id: str
    status: str
    size: int
    jobs: list[JobAccepted]
    links: Links


class BatchJobPublic(BaseModel):
    """A job of a batch, in brief."""

    id: str
    status: str
    stage: str | None
    progress: float
    links: Links


class BatchPublic(BaseModel):
    """A batch: its overall status, counts per job status, mean progress and its jobs."""

    id: str
    status: str
    size: int
    counts: dict[str, int]
    progress: float
    created_at: datetime
    jobs: list[BatchJobPublic]
    links: Links
