"""Response bodies of the artifact and export routes (``*Public`` out; nothing comes in)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict

from aiprod.api.schemas import JobPublic
from aiprod.jobs.models import JobEvent

EXPORT_FORMAT: Final = "aiprod.job-export/1"
_URL_EXAMPLE = "/v1/files/0193f2a4c1d87e5b9a0c3d2e1f4b6a78/video.mp4?expires=1795000000&signature=…"


class ArtifactPublic(BaseModel):
    """One output file of a job and a link that fetches it without credentials until expiry."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "video.mp4",
                    "media_type": "video/mp4",
                    "size_bytes": 1832448,
                    "url": _URL_EXAMPLE,
                    "expires_at": "2026-11-21T10:30:00Z",
                }
            ]
        }
    )

    name: str
    media_type: str
    size_bytes: int
    url: str
    expires_at: datetime


class ArtifactList(BaseModel):
    """Every output file a job has so far."""

    items: list[ArtifactPublic]


class JobEventPublic(BaseModel):
    """One status change of a job."""

    at: datetime
    from_status: str | None
    to_status: str
    reason: str
    attempt: int
    detail: dict[str, Any] | None

    @classmethod
    def of(cls, event: JobEvent) -> JobEventPublic:
        return cls(
            at=event.at,
            from_status=event.from_status,
            to_status=event.to_status,
            reason=event.reason,
            attempt=event.attempt,
            detail=event.detail,
        )


class JobExport(BaseModel):
    """Everything about one job: its state, history, plan, QA report, manifest and files.

    ``job.json`` inside the ZIP export is this same document.
    """

    format: Literal["aiprod.job-export/1"] = EXPORT_FORMAT
    exported_at: datetime
    job: JobPublic
    events: list[JobEventPublic]
    plan: dict[str, Any] | None
    plan_version: int
    qa: dict[str, Any] | None
    manifest: dict[str, Any] | None
    artifacts: list[ArtifactPublic]
