"""Artifacts through signed, expiring URLs (with byte ranges) and job exports, on SQLite and
on real PostgreSQL, over real media made by FFmpeg."""

from __future__ import annotations

import io
import json
import shutil
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from api_client import PROBLEM, ApiClient, KeyMaker, auth
from sqlalchemy import update

from aiprod.config import Settings
from aiprod.db.engine import make_engine, make_session_factory
from aiprod.jobs.events import record_event
from aiprod.jobs.models import Job
from aiprod.media.contact_sheet import Tile, write_contact_sheet
from aiprod.media.ffmpeg.probe import probe
from aiprod.media.ffmpeg.run import run_ffmpeg
from aiprod.media.measure import measure_all
from aiprod.storage import MAX_TTL_S, signer_from_settings

PLAN = {"version": 1, "scenes": [{"narration": "Meet Bean There."}]}
QA = {"passed": True, "checks": [{"name": "loudness", "ok": True}]}
MANIFEST = {"outputs": ["video.mp4"], "duration_s": 2.0}
SRT = "1\n00:00:00,000 --> 00:00:01,500\nMeet Bean There.\n"
VTT = "WEBVTT\n\n00:00.000 --> 00:01.500\nMeet Bean There.\n"
NAMES = [
    "video.mp4",
    "thumbnail.jpg",
    "contact_sheet.jpg",
    "captions.srt",
    "captions.vtt",
    "qa.json",
    "manifest.json",
]


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real 2 s H.264/AAC video, its thumbnail, captions, QA report and manifest (made once)."""
    folder = tmp_path_factory.mktemp("artifacts")
    video = folder / "video.mp4"
    run_ffmpeg(
        [
            *("-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi"),
            *("-i", "sine", "-t", "2", "-c:v", "libx264", "-preset", "ultrafast"),
            *("-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags", "+faststart", str(video)),
        ]
    )
    run_ffmpeg(
        ["-y", "-ss", "0.5", "-i", str(video), "-frames:v", "1", str(folder / "thumbnail.jpg")]
    )
    frames = measure_all(video, grab_frames=[12, 37]).frames
    tiles = [Tile(0, "hook", frames[12]), Tile(1, "stat", frames[37])]
    write_contact_sheet(tiles, 320, 240, folder / "contact_sheet.jpg")
    (folder / "captions.srt").write_text(SRT, encoding="utf-8")
    (folder / "captions.vtt").write_text(VTT, encoding="utf-8")
    (folder / "qa.json").write_text(json.dumps(QA), encoding="utf-8")
    (folder / "manifest.json").write_text(json.dumps(MANIFEST), encoding="utf-8")
    return folder


def _job_dir(settings: Settings, job_id: str) -> Path:
    return settings.data_dir / "jobs" / job_id


@pytest.fixture
def make_job(
    client: ApiClient, settings: Settings, jobs_db_url: str, media: Path
) -> Callable[..., str]:
    """``make_job(key)``: a job submitted through the API, then marked succeeded with files."""

    def make(key: str, *, files: bool = True) -> str:
        response = client.post("/v1/jobs", json={"brief": "a coffee ad"}, headers=auth(key))
        assert response.status_code == 202, response.text
        job_id: str = response.json()["id"]
        _finish(jobs_db_url, job_id)
        if files:
            shutil.copytree(media, _job_dir(settings, job_id))
        return job_id

    return make


def _finish(url: str, job_id: str) -> None:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        for attempt, (old, new) in enumerate([("queued", "rendering"), ("rendering", "succeeded")]):
            record_event(
                session, job_id=job_id, from_status=old, to_status=new, reason=new, attempt=attempt
            )
        values = {"status": "succeeded", "plan": PLAN, "plan_version": 1, "progress": 1.0}
        session.execute(update(Job).where(Job.id == job_id).values(**values))
        session.commit()
    engine.dispose()


def _links(client: ApiClient, key: str, job_id: str, **params: int) -> dict[str, str]:
    response = client.get(f"/v1/jobs/{job_id}/artifacts", params=params, headers=auth(key))
    assert response.status_code == 200, response.text
    return {item["name"]: item["url"] for item in response.json()["items"]}


def _signed(settings: Settings, job_id: str, name: str, expires: int) -> str:
    signature = signer_from_settings(settings).sign(job_id=job_id, name=name, expires=expires)
    return f"/v1/files/{job_id}/{name}?expires={expires}&signature={signature}"


def _assert_problem(response: httpx.Response, status: int, slug: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == f"urn:aiprod:problem:{slug}"


def test_listing_gives_signed_links_to_every_file(
    client: ApiClient, make_key: KeyMaker, make_job: Callable[..., str], media: Path
) -> None:
    key = make_key(scopes=("jobs:read", "jobs:write"))
    job_id = make_job(key)
    before = time.time()
    response = client.get(f"/v1/jobs/{job_id}/artifacts", headers=auth(key))
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [item["name"] for item in items] == NAMES
    by_name = {item["name"]: item for item in items}
    assert by_name["video.mp4"]["media_type"] == "video/mp4"
    assert by_name["thumbnail.jpg"]["media_type"] == "image/jpeg"
    assert by_name["contact_sheet.jpg"]["media_type"] == "image/jpeg"
    assert by_name["captions.vtt"]["media_type"] == "text/vtt; charset=utf-8"
    for item in items:
        assert item["size_bytes"] == (media / item["name"]).stat().st_size
        url = urlsplit(item["url"])
        assert url.path == f"/v1/files/{job_id}/{item['name']}"
        assert set(parse_qs(url.query)) == {"expires", "signature"}
        expires = int(parse_qs(url.query)["expires"][0])
        assert before + 3600 - 1 <= expires <= time.time() + 3600
    short = client.get(f"/v1/jobs/{job_id}/artifacts?ttl=60", headers=auth(key)).json()
    assert int(parse_qs(urlsplit(short["items"][0]["url"]).query)["expires"][0]) <= time.time() + 60
    for ttl in (0, MAX_TTL_S + 1):
        bad = client.get(f"/v1/jobs/{job_id}/artifacts?ttl={ttl}", headers=auth(key))
        _assert_problem(bad, 422, "invalid-request")


def test_a_job_without_files_lists_nothing(
    client: ApiClient, make_key: KeyMaker, make_job: Callable[..., str]
) -> None:
    key = make_key()
    job_id = make_job(key, files=False)
    assert _links(client, key, job_id) == {}


def test_download_is_byte_exact_and_needs_no_api_key(
    client: ApiClient, make_key: KeyMaker, make_job: Callable[..., str], media: Path
) -> None:
    key = make_key()
    links = _links(client, key, make_job(key))
    response = client.get(links["video.mp4"])
    assert response.status_code == 200
    assert response.content == (media / "video.mp4").read_bytes()
    headers = response.headers
    assert headers["content-type"] == "video/mp4"
    assert headers["accept-ranges"] == "bytes"
    assert headers["etag"].startswith('"') and headers["last-modified"].endswith("GMT")
    assert headers["content-disposition"] == 'inline; filename="video.mp4"'
    assert headers["x-content-type-options"] == "nosniff"
    directive, max_age = headers["cache-control"].split(", ")
    assert directive == "private" and 3590 <= int(max_age.removeprefix("max-age=")) <= 3600
    attachment = client.get(links["video.mp4"] + "&download=1")
    assert attachment.headers["content-disposition"] == 'attachment; filename="video.mp4"'
    captions = client.get(links["captions.vtt"])
    assert captions.headers["content-type"] == "text/vtt; charset=utf-8"
    assert captions.text == VTT


def test_byte_ranges(
    client: ApiClient, make_key: KeyMaker, make_job: Callable[..., str], media: Path
) -> None:
    key = make_key()
    url = _links(client, key, make_job(key))["video.mp4"]
    data = (media / "video.mp4").read_bytes()
    size = len(data)
    cases = {
        "bytes=100-199": (data[100:200], f"bytes 100-199/{size}"),
        "bytes=100-": (data[100:], f"bytes 100-{size - 1}/{size}"),
        "bytes=-100": (data[-100:], f"bytes {size - 100}-{size - 1}/{size}"),
        f"bytes=0-9,{size + 5}-": (data[:10], f"bytes 0-9/{size}"),  # unsatisfiable part dropped
    }
    for header, (body, content_range) in cases.items():
        response = client.get(url, headers={"Range": header})
        assert response.status_code == 206, header
        assert response.content == body, header
        assert response.headers["content-range"] == content_range
        assert response.headers["content-length"] == str(len(body))
    multi = client.get(url, headers={"Range": "bytes=0-9,200-209"})
    assert multi.status_code == 206
    assert multi.headers["content-type"].startswith("multipart/byteranges; boundary=")
    assert data[0:10] in multi.content and data[200:210] in multi.content
    assert f"Content-Range: bytes 200-209/{size}".encode() in multi.content


def test_unsatisfiable_and_ignored_ranges(
    client: ApiClient, make_key: KeyMaker, make_job: Callable[..., str], media: Path
) -> None:
    key = make_key()
    url = _links(client, key, make_job(key))["video.mp4"]
    size = (media / "video.mp4").stat().st_size
    for header in (f"bytes={size}-", "bytes=-0"):
        response = client.get(url, headers={"Range": header})
        _assert_problem(response, 416, "range-not-satisfiable")
        assert response.headers["content-range"] == f"bytes */{size}"
    for header in ("items=0-5", "bytes=9-2", "bytes=x-"):  # RFC 9110: ignore, send it all
        response = client.get(url, headers={"Range": header})
        assert response.status_code == 200, header
        assert len(response.content) == size
    etag = client.get(url).headers["etag"]
    stale = client.get(url, headers={"Range": "bytes=0-9", "If-Range": '"stale"'})
    assert stale.status_code == 200 and len(stale.content) == size
    current = client.get(url, headers={"Range": "bytes=0-9", "If-Range": etag})
    assert current.status_code == 206 and len(current.content) == 10


def test_head(
    client: ApiClient, make_key: KeyMaker, make_job: Callable[..., str], media: Path
) -> None:
    key = make_key()
    url = _links(client, key, make_job(key))["thumbnail.jpg"]
    response = client.request("HEAD", url)
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-length"] == str((media / "thumbnail.jpg").stat().st_size)
    assert response.headers["content-type"] == "image/jpeg"
    ranged = client.request("HEAD", url, headers={"Range": "bytes=0-99"})
    assert ranged.status_code == 206 and ranged.headers["content-length"] == "100"
    refused = client.request("HEAD", url.replace("signature=", "signature=x"))
    assert refused.status_code == 403 and refused.headers["content-type"] == PROBLEM


def test_expired_and_tampered_links_are_403(
    client: ApiClient, make_key: KeyMaker, make_job: Callable[..., str], settings: Settings
) -> None:
    key = make_key()
    job_id, other_id = make_job(key), make_job(key)
    url = _links(client, key, job_id)["video.mp4"]
    expired = _signed(settings, job_id, "video.mp4", int(time.time()) - 1)
    _assert_problem(client.get(expired), 403, "url-expired")
    signature = parse_qs(urlsplit(url).query)["signature"][0]
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    bad = [
        url.replace(signature, flipped),
        url.replace(job_id, other_id),
        url.replace("video.mp4", "thumbnail.jpg"),
        url.split("&signature=")[0],
        url.split("?")[0],
        url.replace("expires=", "expires=9"),
    ]
    for candidate in bad:
        response = client.get(candidate)
        _assert_problem(response, 403, "invalid-signature")
        assert "www-authenticate" not in response.headers
    assert client.get(url).status_code == 200


def test_unknown_names_and_paths_outside_the_job_are_404(
    client: ApiClient, make_key: KeyMaker, make_job: Callable[..., str], settings: Settings
) -> None:
    key = make_key()
    job_id = make_job(key)
    (settings.data_dir / "secret.txt").write_text("no", encoding="utf-8")
    expires = int(time.time()) + 60
    for name in ("..%2F..%2Fsecret.txt", "%2E%2E", "done.txt", "VIDEO.MP4"):
        query = f"expires={expires}&signature=x"
        _assert_problem(client.get(f"/v1/files/{job_id}/{name}?{query}"), 404, "not-found")
    # even a correctly signed link cannot name a job id that is a path
    _assert_problem(client.get(_signed(settings, "..", "video.mp4", expires)), 404, "not-found")
    # nor follow a symlink out of the jobs root
    outside = settings.data_dir / "outside"
    outside.mkdir()
    (outside / "video.mp4").write_bytes(b"not yours")
    (settings.data_dir / "jobs" / "linked").symlink_to(outside)
    _assert_problem(client.get(_signed(settings, "linked", "video.mp4", expires)), 404, "not-found")
    # a genuine link to a file the job does not have
    (settings.data_dir / "jobs" / job_id / "captions.srt").unlink()
    missing = _signed(settings, job_id, "captions.srt", expires)
    _assert_problem(client.get(missing), 404, "not-found")


def test_another_owner_sees_nothing(
    client: ApiClient, make_key: KeyMaker, make_job: Callable[..., str]
) -> None:
    job_id = make_job(make_key("alice"))
    bob = make_key("bob")
    for path in ("artifacts", "export", "export?format=zip"):
        _assert_problem(
            client.get(f"/v1/jobs/{job_id}/{path}", headers=auth(bob)), 404, "not-found"
        )
    _assert_problem(client.get("/v1/jobs/nope/artifacts", headers=auth(bob)), 404, "not-found")
    _assert_problem(client.get(f"/v1/jobs/{job_id}/artifacts"), 401, "unauthenticated")


def test_json_export(
    client: ApiClient, make_key: KeyMaker, make_job: Callable[..., str], media: Path
) -> None:
    key = make_key()
    job_id = make_job(key)
    response = client.get(f"/v1/jobs/{job_id}/export", headers=auth(key))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-disposition"] == f'attachment; filename="aiprod-{job_id}.json"'
    document = response.json()
    assert document["format"] == "aiprod.job-export/1"
    assert document["job"]["id"] == job_id and document["job"]["status"] == "succeeded"
    transitions = [(e["from_status"], e["to_status"]) for e in document["events"]]
    assert transitions == [(None, "queued"), ("queued", "rendering"), ("rendering", "succeeded")]
    stamps = [e["at"] for e in document["events"]]
    assert stamps == sorted(stamps)
    assert document["plan"] == PLAN and document["plan_version"] == 1
    assert document["qa"] == QA and document["manifest"] == MANIFEST
    assert [a["name"] for a in document["artifacts"]] == NAMES
    video = next(a for a in document["artifacts"] if a["name"] == "video.mp4")
    assert client.get(video["url"]).content == (media / "video.mp4").read_bytes()
    _assert_problem(
        client.get(f"/v1/jobs/{job_id}/export?format=xml", headers=auth(key)),
        422,
        "invalid-request",
    )


def test_zip_export(
    client: ApiClient,
    make_key: KeyMaker,
    make_job: Callable[..., str],
    media: Path,
    settings: Settings,
    tmp_path: Path,
) -> None:
    key = make_key()
    job_id = make_job(key)
    response = client.get(f"/v1/jobs/{job_id}/export?format=zip", headers=auth(key))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"] == f'attachment; filename="aiprod-{job_id}.zip"'
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.testzip() is None
        assert sorted(archive.namelist()) == sorted(["job.json", *NAMES])
        kinds = {info.filename: info.compress_type for info in archive.infolist()}
        assert kinds["video.mp4"] == kinds["thumbnail.jpg"] == zipfile.ZIP_STORED
        assert kinds["captions.srt"] == kinds["job.json"] == zipfile.ZIP_DEFLATED
        for name in NAMES:
            assert archive.read(name) == (media / name).read_bytes(), name
        document = json.loads(archive.read("job.json"))
        archive.extract("video.mp4", tmp_path)
    assert document["job"]["id"] == job_id and len(document["events"]) == 3
    probed = probe(tmp_path / "video.mp4")
    assert probed.video is not None and probed.video.codec_name == "h264"
    assert probed.audio is not None and probed.duration is not None
    assert abs(probed.duration - 2.0) < 0.2
    # the temporary ZIP is deleted once sent
    assert list((settings.work_root / "exports").iterdir()) == []
