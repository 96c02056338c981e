"""What a job's artifacts are, and the small interface every artifact store implements.

Only the names in :data:`ARTIFACT_KINDS` are ever served: a name is looked up in that
table, never joined to a path as given, so no request can reach another file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, Final, Protocol

from aiprod.storage.errors import UnknownArtifact


@dataclass(frozen=True)
class ArtifactKind:
    """How an artifact is served: its media type, and whether compressing it pays."""

    media_type: str
    compressible: bool


ARTIFACT_KINDS: Final[dict[str, ArtifactKind]] = {
    "video.mp4": ArtifactKind("video/mp4", compressible=False),
    "thumbnail.jpg": ArtifactKind("image/jpeg", compressible=False),
    "contact_sheet.jpg": ArtifactKind("image/jpeg", compressible=False),
    "captions.srt": ArtifactKind("application/x-subrip", compressible=True),
    "captions.vtt": ArtifactKind("text/vtt; charset=utf-8", compressible=True),
    "qa.json": ArtifactKind("application/json", compressible=True),
    "manifest.json": ArtifactKind("application/json", compressible=True),
    "plan.json": ArtifactKind("application/json", compressible=True),
}
_JOB_ID: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True)
class Artifact:
    """One stored output file of a job."""

    name: str
    media_type: str
    size_bytes: int
    modified_at: datetime

    @property
    def compressible(self) -> bool:
        return ARTIFACT_KINDS[self.name].compressible


def require_known(job_id: str, name: str) -> ArtifactKind:
    """The kind of ``name``; UnknownArtifact for other names or a malformed job id."""
    kind = ARTIFACT_KINDS.get(name)
    if kind is None or _JOB_ID.fullmatch(job_id) is None:
        raise UnknownArtifact(f"no artifact {name!r} of job {job_id!r}")
    return kind


class ArtifactStore(Protocol):
    """Where a job's outputs live. The local store serves them through signed API URLs;
    an object store (S3) would answer :meth:`signed_url` with a presigned URL instead."""

    def list_artifacts(self, job_id: str) -> list[Artifact]:
        """The job's known artifacts that exist, in :data:`ARTIFACT_KINDS` order."""
        ...

    def artifact(self, job_id: str, name: str) -> Artifact:
        """One artifact; UnknownArtifact when the name is unknown or the file is missing."""
        ...

    def open_artifact(self, job_id: str, name: str) -> BinaryIO:
        """The artifact's bytes, for reading; the caller closes it."""
        ...

    def signed_url(self, job_id: str, name: str, *, expires: int) -> str:
        """A URL that fetches the artifact without credentials until ``expires`` (Unix s)."""
        ...
