"""What a job's artifacts are, and the small interface every artifact store implements.

Only the names in :data:`KNOWN_ARTIFACTS` are ever served: a name is looked up in that
table, never joined to a path as given, so no request can reach another file. A render in
several aspect ratios (see :mod:`aiprod.spec.formats`) has ``formats.json`` and one folder
per format, so the table also holds ``<folder>/<name>`` for each format folder
(``9x16/video.mp4``): a fixed, finite set, with no ``..`` and no absolute path in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, Final, Protocol

from aiprod.spec.formats import FORMATS, FORMATS_INDEX
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
    FORMATS_INDEX: ArtifactKind("application/json", compressible=True),
}
_JOB_WIDE: Final = frozenset({"plan.json", FORMATS_INDEX})  # never inside a format folder


def _known_artifacts() -> dict[str, ArtifactKind]:
    """Flat names first, then each format folder's, in the order of ``FORMATS``."""
    known = dict(ARTIFACT_KINDS)
    for fmt in FORMATS:
        for name, kind in ARTIFACT_KINDS.items():
            if name not in _JOB_WIDE:
                known[f"{fmt.folder}/{name}"] = kind
    return known


KNOWN_ARTIFACTS: Final[dict[str, ArtifactKind]] = _known_artifacts()
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
        return KNOWN_ARTIFACTS[self.name].compressible


def require_known(job_id: str, name: str) -> ArtifactKind:
    """The kind of ``name``; UnknownArtifact for other names or a malformed job id."""
    kind = KNOWN_ARTIFACTS.get(name)
    if kind is None or _JOB_ID.fullmatch(job_id) is None:
        raise UnknownArtifact(f"no artifact {name!r} of job {job_id!r}")
    return kind


def download_name(name: str) -> str:
    """The file name a browser saves ``name`` as: ``9x16-video.mp4`` for ``9x16/video.mp4``."""
    return name.replace("/", "-")


class ArtifactStore(Protocol):
    """Where a job's outputs live. The local store serves them through signed API URLs;
    an object store (S3) would answer :meth:`signed_url` with a presigned URL instead."""

    def list_artifacts(self, job_id: str) -> list[Artifact]:
        """The job's known artifacts that exist, in :data:`KNOWN_ARTIFACTS` order."""
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
