"""Request and response bodies, split by direction: ``*Create`` in, ``*Public`` out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from aiprod.jobs.models import Job

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


class JobCreate(BaseModel):
    """A job submission: exactly one of ``brief`` or ``spec``."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [BRIEF_EXAMPLE, SPEC_EXAMPLE]}
    )

    brief: str | None = Field(default=None, min_length=1, max_length=20_000)
    spec: dict[str, Any] | None = Field(default=None, description="a full VideoSpec")
    preset: str | None = Field(default=None, min_length=1, max_length=100)
    review: bool = Field(default=False, description="stop for review after planning")
    duration_s: float | None = Field(default=None, gt=0, le=600, description="brief only")

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
                {"id": "j_0123abcd", "status": "queued", "links": {"self": "/v1/jobs/j_0123abcd"}}
            ]
        }
    )

    id: str
    status: str
    links: Links


class JobPublic(BaseModel):
    """A job as callers see it (never its request payload, lease or owner key)."""

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
    links: Links

    @classmethod
    def of(cls, job: Job) -> JobPublic:
        """The public view of ``job``."""
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
            links=Links(self=job_path(job.id)),
        )


class JobList(BaseModel):
    """One page of jobs, newest first; pass ``next_cursor`` as ``cursor`` for the next."""

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
                    "detail": "no job j_0123abcd",
                    "instance": "/v1/jobs/j_0123abcd",
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


def job_path(job_id: str) -> str:
    """The URL path of a job."""
    return f"/v1/jobs/{job_id}"
