"""The artifact store the settings choose, and how a worker delivers a job's outputs to it.

    AIPROD_STORAGE_URL unset     → the local disk, ``<data_dir>/jobs/<job_id>/`` (the default)
    file:///srv/aiprod           → the local disk, ``/srv/aiprod/jobs/<job_id>/``
    s3://bucket[/prefix]         → an S3-compatible bucket, ``<prefix>/jobs/<job_id>/<name>``

A worker renders into ``<data_dir>/jobs/<job_id>/``; :func:`deliver_outputs` then puts the
files where the API serves them from, before the success is committed. boto3 is imported
only when S3 is configured.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal
from urllib.parse import unquote, urlsplit

from aiprod.config import Settings
from aiprod.storage.artifacts import ARTIFACT_KINDS, KNOWN_ARTIFACTS, ArtifactStore, require_known
from aiprod.storage.errors import StorageConfigInvalid, StorageUnavailable
from aiprod.storage.local import LocalArtifactStore
from aiprod.storage.signing import signer_from_settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from aiprod.storage.s3 import S3ArtifactStore

_BUCKET: Final = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_PREFIX_PART: Final = re.compile(r"[A-Za-z0-9!_.*'()=-]+")
_USAGE: Final = "AIPROD_STORAGE_URL must be s3://bucket[/prefix] or file:///absolute/dir"
MIB: Final = 1024 * 1024


@dataclass(frozen=True)
class StorageLocation:
    """A parsed ``AIPROD_STORAGE_URL``: a local folder (None: the data dir) or a bucket."""

    kind: Literal["file", "s3"]
    path: Path | None = None
    bucket: str = ""
    prefix: str = ""


def parse_storage_url(url: str | None) -> StorageLocation:
    """The location ``url`` names; StorageConfigInvalid, in one line, when it names none.

    The URL is never echoed back: it could hold credentials someone pasted into it.
    """
    if not url:
        return StorageLocation("file")
    parts = urlsplit(url.strip())
    if parts.query or parts.fragment:
        raise StorageConfigInvalid(f"{_USAGE}; it may not have a query or a fragment")
    if parts.scheme == "s3":
        if not _BUCKET.fullmatch(parts.netloc):
            raise StorageConfigInvalid(f"{_USAGE}; the bucket name is missing or invalid")
        prefix = parts.path.strip("/")
        if prefix and not all(_PREFIX_PART.fullmatch(p) for p in prefix.split("/")):
            raise StorageConfigInvalid(f"{_USAGE}; the prefix has an empty or unsafe part")
        if any(part in (".", "..") for part in prefix.split("/")):
            raise StorageConfigInvalid(f"{_USAGE}; the prefix may not hold '.' or '..'")
        return StorageLocation("s3", bucket=parts.netloc, prefix=prefix)
    if parts.scheme == "file":
        path = Path(unquote(parts.path))
        if parts.netloc not in ("", "localhost") or not path.is_absolute():
            raise StorageConfigInvalid(f"{_USAGE}; a file URL needs an absolute local path")
        return StorageLocation("file", path=path)
    raise StorageConfigInvalid(f"{_USAGE}; scheme {parts.scheme or '(none)'!r} is not supported")


def check_storage_settings(settings: Settings) -> None:
    """Refuse unusable storage settings at startup; connects to nothing."""
    location = parse_storage_url(settings.storage_url)
    if location.kind == "s3":
        s3_store(settings, location)


def artifact_store_from_settings(settings: Settings) -> ArtifactStore:
    """The configured store. The local one may create the URL-signing key file."""
    location = parse_storage_url(settings.storage_url)
    if location.kind == "s3":
        return s3_store(settings, location)
    root = (location.path or settings.data_dir) / "jobs"
    return LocalArtifactStore(root, signer_from_settings(settings))


def s3_store(settings: Settings, location: StorageLocation) -> S3ArtifactStore:
    """An :class:`S3ArtifactStore` over the bucket of ``location``."""
    from aiprod.storage.s3 import S3ArtifactStore

    public = settings.s3_public_endpoint_url
    return S3ArtifactStore(
        _s3_client(settings, settings.s3_endpoint_url, "AIPROD_S3_ENDPOINT_URL"),
        bucket=location.bucket,
        prefix=location.prefix,
        presign_client=_s3_client(settings, public, "AIPROD_S3_PUBLIC_ENDPOINT_URL")
        if public
        else None,
        multipart_threshold=settings.s3_multipart_threshold_mb * MIB,
    )


def _s3_client(settings: Settings, endpoint_url: str | None, name: str) -> S3Client:
    import boto3
    from botocore.config import Config

    if endpoint_url and not endpoint_url.startswith(("http://", "https://")):
        raise StorageConfigInvalid(f"{name} must be an http(s) URL")
    if bool(settings.s3_access_key_id) != bool(settings.s3_secret_access_key):
        raise StorageConfigInvalid("set both AIPROD_S3_ACCESS_KEY_ID and _SECRET_ACCESS_KEY")
    secret = settings.s3_secret_access_key
    config = Config(
        signature_version="s3v4",  # presigned URLs up to 7 days, every region
        s3={"addressing_style": settings.s3_addressing_style},
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=5,
        read_timeout=60,
    )
    try:
        return boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=settings.s3_region,
            aws_access_key_id=settings.s3_access_key_id,
            aws_secret_access_key=secret.get_secret_value() if secret else None,
            config=config,
        )
    except ValueError as exc:  # botocore: an invalid endpoint or region
        raise StorageConfigInvalid(f"the S3 settings are unusable: {exc}") from None


def deliver_outputs(settings: Settings, *, job_id: str, out_dir: Path) -> list[str]:
    """Put a rendered job's outputs where the API serves them from; the names delivered.

    S3: each known artifact is uploaded (again, on a retry); then the worker's folder is
    removed unless ``keep_local_artifacts``. Local: nothing to do when the store's folder
    is ``out_dir``; a ``file://`` store elsewhere gets copies. Raises StorageUnavailable.
    """
    require_known(job_id, next(iter(ARTIFACT_KINDS)))
    location = parse_storage_url(settings.storage_url)
    if location.kind == "s3":
        names = s3_store(settings, location).upload_outputs(job_id, out_dir)
    else:
        target = (location.path or settings.data_dir) / "jobs" / job_id
        if target.resolve() == out_dir.resolve():
            return [name for name in KNOWN_ARTIFACTS if (out_dir / name).is_file()]
        names = copy_outputs(out_dir, target)
    if not settings.keep_local_artifacts:
        shutil.rmtree(out_dir, ignore_errors=True)
    return names


def copy_outputs(source: Path, target: Path) -> list[str]:
    """Copy each known artifact of ``source`` into ``target`` (format folders kept), each
    replaced atomically."""
    names = [n for n in KNOWN_ARTIFACTS if (source / n).is_file() and not (source / n).is_symlink()]
    try:
        for name in names:
            into = (target / name).parent
            into.mkdir(parents=True, exist_ok=True)
            partial = into / f".{Path(name).name}.partial"
            shutil.copyfile(source / name, partial)
            os.replace(partial, target / name)
    except OSError as exc:
        raise StorageUnavailable(f"cannot copy outputs to {target}: {exc.strerror}") from None
    return names
