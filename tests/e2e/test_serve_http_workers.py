"""`aiprod serve --http-workers N`: several API processes share one port, each over the
same database, and SIGTERM stops them all cleanly. On SQLite and the real PostgreSQL."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from pgtools import PostgresDatabases

BRIEF = {"brief": "A 10-second ad for Bean There coffee"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_ready(base: str, server: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server exited early"
        try:
            if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail("the server did not become ready")


def process_children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_http_workers_serve_the_api_and_stop_on_sigterm(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    env = {
        "AIPROD_DATA_DIR": str(tmp_path / "data"),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    }
    if backend == "postgresql":
        databases: PostgresDatabases = request.getfixturevalue("pg_databases")
        env["AIPROD_DATABASE_URL"] = databases.create()

    def cli(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "aiprod", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    cli("db", "upgrade")
    auth = {"Authorization": f"Bearer {cli('keys', 'create', '--name', 'e2e')}"}
    port = free_port()
    command = ["serve", "--no-worker", "--http-workers", "2", "--port", str(port)]
    with (tmp_path / "serve.log").open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "aiprod", *command], env=env, stdout=log, stderr=log
        )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_ready(base, server)
        assert len(process_children(server.pid)) >= 2  # the HTTP worker processes
        with httpx.Client(base_url=base, headers=auth, timeout=10) as client:
            created = client.post("/v1/jobs", json=BRIEF, headers={"Idempotency-Key": "k1"})
            assert created.status_code == 202, created.text
            job_id = created.json()["id"]
            # new connections land on either process: every one sees the committed job
            for _ in range(6):
                with httpx.Client(base_url=base, headers=auth, timeout=10) as fresh:
                    assert fresh.get(f"/v1/jobs/{job_id}").json()["id"] == job_id
            replay = client.post("/v1/jobs", json=BRIEF, headers={"Idempotency-Key": "k1"})
            assert (replay.status_code, replay.json()["id"]) == (200, job_id)
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(timeout=60)
    assert code == 0, (tmp_path / "serve.log").read_text()
