"""A render in several formats delivered to S3 (moto's server on loopback): every file goes
up under its format folder, is listed by its folder name and fetched by a presigned link."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import httpx
import pytest
from s3_server import S3Server

from aiprod.config import Settings
from aiprod.storage import artifact_store_from_settings, deliver_outputs
from aiprod.storage.s3 import S3ArtifactStore

PREFIX = "tenant-f"


@pytest.fixture(scope="module")
def s3_server() -> Iterator[S3Server]:
    server = S3Server().start()
    yield server
    server.stop()


@pytest.fixture
def settings(tmp_path: Path, s3_server: S3Server) -> Settings:
    bucket = f"aiprod-{uuid4().hex[:12]}"
    configured = Settings(
        data_dir=tmp_path / "data",
        storage_url=f"s3://{bucket}/{PREFIX}/",
        s3_endpoint_url=s3_server.endpoint_url,
        s3_access_key_id="test-key",
        s3_secret_access_key="test-secret",
        s3_addressing_style="path",
    )
    store = artifact_store_from_settings(configured)
    assert isinstance(store, S3ArtifactStore)
    store.client.create_bucket(Bucket=bucket)
    return configured


def test_a_family_is_delivered_with_its_folders(settings: Settings) -> None:
    job_id = uuid4().hex
    folder = settings.data_dir / "jobs" / job_id
    (folder / "9x16").mkdir(parents=True)
    (folder / "16x9").mkdir()
    (folder / "formats.json").write_text('{"formats_version": 1}', encoding="utf-8")
    for sub in ("9x16", "16x9"):
        (folder / sub / "video.mp4").write_bytes(f"video {sub}".encode())
        (folder / sub / "captions.vtt").write_text("WEBVTT\n", encoding="utf-8")
        (folder / sub / "stray.txt").write_text("not an artifact", encoding="utf-8")
    names = [
        "formats.json",
        "9x16/video.mp4",
        "9x16/captions.vtt",
        "16x9/video.mp4",
        "16x9/captions.vtt",
    ]
    assert deliver_outputs(settings, job_id=job_id, out_dir=folder) == names
    assert not folder.exists()  # keep_local_artifacts is off
    store = artifact_store_from_settings(settings)
    assert isinstance(store, S3ArtifactStore)
    keys = [item["Key"] for item in store.client.list_objects_v2(Bucket=store.bucket)["Contents"]]
    assert sorted(keys) == sorted(f"{PREFIX}/jobs/{job_id}/{name}" for name in names)
    assert [a.name for a in store.list_artifacts(job_id)] == names
    url = store.signed_url(job_id, "16x9/video.mp4", expires=int(time.time()) + 60)
    fetched = httpx.get(url)
    assert fetched.status_code == 200 and fetched.content == b"video 16x9"
    assert fetched.headers["content-disposition"] == 'inline; filename="16x9-video.mp4"'
    assert fetched.headers["content-type"] == "video/mp4"
