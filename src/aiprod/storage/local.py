"""Artifacts on the local disk, under ``<data_dir>/jobs/<job_id>/``, served by signed URLs."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlencode

from aiprod.storage.artifacts import KNOWN_ARTIFACTS, Artifact, require_known
from aiprod.storage.errors import UnknownArtifact
from aiprod.storage.signing import UrlSigner

FILES_PATH = "/v1/files"


class LocalArtifactStore:
    """A job's files in ``root/<job_id>/``; links point at the API's ``/v1/files`` route."""

    def __init__(self, root: Path, signer: UrlSigner) -> None:
        self.root = root
        self.signer = signer

    def path_of(self, job_id: str, name: str) -> tuple[Path, os.stat_result]:
        """The verified path of an existing artifact file and its stat.

        Raises UnknownArtifact for unknown names, a path outside the root (say, through a
        symlink), a missing file or anything but a regular file.
        """
        require_known(job_id, name)
        root = self.root.resolve()
        try:
            path = (root / job_id / name).resolve(strict=True)
            info = path.stat()
        except OSError:
            raise UnknownArtifact(f"job {job_id} has no {name}") from None
        if not path.is_relative_to(root) or not stat.S_ISREG(info.st_mode):
            raise UnknownArtifact(f"job {job_id} has no {name}")
        return path, info

    def artifact(self, job_id: str, name: str) -> Artifact:
        _, info = self.path_of(job_id, name)
        return Artifact(
            name=name,
            media_type=KNOWN_ARTIFACTS[name].media_type,
            size_bytes=info.st_size,
            modified_at=datetime.fromtimestamp(info.st_mtime, UTC),
        )

    def list_artifacts(self, job_id: str) -> list[Artifact]:
        found = []
        for name in KNOWN_ARTIFACTS:
            try:
                found.append(self.artifact(job_id, name))
            except UnknownArtifact:
                continue
        return found

    def open_artifact(self, job_id: str, name: str) -> BinaryIO:
        path, _ = self.path_of(job_id, name)
        return path.open("rb")

    def signed_url(self, job_id: str, name: str, *, expires: int) -> str:
        require_known(job_id, name)
        signature = self.signer.sign(job_id=job_id, name=name, expires=expires)
        query = urlencode({"expires": expires, "signature": signature})
        return f"{FILES_PATH}/{job_id}/{name}?{query}"
