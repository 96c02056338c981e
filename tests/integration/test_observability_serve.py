"""`aiprod serve --http-workers 2`: /metrics sums every HTTP process; logs are JSON lines."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

REQUESTS = 40


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_serve(data_dir: Path, database_url: str, port: int) -> subprocess.Popen[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AIPROD_DATA_DIR": str(data_dir),
        "AIPROD_DATABASE_URL": database_url,
        "AIPROD_LOG_FORMAT": "json",
    }
    command = [sys.executable, "-m", "aiprod", "serve", "--no-worker", "--http-workers", "2"]
    return subprocess.Popen(
        [*command, "--port", str(port), "--access-log"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_until_up(base: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "aiprod serve exited early"
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("aiprod serve did not come up")


def wait_until_every_http_process_serves(base: str, metrics_dir: Path, files: int) -> None:
    """The first HTTP worker up takes every connection until the other has imported the app
    (seconds on a busy host): ask for /health until each process has written its metrics."""
    deadline = time.monotonic() + 60
    while len(list(metrics_dir.glob("histogram_*.db"))) < files:
        assert time.monotonic() < deadline, "not every HTTP process came up"
        with contextlib.suppress(httpx.TimeoutException):  # a process still starting
            httpx.get(f"{base}/health", headers={"Connection": "close"}, timeout=5)
        time.sleep(0.05)


def unauthorized_count(text: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = {"method": "GET", "route": "/v1/jobs", "status": "401"}
            if sample.name == "aiprod_http_requests_total" and sample.labels == labels:
                return sample.value
    return 0.0


def test_metrics_sum_over_http_processes_and_logs_are_json(
    tmp_path: Path, jobs_db_url: str
) -> None:
    port, data_dir = free_port(), tmp_path / "data"
    base = f"http://127.0.0.1:{port}"
    process = start_serve(data_dir, jobs_db_url, port)
    try:
        wait_until_up(base, process)
        wait_until_every_http_process_serves(base, data_dir / "metrics", files=2)
        with httpx.Client(base_url=base) as http:  # one connection per request: both processes
            for _ in range(REQUESTS):
                response = http.get("/v1/jobs", headers={"Connection": "close"})
                assert response.status_code == 401
            scrapes = [http.get("/metrics", headers={"Connection": "close"}) for _ in range(6)]
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert all(unauthorized_count(scrape.text) == REQUESTS for scrape in scrapes)
    # every HTTP process writes its own files: the two HTTP workers (the supervising main
    # process serves nothing, and since it no longer imports the metrics it writes none)
    assert len(list((data_dir / "metrics").glob("histogram_*.db"))) >= 2
    logs = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    access = [entry for entry in logs if entry.get("logger") == "uvicorn.access"]
    assert len(access) >= REQUESTS
    assert all({"timestamp", "level", "event", "request_id"} <= entry.keys() for entry in access)
    assert all(entry["trace_id"] and entry["span_id"] for entry in access)
