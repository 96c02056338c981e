"""S3-compatible artifact storage against a real S3 server on loopback (moto's, in its own
process; see ``s3_server.py``): uploads, listings, presigned GETs (whole, ranged, expired),
the API with S3 configured on SQLite and PostgreSQL, and the worker delivering outputs."""

from __future__ import annotations

import io
import json
import os
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import uuid4

import httpx
import pytest
from anyio.from_thread import start_blocking_portal
from api_client import PROBLEM, ApiClient, KeyMaker, auth
from cli_runner import run_aiprod
from s3_server import S3Server, free_port
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from storage_fake_work import OUTPUTS, VIDEO_BYTES, WORK

from aiprod.api import create_app
from aiprod.config import Settings
from aiprod.db.engine import make_session_factory
from aiprod.jobs.models import Job
from aiprod.jobs.store import create_job
from aiprod.jobs.worker import WorkerPool
from aiprod.storage import (
    MAX_TTL_S,
    StorageUnavailable,
    UnknownArtifact,
    artifact_store_from_settings,
    deliver_outputs,
)
from aiprod.storage.factory import parse_storage_url, s3_store
from aiprod.storage.s3 import MIB, S3ArtifactStore

PREFIX = "tenant-a"
NAMES = ["video.mp4", "captions.vtt", "qa.json", "manifest.json"]  # ARTIFACT_KINDS order
FAST: dict[str, Any] = {"lease_seconds": 5.0, "heartbeat_seconds": 0.3, "idle_sleep_s": 0.1}


@pytest.fixture(scope="module")
def s3_server() -> Iterator[S3Server]:
    server = S3Server().start()
    yield server
    server.stop()


def s3_settings(data_dir: Path, endpoint_url: str, bucket: str, **extra: Any) -> Settings:
    return Settings(
        data_dir=data_dir,
        storage_url=f"s3://{bucket}/{PREFIX}/",
        s3_endpoint_url=endpoint_url,
        s3_access_key_id="test-key",
        s3_secret_access_key="test-secret",
        s3_addressing_style="path",
        **extra,
    )


def as_s3(settings: Settings) -> S3ArtifactStore:
    store = artifact_store_from_settings(settings)
    assert isinstance(store, S3ArtifactStore)
    return store


@pytest.fixture
def settings(tmp_path: Path, s3_server: S3Server) -> Settings:
    """Overrides the shared fixture: the API and workers of this module store in a fresh
    bucket of the loopback S3 server."""
    bucket = f"aiprod-{uuid4().hex[:12]}"
    configured = s3_settings(tmp_path / "data", s3_server.endpoint_url, bucket)
    as_s3(configured).client.create_bucket(Bucket=bucket)
    return configured


@pytest.fixture
def store(settings: Settings) -> S3ArtifactStore:
    return as_s3(settings)


