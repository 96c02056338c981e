"""``formats`` over the API: validated (422 problems), priced, rendered by a real worker into
one folder per format, listed and downloaded by signed links that name the folder, and no
link reaching outside the job's table of names."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from api_client import PROBLEM, ApiClient, KeyMaker, auth
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from aiprod.config import Settings
from aiprod.jobs.models import Job
from aiprod.jobs.worker import WorkerPool
from aiprod.media.ffmpeg.probe import probe
from aiprod.storage import signer_from_settings

TINY_PRESETS = (
    "tiny:\n  width: 288\n  height: 512\n  caption_style: social\n  loudness_lufs: -14\n"
    "  x264_preset: ultrafast\n  crf: 28\n  audio_bitrate_k: 96\n"
)
SPEC: dict[str, Any] = {
    "preset": "tiny",
    "scenes": [
        {"title": "Bean There", "narration": "Fresh coffee, every week."},
        {"title": "Order today", "narration": "Your first bag is free."},
    ],
}
FAST: dict[str, Any] = {"lease_seconds": 30.0, "heartbeat_seconds": 1.0, "idle_sleep_s": 0.1}
PER_FORMAT = ["video.mp4", "thumbnail.jpg", "captions.srt", "captions.vtt", "qa.json"]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    presets = tmp_path / "presets.yaml"
    presets.write_text(TINY_PRESETS, encoding="utf-8")
    return Settings(data_dir=tmp_path / "data", presets_file=presets)


def _problem(response: Any, *paths: str) -> list[dict[str, str]]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    errors: list[dict[str, str]] = response.json()["errors"]
    assert [e["path"] for e in errors] == list(paths)
    return errors


@pytest.mark.parametrize(
    ("formats", "message"),
    [
        (["9:16", "4:3"], "unknown format '4:3' (known: 9:16, 1:1, 16:9)"),
        (["1:1", "16:9", "1x1"], "format '1:1' is given twice"),
        (["../../etc"], "unknown format '../../etc'"),
    ],
)
def test_unknown_or_repeated_formats_are_422_problems(
    client: ApiClient, make_key: KeyMaker, formats: list[str], message: str
) -> None:
    key = auth(make_key())
    body = {"spec": SPEC, "formats": formats}
    for url in ("/v1/jobs", "/v1/estimate"):
        errors = _problem(client.post(url, json=body, headers=key), "body.formats")
        assert message in errors[0]["message"]
    batch = {"jobs": [{"spec": SPEC}, body]}
    errors = _problem(client.post("/v1/batches", json=batch, headers=key), "jobs.1.formats")
    assert message in errors[0]["message"]
    _problem(client.post("/v1/jobs", json={**body, "formats": []}, headers=key), "body.formats")


def test_the_estimate_prices_the_sound_once_and_each_picture(
    client: ApiClient, make_key: KeyMaker
) -> None:
    key = auth(make_key())
    one = client.post("/v1/estimate", json={"spec": SPEC}, headers=key).json()
    three = client.post(
        "/v1/estimate", json={"spec": SPEC, "formats": ["9x16", "1:1", "16:9"]}, headers=key
    ).json()
    assert "formats" not in one
    assert three["formats"] == ["9:16", "1:1", "16:9"]
    seconds = [{s["stage"]: s["seconds"] for s in e["stages"]} for e in (one, three)]
    assert seconds[1]["narration"] == seconds[0]["narration"]
    assert seconds[1]["compose"] > 2 * seconds[0]["compose"]
    assert three["total"] > one["total"]


def _wait_until_done(engine: Engine, job_id: str, timeout: float) -> Job:
    end = time.monotonic() + timeout
    while True:
        with Session(engine) as session:
            job = session.get(Job, job_id)
            assert job is not None
            if job.status in ("succeeded", "failed", "dead"):
                session.expunge(job)
                return job
        assert time.monotonic() < end, f"job still {job.status}"
        time.sleep(0.2)


@pytest.mark.parametrize("jobs_db_url", ["sqlite"], indirect=True)
def test_a_job_with_formats_renders_each_in_its_folder_and_serves_it(
    client: ApiClient,
    make_key: KeyMaker,
    settings: Settings,
    jobs_db_url: str,
    jobs_engine: Engine,
    tmp_path: Path,
) -> None:
    key = auth(make_key())
    body = {"spec": SPEC, "formats": ["9:16", "1:1", "16:9"]}
    created = client.post("/v1/jobs", json=body, headers=key)
    assert created.status_code == 202, created.text
    job_id = created.json()["id"]
    with WorkerPool(jobs_db_url, settings=settings, processes=1, **FAST):
        job = _wait_until_done(jobs_engine, job_id, timeout=300)
    assert job.status == "succeeded", job.error
    assert job.result is not None and job.result["formats"] == ["9:16", "1:1", "16:9"]

    listing = client.get(f"/v1/jobs/{job_id}/artifacts", headers=key)
    assert listing.status_code == 200, listing.text
    urls = {item["name"]: item["url"] for item in listing.json()["items"]}
    folders = ("9x16", "1x1", "16x9")
    expected = ["formats.json"] + [
        f"{f}/{n}" for f in folders for n in [*PER_FORMAT, "manifest.json"]
    ]
    assert [n for n in urls if n in expected] == expected
    index = client.get(urls["formats.json"]).json()
    assert [f["folder"] for f in index["formats"]] == list(folders)

    video = client.get(urls["1x1/video.mp4"])
    assert video.status_code == 200
    assert urlsplit(urls["1x1/video.mp4"]).path == f"/v1/files/{job_id}/1x1/video.mp4"
    assert 'filename="1x1-video.mp4"' in video.headers["content-disposition"]
    saved = tmp_path / "square.mp4"
    saved.write_bytes(video.content)
    info = probe(saved)
    assert info.video is not None and (info.video.width, info.video.height) == (288, 288)
    assert client.request("HEAD", urls["16x9/qa.json"]).status_code == 200

    # the ZIP export keeps the folders
    exported = client.get(f"/v1/jobs/{job_id}/export?format=zip", headers=key)
    assert exported.status_code == 200
    with zipfile.ZipFile(io.BytesIO(exported.content)) as archive:
        assert {"formats.json", "9x16/video.mp4", "16x9/qa.json"} <= set(archive.namelist())

    # the folder is part of what is signed: a link to one format opens no other
    query = urlsplit(urls["1x1/video.mp4"]).query
    other = client.get(f"/v1/files/{job_id}/16x9/video.mp4?{query}")
    assert other.status_code == 403 and other.headers["content-type"] == PROBLEM

    # nothing outside the table, even with a genuine signature for the odd name
    (settings.data_dir / "secret.txt").write_text("no", encoding="utf-8")
    signer, expires = signer_from_settings(settings), int(time.time()) + 60
    for name, raw in [
        ("1x1/../qa.json", "1x1/%2E%2E/qa.json"),
        ("../../secret.txt", "%2E%2E/%2E%2E/secret.txt"),
        ("1x1/../../../secret.txt", "1x1/..%2F..%2F..%2Fsecret.txt"),
        ("/etc/passwd", "/etc/passwd"),
        ("9x16/plan.json", "9x16/plan.json"),
    ]:
        signature = signer.sign(job_id=job_id, name=name, expires=expires)
        response = client.get(f"/v1/files/{job_id}/{raw}?expires={expires}&signature={signature}")
        assert response.status_code == 404, (name, response.status_code)
        assert response.headers["content-type"] == PROBLEM
