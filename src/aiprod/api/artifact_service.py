"""Keyword-only services behind the artifact routes: signed listings, signed downloads and
job exports (JSON or ZIP). No web framework here; nothing is written to the database.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from sqlalchemy.orm import Session

from aiprod.api.artifact_schemas import ArtifactPublic, JobEventPublic, JobExport
from aiprod.api.schemas import JobPublic
from aiprod.auth import Principal
from aiprod.jobs import store as job_store
from aiprod.jobs.services import get_job
from aiprod.storage import ArtifactStore, LocalArtifactStore, UnknownArtifact, require_known

EXPORT_PREFIX: Final = "export-"
STALE_EXPORT_S: Final = 3600.0
_COPY_CHUNK: Final = 1024 * 1024
logger = logging.getLogger(__name__)


def signed_artifacts(store: ArtifactStore, *, job_id: str, expires: int) -> list[ArtifactPublic]:
    """The job's artifacts, each with a link valid until ``expires`` (Unix seconds)."""
    expires_at = datetime.fromtimestamp(expires, UTC)
    return [
        ArtifactPublic(
            name=artifact.name,
            media_type=artifact.media_type,
            size_bytes=artifact.size_bytes,
            url=store.signed_url(job_id, artifact.name, expires=expires),
            expires_at=expires_at,
        )
        for artifact in store.list_artifacts(job_id)
    ]


def list_artifacts(
    session: Session,
    *,
    principal: Principal,
    store: ArtifactStore,
    job_id: str,
    ttl_s: int,
    now: float | None = None,
) -> list[ArtifactPublic]:
    """Signed links to a visible job's artifacts; NotFound for another owner's job."""
    get_job(session, principal=principal, job_id=job_id)
    expires = int(time.time() if now is None else now) + ttl_s
    return signed_artifacts(store, job_id=job_id, expires=expires)


@dataclass(frozen=True)
class ServedFile:
    """A verified artifact file, ready to send until ``expires`` (Unix seconds)."""

    path: Path
    stat: os.stat_result
    media_type: str
    expires: int


def signed_file(
    store: LocalArtifactStore,
    *,
    job_id: str,
    name: str,
    expires: str | None,
    signature: str | None,
    now: float | None = None,
) -> ServedFile:
    """The file a signed URL grants.

    Checks, in order: a known name (UnknownArtifact, 404), the signature (403), the expiry
    (403), then the file (404), so nobody learns which files exist without a valid link.
    """
    kind = require_known(job_id, name)
    moment = time.time() if now is None else now
    valid_until = store.signer.verify(
        job_id=job_id, name=name, expires=expires, signature=signature, now=moment
    )
    path, info = store.path_of(job_id, name)
    return ServedFile(path, info, kind.media_type, valid_until)


def export_job(
    session: Session,
    *,
    principal: Principal,
    store: ArtifactStore,
    job_id: str,
    ttl_s: int,
    now: float | None = None,
) -> JobExport:
    """The export document of a visible job; NotFound for another owner's job."""
    job = get_job(session, principal=principal, job_id=job_id)
    moment = time.time() if now is None else now
    events = job_store.job_events(session, job_id=job_id)
    return JobExport(
        exported_at=datetime.fromtimestamp(moment, UTC),
        job=JobPublic.of(job),
        events=[JobEventPublic.of(event) for event in events],
        plan=job.plan,
        plan_version=job.plan_version,
        qa=_json_artifact(store, job_id, "qa.json"),
        manifest=_json_artifact(store, job_id, "manifest.json"),
        artifacts=signed_artifacts(store, job_id=job_id, expires=int(moment) + ttl_s),
    )


def _json_artifact(store: ArtifactStore, job_id: str, name: str) -> dict[str, Any] | None:
    try:
        with store.open_artifact(job_id, name) as handle:
            document = json.load(handle)
    except UnknownArtifact:
        return None
    except (ValueError, UnicodeDecodeError):
        logger.warning("job %s: %s is not valid JSON; left out of the export", job_id, name)
        return None
    return document if isinstance(document, dict) else None


def write_export_zip(
    document: JobExport, *, store: ArtifactStore, job_id: str, work_dir: Path
) -> Path:
    """A ZIP in ``work_dir`` of ``job.json`` (the document) and every artifact; the caller
    deletes it. Media (mp4, jpg) are stored as they are; text is deflated."""
    work_dir.mkdir(parents=True, exist_ok=True)
    _sweep_stale_exports(work_dir)
    fd, name = tempfile.mkstemp(prefix=f"{EXPORT_PREFIX}{job_id}-", suffix=".zip", dir=work_dir)
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w") as archive:
            info = zipfile.ZipInfo("job.json", document.exported_at.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, document.model_dump_json(indent=2))
            for artifact in store.list_artifacts(job_id):
                _add_artifact(archive, store, job_id, artifact.name)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def _add_artifact(archive: zipfile.ZipFile, store: ArtifactStore, job_id: str, name: str) -> None:
    artifact = store.artifact(job_id, name)
    info = zipfile.ZipInfo(name, artifact.modified_at.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED if artifact.compressible else zipfile.ZIP_STORED
    info.file_size = artifact.size_bytes  # lets zipfile choose ZIP64 for big videos up front
    info.external_attr = 0o644 << 16
    with store.open_artifact(job_id, name) as source, archive.open(info, "w") as target:
        shutil.copyfileobj(source, target, _COPY_CHUNK)


def _sweep_stale_exports(work_dir: Path) -> None:
    """Delete exports a crashed or cut-off response left behind."""
    cutoff = time.time() - STALE_EXPORT_S
    for leftover in work_dir.glob(f"{EXPORT_PREFIX}*.zip"):
        try:
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()
        except FileNotFoundError:
            continue
