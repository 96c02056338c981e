"""Artifacts in an S3-compatible bucket under ``<prefix>/jobs/<job_id>/<name>``.

Links are presigned ``GET`` URLs: clients fetch (and seek with ``Range``) straight from the
object store, never through the API. Uploads go through boto3's transfer manager, in
parts above a threshold; uploading again overwrites, so a retried delivery is harmless.
Every boto3 error is translated at this boundary (:func:`s3_errors`): a missing object is
:class:`UnknownArtifact`, anything else :class:`StorageUnavailable`.
"""

from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Final, cast

from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import BotoCoreError, ClientError

from aiprod.storage.artifacts import (
    ARTIFACT_KINDS,
    KNOWN_ARTIFACTS,
    Artifact,
    download_name,
    require_known,
)
from aiprod.storage.errors import StorageUnavailable, UnknownArtifact
from aiprod.storage.signing import MAX_TTL_S

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

MIB: Final = 1024 * 1024
_MISSING: Final = frozenset({"404", "NoSuchKey", "NotFound"})
_READ_CHUNK: Final = MIB
# Any known name: require_known() then checks just the job id.
_SOME_NAME: Final = next(iter(ARTIFACT_KINDS))


@contextlib.contextmanager
def s3_errors(missing: str) -> Iterator[None]:
    """Turn boto3 errors into ours; ``missing`` is the message of :class:`UnknownArtifact`."""
    try:
        yield
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in _MISSING:
            raise UnknownArtifact(missing) from None
        raise StorageUnavailable(f"object storage refused the request ({code or exc})") from None
    except (BotoCoreError, Boto3Error) as exc:
        raise StorageUnavailable(f"object storage unreachable: {exc}") from None


class S3ArtifactStore:
    """A job's files in ``bucket`` under ``<prefix>/jobs/<job_id>/``, served by presigned URLs.

    ``presign_client`` signs the links (it may name the endpoint clients reach, which can
    differ from the one the servers use); it defaults to ``client``.
    """

    def __init__(
        self,
        client: S3Client,
        *,
        bucket: str,
        prefix: str = "",
        presign_client: S3Client | None = None,
        multipart_threshold: int = 64 * MIB,
    ) -> None:
        self.client = client
        self.presign_client = presign_client or client
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        # parts of the threshold's size: S3 refuses parts under 5 MiB (but the last)
        self.transfer = TransferConfig(
            multipart_threshold=multipart_threshold, multipart_chunksize=multipart_threshold
        )

    def job_prefix(self, job_id: str) -> str:
        """``<prefix>/jobs/<job_id>/``; UnknownArtifact for a malformed job id."""
        require_known(job_id, _SOME_NAME)
        base = f"{self.prefix}/" if self.prefix else ""
        return f"{base}jobs/{job_id}/"

    def key_of(self, job_id: str, name: str) -> str:
        """The object key of a known artifact; UnknownArtifact for any other name."""
        require_known(job_id, name)
        return self.job_prefix(job_id) + name

    def artifact(self, job_id: str, name: str) -> Artifact:
        key = self.key_of(job_id, name)
        with s3_errors(f"job {job_id} has no {name}"):
            head = self.client.head_object(Bucket=self.bucket, Key=key)
        return _artifact(name, head["ContentLength"], head["LastModified"])

    def list_artifacts(self, job_id: str) -> list[Artifact]:
        try:
            prefix = self.job_prefix(job_id)
        except UnknownArtifact:
            return []
        found: dict[str, Artifact] = {}
        pages = self.client.get_paginator("list_objects_v2")
        with s3_errors(f"job {job_id} has no files"):
            for page in pages.paginate(Bucket=self.bucket, Prefix=prefix):
                for item in page.get("Contents", []):
                    name = item["Key"].removeprefix(prefix)
                    if name in KNOWN_ARTIFACTS:
                        found[name] = _artifact(name, item["Size"], item["LastModified"])
        return [found[name] for name in KNOWN_ARTIFACTS if name in found]

    def open_artifact(self, job_id: str, name: str) -> BinaryIO:
        key = self.key_of(job_id, name)
        with s3_errors(f"job {job_id} has no {name}"):
            body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        raw = TranslatedBody(body)
        return cast(BinaryIO, io.BufferedReader(raw, buffer_size=_READ_CHUNK))

    def signed_url(self, job_id: str, name: str, *, expires: int) -> str:
        """A presigned GET valid until ``expires`` (clamped to 1 s … 7 days from now)."""
        kind = require_known(job_id, name)
        ttl = max(1, min(MAX_TTL_S, expires - int(time.time())))
        params = {
            "Bucket": self.bucket,
            "Key": self.key_of(job_id, name),
            "ResponseContentType": kind.media_type,
            "ResponseContentDisposition": f'inline; filename="{download_name(name)}"',
        }
        with s3_errors(f"job {job_id} has no {name}"):
            return self.presign_client.generate_presigned_url(
                "get_object", Params=params, ExpiresIn=ttl
            )

    def upload_artifact(self, job_id: str, name: str, path: Path) -> None:
        """Upload one file as artifact ``name`` (in parts when large); overwrites."""
        key = self.key_of(job_id, name)
        extra = {"ContentType": KNOWN_ARTIFACTS[name].media_type}
        with s3_errors(f"{path} is gone"):
            self.client.upload_file(
                str(path), self.bucket, key, ExtraArgs=extra, Config=self.transfer
            )

    def upload_outputs(self, job_id: str, folder: Path) -> list[str]:
        """Upload every known artifact found in ``folder`` (format folders included); the
        names uploaded."""
        names = [name for name in KNOWN_ARTIFACTS if _is_plain_file(folder / name)]
        for name in names:
            self.upload_artifact(job_id, name, folder / name)
        return names


class TranslatedBody(io.RawIOBase):
    """An object's streaming body whose read errors are :class:`StorageUnavailable`."""

    def __init__(self, body: Any) -> None:
        super().__init__()
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        with s3_errors("the object vanished while being read"):
            data: bytes = self._body.read(len(view))
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._body.close()
        super().close()


def _artifact(name: str, size: int, modified_at: datetime) -> Artifact:
    return Artifact(name, KNOWN_ARTIFACTS[name].media_type, size, modified_at)


def _is_plain_file(path: Path) -> bool:
    """A regular file, not a symlink: only what the render wrote is uploaded."""
    return path.is_file() and not path.is_symlink()