def write_outputs(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in OUTPUTS.items():
        (folder / name).write_bytes(data)
    return folder


def job_id_for_tests() -> str:
    return uuid4().hex


# -- the store itself ----------------------------------------------------------------------


def test_uploads_land_under_the_prefix_with_their_media_types(
    store: S3ArtifactStore, tmp_path: Path
) -> None:
    folder = write_outputs(tmp_path / "out")
    (folder / "done.txt").write_text("not an artifact", encoding="utf-8")
    (folder / "thumbnail.jpg").symlink_to(folder / "done.txt")  # only plain files go up
    job_id = job_id_for_tests()
    assert store.upload_outputs(job_id, folder) == NAMES
    listed = store.client.list_objects_v2(Bucket=store.bucket)["Contents"]
    assert sorted(item["Key"] for item in listed) == sorted(
        f"{PREFIX}/jobs/{job_id}/{name}" for name in NAMES
    )
    head = store.client.head_object(Bucket=store.bucket, Key=store.key_of(job_id, "captions.vtt"))
    assert head["ContentType"] == "text/vtt; charset=utf-8"
    assert [(a.name, a.size_bytes) for a in store.list_artifacts(job_id)] == [
        (name, len(OUTPUTS[name])) for name in NAMES
    ]
    assert store.artifact(job_id, "video.mp4").media_type == "video/mp4"


def test_presigned_links_serve_whole_files_and_byte_ranges(
    store: S3ArtifactStore, tmp_path: Path
) -> None:
    job_id = job_id_for_tests()
    store.upload_outputs(job_id, write_outputs(tmp_path / "out"))
    url = store.signed_url(job_id, "video.mp4", expires=int(time.time()) + 60)
    assert url.startswith(f"{store.client.meta.endpoint_url}/{store.bucket}/{PREFIX}/jobs/")
    whole = httpx.get(url)
    assert whole.status_code == 200
    assert whole.content == VIDEO_BYTES
    assert whole.headers["content-type"] == "video/mp4"
    assert whole.headers["content-disposition"] == 'inline; filename="video.mp4"'
    part = httpx.get(url, headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206
    assert part.content == VIDEO_BYTES[1000:2000]
    assert part.headers["content-range"] == f"bytes 1000-1999/{len(VIDEO_BYTES)}"


def test_a_presigned_link_expires(store: S3ArtifactStore, tmp_path: Path) -> None:
    job_id = job_id_for_tests()
    store.upload_outputs(job_id, write_outputs(tmp_path / "out"))
    now = int(time.time())
    short = store.signed_url(job_id, "qa.json", expires=now + 1)
    long = store.signed_url(job_id, "qa.json", expires=now + 60)
    assert parse_qs(urlsplit(short).query)["X-Amz-Expires"] == ["1"]
    time.sleep(2.0)
    refused = httpx.get(short)
    assert refused.status_code == 403
    assert b"expired" in refused.content
    assert httpx.get(long).content == OUTPUTS["qa.json"]


def test_link_lifetimes_are_bounded(store: S3ArtifactStore) -> None:
    job_id = job_id_for_tests()
    now = int(time.time())
    for expires, lifetime in ((now + 10 * MAX_TTL_S, MAX_TTL_S), (now - 100, 1)):
        url = store.signed_url(job_id, "video.mp4", expires=expires)
        assert parse_qs(urlsplit(url).query)["X-Amz-Expires"] == [str(lifetime)]


def test_uploading_again_overwrites(store: S3ArtifactStore, tmp_path: Path) -> None:
    job_id = job_id_for_tests()
    folder = write_outputs(tmp_path / "out")
    store.upload_outputs(job_id, folder)
    (folder / "qa.json").write_text('{"passed": false}', encoding="utf-8")
    store.upload_outputs(job_id, folder)
    with store.open_artifact(job_id, "qa.json") as handle:
        assert json.load(handle) == {"passed": False}
    assert len(store.list_artifacts(job_id)) == len(NAMES)


def test_large_files_upload_in_parts(settings: Settings, tmp_path: Path) -> None:
    location = parse_storage_url(settings.storage_url)
    store = s3_store(settings.model_copy(update={"s3_multipart_threshold_mb": 5}), location)
    big = os.urandom(11 * MIB)
    (tmp_path / "video.mp4").write_bytes(big)
    job_id = job_id_for_tests()
    store.upload_artifact(job_id, "video.mp4", tmp_path / "video.mp4")
    head = store.client.head_object(Bucket=store.bucket, Key=store.key_of(job_id, "video.mp4"))
    assert head["ETag"].strip('"').endswith("-3")  # three parts of 5, 5 and 1 MiB
    with store.open_artifact(job_id, "video.mp4") as handle:
        assert handle.read() == big


def test_unknown_names_and_missing_objects(store: S3ArtifactStore) -> None:
    job_id = job_id_for_tests()
    for bad_job, name in ((job_id, "../secret"), ("../other", "video.mp4"), (job_id, "x.txt")):
        with pytest.raises(UnknownArtifact):
            store.key_of(bad_job, name)
    with pytest.raises(UnknownArtifact):
        store.artifact(job_id, "video.mp4")
    with pytest.raises(UnknownArtifact):
        store.open_artifact(job_id, "qa.json")
    assert store.list_artifacts(job_id) == []
    assert store.list_artifacts("../../etc") == []


def test_an_unreachable_store_or_missing_bucket_is_unavailable(
    store: S3ArtifactStore, tmp_path: Path
) -> None:
    dead = s3_settings(tmp_path, f"http://127.0.0.1:{free_port()}", store.bucket)
    with pytest.raises(StorageUnavailable, match="unreachable"):
        as_s3(dead).list_artifacts(job_id_for_tests())
    no_bucket = S3ArtifactStore(store.client, bucket="no-such-bucket-here")
    with pytest.raises(StorageUnavailable, match="NoSuchBucket"):
        no_bucket.list_artifacts(job_id_for_tests())


def test_delivery_uploads_and_removes_or_keeps_the_local_folder(
    settings: Settings, store: S3ArtifactStore
) -> None:
    for keep in (False, True):
        configured = settings.model_copy(update={"keep_local_artifacts": keep})
        job_id = job_id_for_tests()
        folder = write_outputs(settings.data_dir / "jobs" / job_id)
        assert deliver_outputs(configured, job_id=job_id, out_dir=folder) == NAMES
        assert folder.exists() is keep
        assert [a.name for a in store.list_artifacts(job_id)] == NAMES


# -- the API with S3 configured (SQLite and PostgreSQL) ---------------------------------


@pytest.fixture
def stored_job(
    client: ApiClient, make_key: KeyMaker, store: S3ArtifactStore, tmp_path: Path
) -> tuple[str, str]:
    """(key, job id): a job submitted through the API whose outputs are in the bucket."""
    key = make_key()
    response = client.post("/v1/jobs", json={"brief": "a coffee ad"}, headers=auth(key))
    assert response.status_code == 202, response.text
    job_id: str = response.json()["id"]
    store.upload_outputs(job_id, write_outputs(tmp_path / "outputs"))
    return key, job_id


def test_api_lists_presigned_urls_that_fetch_from_s3(
    client: ApiClient, stored_job: tuple[str, str], s3_server: S3Server
) -> None:
    key, job_id = stored_job
    response = client.get(f"/v1/jobs/{job_id}/artifacts", params={"ttl": 120}, headers=auth(key))
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [item["name"] for item in items] == NAMES
    video = items[0]
    assert video["url"].startswith(s3_server.endpoint_url)  # straight to S3, not the API
    lifetime = parse_qs(urlsplit(video["url"]).query)["X-Amz-Expires"]
    assert lifetime in (["120"], ["119"])  # the clock may tick between the two readings
    assert video["size_bytes"] == len(VIDEO_BYTES)
    assert httpx.get(video["url"]).content == VIDEO_BYTES
    ranged = httpx.get(video["url"], headers={"Range": "bytes=-100"})
    assert (ranged.status_code, ranged.content) == (206, VIDEO_BYTES[-100:])


def test_api_serves_no_files_itself_with_s3(client: ApiClient, stored_job: tuple[str, str]) -> None:
    _, job_id = stored_job
    response = client.get(f"/v1/files/{job_id}/video.mp4?expires=9999999999&signature=x")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM


def test_api_exports_read_through_the_store(client: ApiClient, stored_job: tuple[str, str]) -> None:
    key, job_id = stored_job
    document = client.get(f"/v1/jobs/{job_id}/export", headers=auth(key))
    assert document.status_code == 200, document.text
    assert document.json()["qa"] == {"passed": True}
    assert document.json()["manifest"] == {"outputs": ["video.mp4"]}
    archive = client.get(f"/v1/jobs/{job_id}/export", params={"format": "zip"}, headers=auth(key))
    assert archive.status_code == 200, archive.text
    with zipfile.ZipFile(io.BytesIO(archive.content)) as bundle:
        assert sorted(bundle.namelist()) == sorted(["job.json", *NAMES])
        assert bundle.read("video.mp4") == VIDEO_BYTES


def test_api_answers_503_while_the_store_is_unreachable(
    settings: Settings, jobs_db_url: str, make_key: KeyMaker, tmp_path: Path
) -> None:
    dead = s3_settings(tmp_path / "data", f"http://127.0.0.1:{free_port()}", "some-bucket")
    app = create_app(dead, database_url=jobs_db_url)
    key = make_key()
    with start_blocking_portal() as portal:
        api = ApiClient(app, portal)
        job = api.post("/v1/jobs", json={"brief": "a coffee ad"}, headers=auth(key)).json()
        response = api.get(f"/v1/jobs/{job['id']}/artifacts", headers=auth(key))
        api.close()
    app.state.engine.dispose()
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "urn:aiprod:problem:storage-unavailable"


def test_serve_refuses_a_bad_storage_url_in_one_line(tmp_path: Path) -> None:
    env = {"AIPROD_STORAGE_URL": "ftp://user:hunter2@host/x"}
    result = run_aiprod("serve", data_dir=tmp_path, extra_env=env, timeout=60)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: AIPROD_STORAGE_URL must be")
    assert "hunter2" not in result.stderr


# -- the worker delivers before it commits success (SQLite and PostgreSQL) ---------------


def submit(engine: Engine) -> str:
    with make_session_factory(engine)() as session:
        job = create_job(session, owner="ana", kind="spec", request={}, preset=None)
        session.commit()
        return job.id


def load(engine: Engine, job_id: str) -> Job:
    with Session(engine) as session:
        job = session.get(Job, job_id)
        assert job is not None
        session.expunge(job)
        return job


def wait_for(check: Callable[[], bool], timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.05)


def run_pool(url: str, settings: Settings, until: Callable[[], bool], what: str) -> None:
    pool = WorkerPool(url, settings=settings, work=WORK, processes=1, backoff_base_s=60, **FAST)
    pool.start()
    try:
        wait_for(until, 30, what)
    finally:
        pool.stop(grace_s=0.0)


def test_a_succeeded_job_has_its_files_in_the_bucket(
    jobs_engine: Engine, jobs_db_url: str, settings: Settings, store: S3ArtifactStore
) -> None:
    job_id = submit(jobs_engine)
    run_pool(jobs_db_url, settings, lambda: load(jobs_engine, job_id).status == "succeeded", "it")
    assert [a.name for a in store.list_artifacts(job_id)] == NAMES
    with store.open_artifact(job_id, "video.mp4") as handle:
        assert handle.read() == VIDEO_BYTES
    assert not (settings.data_dir / "jobs" / job_id).exists()  # keep_local_artifacts=False


def test_with_s3_down_the_attempt_fails_retryably_at_deliver(
    jobs_engine: Engine, jobs_db_url: str, tmp_path: Path
) -> None:
    server = S3Server().start()
    settings = s3_settings(tmp_path / "data", server.endpoint_url, "outage")
    as_s3(settings).client.create_bucket(Bucket="outage")
    server.stop()
    job_id = submit(jobs_engine)
    run_pool(jobs_db_url, settings, lambda: load(jobs_engine, job_id).error is not None, "error")
    job = load(jobs_engine, job_id)
    assert (job.status, job.attempts) == ("queued", 1)  # to be retried after its backoff
    assert job.error is not None
    assert (job.error["stage"], job.error["code"]) == ("deliver", "storage_unavailable")
    assert (settings.data_dir / "jobs" / job_id / "video.mp4").is_file()  # kept for now
