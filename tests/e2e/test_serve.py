"""End to end, as an operator runs it: migrate, create a key, serve, submit, wait, read."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

SMALL = (
    "small:\n  width: 288\n  height: 512\n  caption_style: social\n  loudness_lufs: -14\n"
    "  x264_preset: ultrafast\n  crf: 28\n  audio_bitrate_k: 128\n"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_serve_renders_a_brief_submitted_over_http(tmp_path: Path) -> None:
    presets = tmp_path / "presets.yaml"
    presets.write_text(SMALL, encoding="utf-8")
    env = {
        "AIPROD_DATA_DIR": str(tmp_path / "data"),
        "AIPROD_PRESETS_FILE": str(presets),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
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
        job = wait_for_end(f"{base}{created.headers['Location']}", auth)
        assert job["status"] == "succeeded", job
        qa = json.loads((tmp_path / "data" / "jobs" / job["id"] / "qa.json").read_text())
        assert qa["passed"] is True
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(timeout=90)
        log.close()
    assert code == 0, (tmp_path / "serve.log").read_text()  # a clean, drained shutdown


def wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("the server did not come up")


def wait_for_end(url: str, auth: dict[str, str]) -> dict[str, object]:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        job: dict[str, object] = httpx.get(url, headers=auth, timeout=10).json()
        if job["status"] in ("succeeded", "failed", "dead", "canceled"):
            return job
        time.sleep(0.5)
    raise AssertionError("the job did not finish")
