"""The studio over S3-compatible storage (moto on loopback): a finished job's files are the
bucket's presigned links, the page's policy lets exactly that origin serve its pictures and
videos, and the QA table and ZIP are read from the bucket."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import httpx
from api_client import ApiClient, KeyMaker, auth
from s3_server import S3Server
from test_storage_s3 import s3_server, settings, store  # noqa: F401  (fixtures)
from test_studio import ESCAPED, HOSTILE, RAW, _finish, media, sign_in  # noqa: F401

from aiprod.storage.s3 import S3ArtifactStore


def test_a_finished_job_on_s3_plays_from_the_bucket(
    client: ApiClient,
    make_key: KeyMaker,
    jobs_db_url: str,
    media: Path,  # noqa: F811
    store: S3ArtifactStore,  # noqa: F811
    s3_server: S3Server,  # noqa: F811
) -> None:
    key = make_key("alice")
    created = client.post("/v1/jobs", json={"brief": HOSTILE}, headers=auth(key))
    job_id = created.json()["id"]
    _finish(jobs_db_url, job_id)
    store.upload_outputs(job_id, media)
    sign_in(client, key)
    page = client.get(f"/studio/jobs/{job_id}")
    assert page.status_code == 200, page.text
    assert ESCAPED in page.text and RAW not in page.text
    origin = s3_server.endpoint_url.rstrip("/")
    policy = page.headers["content-security-policy"]
    assert f"media-src 'self' {origin};" in policy and f"img-src 'self' data: {origin};" in policy
    assert "script-src 'self';" in policy
    video = re.search(r'<video[^>]*\ssrc="([^"]+)"', page.text)
    assert video is not None and video.group(1).startswith(origin)
    url = video.group(1).replace("&amp;", "&")
    assert "download=1" not in page.text  # a presigned URL keeps its signed query
    part = httpx.get(url, headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and len(part.content) == 100
    assert "loudness_integrated" in page.text  # qa.json read from the bucket
    exported = client.get(f"/studio/jobs/{job_id}/export.zip")
    assert exported.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(exported.content)).namelist()
    assert {"job.json", "video.mp4", "qa.json"} <= set(names)
    history = client.get("/studio/history")
    assert f'src="{origin}/' in history.text
    assert origin in history.headers["content-security-policy"]
