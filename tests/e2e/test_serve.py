"""End to end, as an operator runs it, on SQLite and on PostgreSQL: migrate, create a key,
serve, submit a brief over HTTP, follow its live events to the end, download the video
through its signed URL and check it plays."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pgtools import PostgresDatabases

SMALL = (
    "small:\n  width: 288\n  height: 512\n  caption_style: social\n  loudness_lufs: -14\n"
    "  x264_preset: ultrafast\n  crf: 28\n  audio_bitrate_k: 128\n"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(params=["sqlite", "postgresql"])
def database_env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """``AIPROD_DATABASE_URL`` for PostgreSQL (a fresh database); nothing for SQLite."""
    if request.param == "sqlite":
        return {}
    databases: PostgresDatabases = request.getfixturevalue("pg_databases")
    return {"AIPROD_DATABASE_URL": databases.create()}


@pytest.mark.slow
def test_serve_renders_a_brief_followed_live_and_downloaded(
    tmp_path: Path, database_env: dict[str, str]
) -> None:
    presets = tmp_path / "presets.yaml"
    presets.write_text(SMALL, encoding="utf-8")
    env = {
        "AIPROD_DATA_DIR": str(tmp_path / "data"),
        "AIPROD_PRESETS_FILE": str(presets),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        **database_env,
    }

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "aiprod", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    refused = cli("serve", "--port", str(free_port()))
    assert refused.returncode == 1 and "aiprod db upgrade" in refused.stderr
    assert cli("db", "upgrade").returncode == 0
    key = cli("keys", "create", "--name", "e2e").stdout.strip()
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "aiprod", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=log,
        stderr=log,
    )
    try:
        base, auth = f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {key}"}
        wait_until_up(base)
        created = httpx.post(
            f"{base}/v1/jobs",
            headers=auth,
            timeout=10,
            json={"brief": "A 10-second ad for Bean There coffee", "preset": "small"},
        )
        assert created.status_code == 202, created.text
        job_id = created.json()["id"]
        events = list(follow_events(f"{base}/v1/jobs/{job_id}/events", auth))
        statuses = [e["data"]["to"] for e in events if e["event"] == "status"]
        assert statuses[-1] == "succeeded", events
        assert statuses.index("planning") < statuses.index("rendering"), statuses
        assert any(e["event"] == "progress" for e in events)
        assert events[-1]["event"] == "end"
        assert events[-1]["data"]["status"] == "succeeded"

        video = download_video(base, auth, job_id, tmp_path / "downloaded.mp4")
        streams = probe_streams(video)
        assert {"video", "audio"} <= {s["codec_type"] for s in streams}
        qa = json.loads((tmp_path / "data" / "jobs" / job_id / "qa.json").read_text())
        assert qa["passed"] is True
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(timeout=90)
        log.close()
    assert code == 0, (tmp_path / "serve.log").read_text()  # a clean, drained shutdown


def follow_events(url: str, headers: dict[str, str]) -> Iterator[dict[str, Any]]:
    """Parse a Server-Sent Events stream until the server closes it (after ``end``)."""
    event: dict[str, Any] = {}
    data: list[str] = []
    with httpx.stream("GET", url, headers=headers, timeout=httpx.Timeout(10, read=240)) as stream:
        assert stream.status_code == 200, stream.read()
        assert stream.headers["content-type"].startswith("text/event-stream")
        for line in stream.iter_lines():
            if line.startswith(":"):
                continue  # keep-alive comment
            if line == "":
                if data:
                    yield {
                        "event": event.get("event", "message"),
                        "data": json.loads("\n".join(data)),
                    }
                event, data = {}, []
                continue
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "data":
                data.append(value)
            else:
                event[field] = value


def download_video(base: str, auth: dict[str, str], job_id: str, target: Path) -> Path:
    """Find the video's signed URL and fetch it without credentials, whole and by range."""
    listing = httpx.get(f"{base}/v1/jobs/{job_id}/artifacts", headers=auth, timeout=10)
    assert listing.status_code == 200, listing.text
    body = listing.json()
    items = body["items"] if isinstance(body, dict) else body
    [video] = [item for item in items if item["name"] == "video.mp4"]
    url = video["url"] if video["url"].startswith("http") else f"{base}{video['url']}"
    whole = httpx.get(url, timeout=30)  # the URL is the capability: no Authorization header
    assert whole.status_code == 200, whole.text
    assert whole.headers["content-type"] == "video/mp4"
    part = httpx.get(url, headers={"Range": "bytes=0-1023"}, timeout=30)
    assert part.status_code == 206
    assert part.content == whole.content[:1024]
    assert httpx.get(url.replace("signature=", "signature=x"), timeout=10).status_code == 403
    target.write_bytes(whole.content)
    return target


def probe_streams(path: Path) -> list[dict[str, Any]]:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-of", "json", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    streams: list[dict[str, Any]] = json.loads(result.stdout)["streams"]
    return streams


def wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("the server did not come up")
