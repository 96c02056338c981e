"""End to end in scale-out, as an operator runs it: PostgreSQL, RabbitMQ, an S3 bucket, the
API alone (`aiprod serve --no-worker`) and two Celery workers (`aiprod worker`), each
process with its own data directory, so the video can only reach the client through the
bucket. A real brief is rendered; the video is fetched through its presigned URL with no
API key; every webhook the receiver got verifies with its Standard Webhooks secret.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from standardwebhooks import Webhook, WebhookVerificationError
from test_serve import SMALL, follow_events, free_port, probe_streams, wait_until_up

from brokertools import BROKER
from integration.s3_server import S3Server
from integration.webhook_receiver import Receiver
from pgtools import PostgresDatabases

BUCKET = "aiprod-e2e"


@pytest.fixture
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server on a loopback port, with an empty bucket."""
    server = S3Server().start()
    try:
        s3 = boto3.client(
            "s3",
            endpoint_url=server.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id="e2e",
            aws_secret_access_key="e2e-secret",
        )
        s3.create_bucket(Bucket=BUCKET)
        yield server.endpoint_url
    finally:
        server.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.close()


class Process:
    """One `aiprod …` process logging to a file; stopped with SIGTERM."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "aiprod", *args],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its pool and render children share its group
            )

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def terminate(self, timeout_s: float = 90) -> int:
        """SIGTERM and wait: the exit code (the whole group is killed if it hangs)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
                raise AssertionError(
                    f"{self.log_path.name} ignored SIGTERM\n{self.log()[-3000:]}"
                ) from None
        return self.process.returncode


def wait_for(predicate: Callable[[], bool], timeout_s: float, explain: Callable[[], str]) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout_s} s\n{explain()}")
        time.sleep(0.2)


@dataclass
class Stack:
    """The running processes and how to reach the API."""

    base: str
    auth: dict[str, str]
    api: Process
    workers: list[Process]
    api_dir: Path

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.log_path.name}\n{p.log()[-3000:]}" for p in (self.api, *self.workers)
        )


@pytest.fixture
def stack(
    tmp_path: Path, pg_databases: PostgresDatabases, broker_queue: str, s3_endpoint: str
) -> Iterator[Stack]:
    """`aiprod serve --no-worker` and two `aiprod worker` (Celery) processes, each with its
    own data directory, over PostgreSQL, RabbitMQ and the bucket. Stopped with SIGTERM: every
    process must exit 0."""
    presets = tmp_path / "presets.yaml"
    presets.write_text(SMALL, encoding="utf-8")
    shared = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AIPROD_PRESETS_FILE": str(presets),
        "AIPROD_DATABASE_URL": pg_databases.create(),
        "AIPROD_BROKER_URL": BROKER,
        "AIPROD_BROKER_QUEUE": broker_queue,
        "AIPROD_OUTBOX_POLL_S": "0.2",
        "AIPROD_STORAGE_URL": f"s3://{BUCKET}/e2e/",
        "AIPROD_S3_ENDPOINT_URL": s3_endpoint,
        "AIPROD_S3_ADDRESSING_STYLE": "path",
        "AIPROD_S3_ACCESS_KEY_ID": "e2e",
        "AIPROD_S3_SECRET_ACCESS_KEY": "e2e-secret",
        "AIPROD_WEBHOOK_ALLOW_NETWORKS": "127.0.0.1/32",
        "AIPROD_WEBHOOK_POLL_S": "0.2",
    }

    def env_of(name: str) -> dict[str, str]:
        """Each process its own data directory, as if on its own machine."""
        return {**shared, "AIPROD_DATA_DIR": str(tmp_path / name)}

    def cli(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "aiprod", *args],
            env=env_of("api"),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    cli("db", "upgrade")
    key = cli("keys", "create", "--name", "e2e").strip()
    port = free_port()
    api = Process(
        ["serve", "--no-worker", "--port", str(port)], env_of("api"), tmp_path / "api.log"
    )
    workers = [
        Process(["worker", "--workers", "1"], env_of(f"worker-{i}"), tmp_path / f"worker-{i}.log")
        for i in range(2)
    ]
    running = Stack(
        f"http://127.0.0.1:{port}",
        {"Authorization": f"Bearer {key}"},
        api,
        workers,
        tmp_path / "api",
    )
    try:
        wait_until_up(running.base)
        for worker in workers:
            wait_for(lambda w=worker: " ready." in w.log(), 60, running.logs)  # type: ignore[misc]
        yield running
    finally:
        codes = [p.terminate() for p in (*workers, api)]
    assert codes == [0, 0, 0], running.logs()  # warm shutdowns, nothing left hanging


