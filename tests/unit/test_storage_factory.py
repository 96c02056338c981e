"""Choosing the artifact store from settings, and delivering outputs to a local store.

No server needed: presigning is pure computation. The S3 round trips are in
``tests/integration/test_storage_s3.py``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from aiprod.config import Settings
from aiprod.storage import (
    LocalArtifactStore,
    StorageConfigInvalid,
    UnknownArtifact,
    artifact_store_from_settings,
    check_storage_settings,
    deliver_outputs,
)
from aiprod.storage.factory import StorageLocation, parse_storage_url
from aiprod.storage.s3 import S3ArtifactStore


@pytest.mark.parametrize(
    ("url", "location"),
    [
        (None, StorageLocation("file")),
        ("", StorageLocation("file")),
        ("file:///srv/aiprod", StorageLocation("file", path=Path("/srv/aiprod"))),
        ("file://localhost/srv/my%20media", StorageLocation("file", path=Path("/srv/my media"))),
        ("s3://media-bucket", StorageLocation("s3", bucket="media-bucket")),
        (
            "s3://media.bucket/team-a/prod/",
            StorageLocation("s3", bucket="media.bucket", prefix="team-a/prod"),
        ),
    ],
)
def test_storage_urls_that_parse(url: str | None, location: StorageLocation) -> None:
    assert parse_storage_url(url) == location


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("s3://", "bucket name"),
        ("s3://Upper_Case", "bucket name"),
        ("s3://ab", "bucket name"),
        ("s3://key:hunter2@bucket/x", "bucket name"),
        ("s3://bucket/a//b", "unsafe part"),
        ("s3://bucket/a/../b", "'..'"),
        ("s3://bucket/a b", "unsafe part"),
        ("s3://bucket/x?versionId=1", "query"),
        ("file://server/share", "absolute local path"),
        ("file:relative/dir", "absolute local path"),
        ("ftp://host/x", "scheme 'ftp'"),
        ("just-a-bucket", "scheme '(none)'"),
    ],
)
def test_bad_storage_urls_are_refused_in_one_line(url: str, reason: str) -> None:
    with pytest.raises(StorageConfigInvalid) as refused:
        parse_storage_url(url)
    message = str(refused.value)
    assert message.startswith("AIPROD_STORAGE_URL must be s3://bucket[/prefix]")
    assert reason in message
    assert "\n" not in message and "hunter2" not in message


def s3(tmp_path: Path, **options: Any) -> Settings:
    base = {"storage_url": "s3://media-bucket/team-a", "s3_addressing_style": "path"}
    return Settings(data_dir=tmp_path / "data", **{**base, **options})


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"s3_endpoint_url": "minio:9000"}, "S3_ENDPOINT_URL must be an http"),
        ({"s3_public_endpoint_url": "ftp://cdn"}, "PUBLIC_ENDPOINT_URL must be an http"),
        ({"s3_access_key_id": "AKIAEXAMPLE"}, "set both"),
        ({"s3_secret_access_key": "secret"}, "set both"),
    ],
)
def test_unusable_s3_settings_are_refused(
    tmp_path: Path, options: dict[str, Any], reason: str
) -> None:
    with pytest.raises(StorageConfigInvalid, match=reason):
        check_storage_settings(s3(tmp_path, **options))


def test_the_default_store_is_the_local_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    check_storage_settings(settings)
    store = artifact_store_from_settings(settings)
    assert isinstance(store, LocalArtifactStore)
    assert store.root == tmp_path / "data" / "jobs"
    elsewhere = Settings(data_dir=tmp_path / "data", storage_url=f"file://{tmp_path}/shared")
    other = artifact_store_from_settings(elsewhere)
    assert isinstance(other, LocalArtifactStore)
    assert other.root == tmp_path / "shared" / "jobs"


def test_s3_links_are_presigned_for_the_public_endpoint(tmp_path: Path) -> None:
    settings = s3(
        tmp_path,
        s3_endpoint_url="http://minio:9000",
        s3_public_endpoint_url="https://media.example.com",
        s3_access_key_id="AKIAEXAMPLE",
        s3_secret_access_key="example-secret",
    )
    check_storage_settings(settings)
    store = artifact_store_from_settings(settings)
    assert isinstance(store, S3ArtifactStore)
    assert store.client.meta.endpoint_url == "http://minio:9000"
    url = store.signed_url("job1", "captions.vtt", expires=int(time.time()) + 600)
    assert url.startswith("https://media.example.com/media-bucket/team-a/jobs/job1/captions.vtt?")
    assert "X-Amz-Algorithm=AWS4-HMAC-SHA256" in url
    assert "response-content-type=text%2Fvtt" in url
    assert "example-secret" not in url


def write_outputs(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "video.mp4").write_bytes(b"\x00\x01video")
    (folder / "qa.json").write_text("{}", encoding="utf-8")
    (folder / "renders.txt").write_text("1", encoding="utf-8")  # not an artifact
    return folder


def test_delivery_to_the_default_store_leaves_the_files_in_place(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    folder = write_outputs(settings.data_dir / "jobs" / "job1")
    assert deliver_outputs(settings, job_id="job1", out_dir=folder) == ["video.mp4", "qa.json"]
    assert (folder / "video.mp4").read_bytes() == b"\x00\x01video"


@pytest.mark.parametrize("keep", [False, True])
def test_delivery_to_another_folder_copies(tmp_path: Path, keep: bool) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        storage_url=f"file://{tmp_path}/shared",
        keep_local_artifacts=keep,
    )
    folder = write_outputs(settings.data_dir / "jobs" / "job1")
    assert deliver_outputs(settings, job_id="job1", out_dir=folder) == ["video.mp4", "qa.json"]
    target = tmp_path / "shared" / "jobs" / "job1"
    assert sorted(p.name for p in target.iterdir()) == ["qa.json", "video.mp4"]
    assert (target / "video.mp4").read_bytes() == b"\x00\x01video"
    assert folder.exists() is keep


def test_delivery_refuses_a_malformed_job_id(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", storage_url=f"file://{tmp_path}/shared")
    with pytest.raises(UnknownArtifact):
        deliver_outputs(settings, job_id="../escape", out_dir=tmp_path / "data")
