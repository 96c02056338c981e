"""A job's output files: signed listings, credential-free signed downloads (with byte
ranges), and whole-job exports as JSON or ZIP. Thin: parse, call a service, answer."""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from starlette.background import BackgroundTask

from aiprod.api import artifact_service as services
from aiprod.api.artifact_schemas import ArtifactList, JobExport
from aiprod.api.deps import ReaderDep, SessionDep, SettingsDep
from aiprod.api.file_responses import RangeFileResponse
from aiprod.api.schemas import problem_responses
from aiprod.storage import (
    ARTIFACT_KINDS,
    MAX_TTL_S,
    ArtifactStore,
    LocalArtifactStore,
    UnknownArtifact,
    artifact_store_from_settings,
    download_name,
)

router = APIRouter(tags=["artifacts"])

TtlQuery = Annotated[
    int | None,
    Query(ge=1, le=MAX_TTL_S, description="link lifetime in seconds; default: the server's"),
]


def artifact_store(request: Request) -> ArtifactStore:
    """The configured artifact store (local disk or S3), made on first use (the local one
    may create the signing key file)."""
    store: ArtifactStore | None = getattr(request.app.state, "artifact_store", None)
    if store is None:
        store = artifact_store_from_settings(request.app.state.settings)
        request.app.state.artifact_store = store
    return store


def local_store(store: Annotated[ArtifactStore, Depends(artifact_store)]) -> LocalArtifactStore:
    """The local store behind ``/v1/files``; with object storage no file is served here
    (its links are presigned URLs), so every such link is a 404."""
    if not isinstance(store, LocalArtifactStore):
        raise UnknownArtifact("artifacts are served by the object store, not by this API")
    return store


StoreDep = Annotated[ArtifactStore, Depends(artifact_store)]
LocalStoreDep = Annotated[LocalArtifactStore, Depends(local_store)]


@router.get("/v1/jobs/{job_id}/artifacts", responses=problem_responses(401, 403, 404, 422, 503))
def list_artifacts(
    job_id: str,
    principal: ReaderDep,
    session: SessionDep,
    settings: SettingsDep,
    store: StoreDep,
    ttl: TtlQuery = None,
) -> ArtifactList:
    """The job's output files so far, each with a signed link that needs no API key."""
    items = services.list_artifacts(
        session,
        principal=principal,
        store=store,
        job_id=job_id,
        ttl_s=ttl or settings.signed_url_ttl_s,
    )
    return ArtifactList(items=items)


@router.get(
    "/v1/jobs/{job_id}/export",
    response_model=JobExport,
    responses={
        200: {"content": {"application/zip": {}}, "description": "the JSON document or a ZIP"},
        **problem_responses(401, 403, 404, 422, 503),
    },
)
def export_job(
    job_id: str,
    principal: ReaderDep,
    session: SessionDep,
    settings: SettingsDep,
    store: StoreDep,
    export_format: Annotated[Literal["json", "zip"], Query(alias="format")] = "json",
    ttl: TtlQuery = None,
) -> Response:
    """The job, its event history, plan, QA report, manifest and signed links: as JSON, or as
    a ZIP holding that document (``job.json``) and every output file."""
    document = services.export_job(
        session,
        principal=principal,
        store=store,
        job_id=job_id,
        ttl_s=ttl or settings.signed_url_ttl_s,
    )
    filename = f"aiprod-{job_id}.{export_format}"
    disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if export_format == "json":
        return JSONResponse(document.model_dump(mode="json"), headers=disposition)
    path = services.write_export_zip(
        document, store=store, job_id=job_id, work_dir=settings.work_root / "exports"
    )
    return FileResponse(
        path,
        media_type="application/zip",
        headers=disposition,
        background=BackgroundTask(path.unlink, missing_ok=True),
    )


_BINARY = {"schema": {"type": "string", "format": "binary"}}
_FILE_CONTENT = {kind.media_type: _BINARY for kind in ARTIFACT_KINDS.values()}
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": _FILE_CONTENT, "description": "the whole file"},
    206: {
        "content": {**_FILE_CONTENT, "multipart/byteranges": _BINARY},
        "description": "one requested byte range, or several as multipart/byteranges",
    },
    **problem_responses(403, 404, 416, 422),
}


@router.get("/v1/files/{job_id}/{name:path}", response_class=Response, responses=FILE_RESPONSES)
def download_file(
    job_id: str,
    name: str,
    store: LocalStoreDep,
    expires: str | None = None,
    signature: str | None = None,
    download: bool = False,
) -> Response:
    """One output file through a signed link (no API key: the link is the permission).

    Supports ``HEAD``, ``Range`` (single and multiple), ``If-Range``, ``ETag`` and
    ``Last-Modified``; an invalid ``Range`` is ignored, an unsatisfiable one is a 416.
    ``download=1`` asks for ``Content-Disposition: attachment``; it is not signed.
    ``name`` may hold a format folder (``9x16/video.mp4``): only the names a job can have
    are served, so ``..`` or an absolute path is a 404.
    """
    return _file_response(store, job_id, name, expires, signature, download)


# HEAD is implied by GET in HTTP; kept out of the OpenAPI document, which cannot say that
# a HEAD answer has no body.
@router.head("/v1/files/{job_id}/{name:path}", response_class=Response, include_in_schema=False)
def head_file(
    job_id: str,
    name: str,
    store: LocalStoreDep,
    expires: str | None = None,
    signature: str | None = None,
    download: bool = False,
) -> Response:
    """The headers ``GET`` would send for the same signed link."""
    return _file_response(store, job_id, name, expires, signature, download)


def _file_response(
    store: LocalArtifactStore,
    job_id: str,
    name: str,
    expires: str | None,
    signature: str | None,
    download: bool,
) -> Response:
    served = services.signed_file(
        store, job_id=job_id, name=name, expires=expires, signature=signature
    )
    remaining = max(0, served.expires - int(time.time()))
    return RangeFileResponse(
        served.path,
        stat_result=served.stat,
        media_type=served.media_type,
        filename=download_name(name),
        content_disposition_type="attachment" if download else "inline",
        headers={
            "Cache-Control": f"private, max-age={remaining}",
            "X-Content-Type-Options": "nosniff",
        },
    )