@pytest.mark.slow
def test_api_and_two_celery_workers_render_into_s3_and_sign_webhooks(
    stack: Stack, s3_endpoint: str, receiver: Receiver, tmp_path: Path
) -> None:
    base, auth = stack.base, stack.auth
    endpoint = httpx.post(
        f"{base}/v1/webhooks", headers=auth, timeout=10, json={"url": receiver.url}
    )
    assert endpoint.status_code == 201, endpoint.text
    job_secret = httpx.get(f"{base}/v1/webhooks/job-secret", headers=auth, timeout=10)
    assert job_secret.status_code == 200, job_secret.text
    secret_of = {"/hook": endpoint.json()["secret"], "/job": job_secret.json()["secret"]}

    created = httpx.post(
        f"{base}/v1/jobs",
        headers=auth,
        timeout=10,
        json={
            "brief": "A 10-second ad for Bean There coffee",
            "preset": "small",
            "webhook_url": f"http://127.0.0.1:{receiver.port}/job",
        },
    )
    assert created.status_code == 202, created.text
    job_id = created.json()["id"]
    events = list(follow_events(f"{base}/v1/jobs/{job_id}/events", auth))
    statuses = [e["data"]["to"] for e in events if e["event"] == "status"]
    assert statuses[-1] == "succeeded", (events, stack.logs())
    assert any(f"{job_id}" in w.log() for w in stack.workers), stack.logs()

    video = fetch_presigned_video(base, auth, job_id, s3_endpoint, tmp_path / "video.mp4")
    assert {"video", "audio"} <= {s["codec_type"] for s in probe_streams(video)}
    assert not (stack.api_dir / "jobs" / job_id).exists()  # the API never held the files

    check_webhooks(receiver, secret_of, job_id, stack.logs)


def check_webhooks(
    receiver: Receiver, secret_of: dict[str, str], job_id: str, logs: Callable[[], str]
) -> None:
    """The endpoint (/hook) and the job's own URL (/job) both hear of the success, and every
    request verifies with its own secret and not with the other one."""
    for path in secret_of:
        wait_for(
            lambda p=path: any(  # type: ignore[misc]
                r.path == p and r.payload["type"] == "job.succeeded" for r in receiver.delivered()
            ),
            30,
            logs,
        )
    received = receiver.delivered()
    for request in received:
        payload: Any = Webhook(secret_of[request.path]).verify(request.body, request.headers)
        assert payload == json.loads(request.body)
        assert payload["data"]["id"] == job_id
        assert request.headers["webhook-id"].startswith("msg_")
        other = secret_of["/job" if request.path == "/hook" else "/hook"]
        with pytest.raises(WebhookVerificationError):
            Webhook(other).verify(request.body, request.headers)
    types = {r.payload["type"] for r in received if r.path == "/hook"}
    assert {"job.queued", "job.succeeded"} <= types, types


def fetch_presigned_video(
    base: str, auth: dict[str, str], job_id: str, s3_endpoint: str, target: Path
) -> Path:
    """The video's link points at the bucket; it is fetched with no Authorization header."""
    listing = httpx.get(f"{base}/v1/jobs/{job_id}/artifacts", headers=auth, timeout=10)
    assert listing.status_code == 200, listing.text
    body = listing.json()
    items = body["items"] if isinstance(body, dict) else body
    [video] = [item for item in items if item["name"] == "video.mp4"]
    url: str = video["url"]
    assert url.startswith(f"{s3_endpoint}/{BUCKET}/e2e/jobs/{job_id}/video.mp4?"), url
    assert "X-Amz-Signature=" in url
    whole = httpx.get(url, timeout=30)
    assert whole.status_code == 200, whole.text
    assert whole.headers["content-type"] == "video/mp4"
    target.write_bytes(whole.content)
    return target
