"""``POST /v1/uploads``: images, audio and video for specs to use, checked with ffprobe;
``GET /v1/uploads/{id}`` and ``GET /v1/uploads/{id}/content``: one of the caller's own
uploads (another owner's is a 404, as an unknown id)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any, Final, Literal

import anyio.to_thread
from fastapi import APIRouter, Path, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import UploadFile
from starlette.responses import Response

from aiprod.api.deps import ReaderDep, SettingsDep, WriterDep
from aiprod.api.file_responses import RangeFileResponse
from aiprod.api.schemas import problem_responses
from aiprod.config import Settings
from aiprod.errors import UnsupportedMedia
from aiprod.uploads import service as uploads

UPLOADS_PATH: Final = "/v1/uploads"
CHUNK_BYTES: Final = 1024 * 1024
MULTIPART_OVERHEAD_BYTES: Final = 64 * 1024  # part headers and boundaries around the file
BINARY: dict[str, Any] = {"type": "string", "format": "binary"}
REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "description": "the file: a multipart form with a `file` part, or the raw bytes",
    "content": {
        "multipart/form-data": {
            "schema": {"type": "object", "properties": {"file": BINARY}, "required": ["file"]},
            "examples": {"an image": {"value": {"file": "(the bytes of storefront.png)"}}},
        },
        "application/octet-stream": {
            "schema": BINARY,
            "examples": {"a clip": {"value": "(the bytes of a clip, e.g. ?filename=intro.mp4)"}},
        },
    },
}

router = APIRouter(prefix="/v1", tags=["uploads"])


def upload_body_limit(settings: Settings) -> int:
    """The largest request body of ``POST /v1/uploads``: the file and its form around it."""
    return settings.upload_max_bytes + MULTIPART_OVERHEAD_BYTES


class UploadPublic(BaseModel):
    """An accepted upload; name its ``path`` in a spec (an image background, music, …)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "5f0c8e2a9b1d4c3e8f7a6b5c4d3e2f1a",
                    "kind": "image",
                    "path": "/srv/aiprod/uploads/3b1f…/5f0c8e2a9b1d4c3e8f7a6b5c4d3e2f1a.png",
                    "filename": "storefront.png",
                    "format": "png_pipe",
                    "size_bytes": 482113,
                    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                    "duration_s": None,
                    "width": 1920,
                    "height": 1080,
                    "created_at": "2026-11-21T12:00:00+00:00",
                }
            ]
        }
    )

    id: str
    kind: Literal["image", "audio", "video"]
    path: str = Field(description="the stored file, for the `path` fields of a spec")
    filename: str = Field(description="the file name you sent, cleaned; metadata only")
    format: str = Field(description="the container ffprobe found")
    size_bytes: int
    sha256: str
    duration_s: float | None = Field(description="audio and video only")
    width: int | None
    height: int | None
    created_at: str


@router.post(
    "/uploads",
    status_code=status.HTTP_201_CREATED,
    openapi_extra={"requestBody": REQUEST_BODY},
    responses=problem_responses(401, 403, 413, 415, 422, 503),
)
async def create_upload(
    request: Request,
    principal: WriterDep,
    settings: SettingsDep,
    filename: Annotated[
        str | None, Query(max_length=255, description="the file's name, for raw bodies")
    ] = None,
) -> UploadPublic:
    """Store an image, audio or video file that ffprobe accepts.

    Send a ``multipart/form-data`` form with a ``file`` part, or the raw bytes with any
    other content type (and ``?filename=`` if you like). Refused: a file over
    ``upload_max_bytes`` (413), anything not an image, audio or video in an accepted
    format (415), audio or video over ``upload_max_duration_s`` (422).
    """
    owner = principal.owner
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        chunks = request.stream()
        stored = await uploads.store_upload(
            settings=settings, owner=owner, filename=filename, chunks=chunks
        )
        return UploadPublic.model_validate(stored, from_attributes=True)
    async with request.form(max_files=1, max_fields=5) as form:  # closes its spooled files
        part = form.get("file")
        if not isinstance(part, UploadFile):
            raise UnsupportedMedia("the form has no `file` part")
        stored = await uploads.store_upload(
            settings=settings, owner=owner, filename=part.filename, chunks=_read_file(part)
        )
    return UploadPublic.model_validate(stored, from_attributes=True)


async def _read_file(part: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await part.read(CHUNK_BYTES):
        yield chunk


UploadId = Annotated[str, Path(max_length=64, description="the id `POST /v1/uploads` gave")]


@router.get("/uploads/{upload_id}", responses=problem_responses(401, 403, 404))
async def get_upload(
    upload_id: UploadId, principal: ReaderDep, settings: SettingsDep
) -> UploadPublic:
    """One of your uploads, as ``POST /v1/uploads`` described it (another's: 404)."""
    stored = await anyio.to_thread.run_sync(
        uploads.find_upload, settings, principal.owner, upload_id
    )
    return UploadPublic.model_validate(stored, from_attributes=True)


@router.get(
    "/uploads/{upload_id}/content",
    response_class=Response,
    responses={
        200: {
            "description": "the file, with the Content-Type of its probed format",
            "content": {"image/png": {"schema": BINARY}, "video/mp4": {"schema": BINARY}},
        },
        **problem_responses(401, 403, 404),
    },
)
async def get_upload_content(
    upload_id: UploadId, principal: ReaderDep, settings: SettingsDep
) -> Response:
    """The bytes of one of your uploads (``Range`` supported); another's is a 404."""
    return await upload_file_response(settings, principal.owner, upload_id)


async def upload_file_response(settings: Settings, owner: str, upload_id: str) -> Response:
    """``owner``'s upload as a file answer: its own Content-Type, ``nosniff``, private;
    NotFound for another's. (The studio serves pictures through this too.)"""
    stored = await anyio.to_thread.run_sync(uploads.find_upload, settings, owner, upload_id)
    return RangeFileResponse(
        stored.path,
        media_type=uploads.media_type(stored),
        content_disposition_type="inline",
        headers={
            "Cache-Control": "private, max-age=3600",
            "X-Content-Type-Options": "nosniff",
        },
    )
