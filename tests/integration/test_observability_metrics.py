"""`GET /metrics`: HTTP samples by route template, job counts read from the database."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from api_client import ApiClient, KeyMaker, auth
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from aiprod.api.db_metrics import DatabaseCollector
from aiprod.db.base import utcnow
from aiprod.db.engine import make_engine
from aiprod.jobs import store
from aiprod.jobs.models import Job
from aiprod.observability.multiproc import MULTIPROC_ENV, use_multiprocess_dir
from aiprod.webhooks.models import WebhookAttempt, WebhookDelivery

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(client: ApiClient) -> Samples:
    response = client.get("/metrics")  # no Authorization header: scrapers carry no key
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def brief_job(client: ApiClient, key: str) -> str:
    response = client.post("/v1/jobs", json={"brief": "Sell our new lemonade."}, headers=auth(key))
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def test_http_samples_use_the_route_template_not_the_path(
    client: ApiClient, make_key: KeyMaker
) -> None:
    key = make_key()
    route = {"method": "GET", "route": "/v1/jobs/{job_id}", "status": "404"}
    before = scrape(client)
    for job_id in ("job-one-unknown", "job-two-unknown", "job-three-unknown"):
        assert client.get(f"/v1/jobs/{job_id}", headers=auth(key)).status_code == 404
    client.get("/no/such/path/42")
    after = scrape(client)
    counted = value(after, "aiprod_http_requests_total", **route)
    assert counted - value(before, "aiprod_http_requests_total", **route) == 3
    unmatched = {"method": "GET", "route": "unmatched", "status": "404"}
    assert value(after, "aiprod_http_requests_total", **unmatched) > value(
        before, "aiprod_http_requests_total", **unmatched
    )
    timed = {"method": "GET", "route": "/v1/jobs/{job_id}"}
    assert value(after, "aiprod_http_request_duration_seconds_count", **timed) >= 3
    text = client.get("/metrics").text
    assert "job-one-unknown" not in text
    assert "/no/such/path" not in text


def test_jobs_by_state_and_queue_depth_come_from_the_database(
    client: ApiClient, make_key: KeyMaker, jobs_db_url: str
) -> None:
    key = make_key()
    first, second, third = (brief_job(client, key) for _ in range(3))
    assert client.post(f"/v1/jobs/{third}/cancel", headers=auth(key)).status_code == 200
    engine = make_engine(jobs_db_url)
    with engine.begin() as connection:  # a retry waiting for its backoff: queued, not runnable
        later = utcnow() + timedelta(minutes=5)
        connection.execute(update(Job).where(Job.id == second).values(run_after=later))
    engine.dispose()
    samples = scrape(client)
    assert value(samples, "aiprod_database_up") == 1
    assert value(samples, "aiprod_jobs", state="queued") == 2
    assert value(samples, "aiprod_jobs", state="canceled") == 1
    assert value(samples, "aiprod_jobs", state="succeeded") == 0
    assert value(samples, "aiprod_queue_depth", queue="queued") == 2
    assert value(samples, "aiprod_queue_depth", queue="runnable") == 1
    assert value(samples, "aiprod_jobs_finished_total", state="canceled") == 1
    assert first not in client.get("/metrics").text


def test_lease_expiries_and_retries_are_counted(
    client: ApiClient, make_key: KeyMaker, jobs_engine: Engine
) -> None:
    brief_job(client, make_key())
    claim = store.claim_next_job(jobs_engine, worker_id="w1", lease_seconds=30)
    assert claim is not None
    later = utcnow() + timedelta(minutes=1)
    assert store.reap_expired(jobs_engine, now=later) == 1
    samples = scrape(client)
    assert value(samples, "aiprod_lease_expiries_total") == 1
    assert value(samples, "aiprod_job_retries_total", cause="lease_expired") == 1
    assert value(samples, "aiprod_job_retries_total", cause="failed") == 0
    again = store.claim_next_job(jobs_engine, worker_id="w2", lease_seconds=30, now=later)
    assert again is not None
    error = {"stage": "compose", "code": "provider_unavailable", "message": "down"}
    store.fail(jobs_engine, again, error=error, retryable=True, backoff_base_s=60)
    samples = scrape(client)
    assert value(samples, "aiprod_job_retries_total", cause="failed") == 1
    assert value(samples, "aiprod_lease_expiries_total") == 1
    assert value(samples, "aiprod_queue_depth", queue="queued") == 1
    assert value(samples, "aiprod_queue_depth", queue="runnable") == 0


def test_an_unreachable_database_reports_down_instead_of_failing() -> None:
    engine = make_engine("postgresql+psycopg://nobody:x@127.0.0.1:1/none?connect_timeout=2")
    try:
        families = list(DatabaseCollector(engine).collect())
    finally:
        engine.dispose()
    assert [family.name for family in families] == ["aiprod_database_up"]
    assert families[0].samples[0].value == 0


def test_webhook_deliveries_by_status_and_attempts_by_outcome(
    client: ApiClient, make_key: KeyMaker, jobs_engine: Engine
) -> None:
    job_id = brief_job(client, make_key())
    with Session(jobs_engine) as session, session.begin():
        for status in ("delivered", "delivered", "failed", "pending"):
            delivery = WebhookDelivery(
                owner="alice", job_id=job_id, url="https://hooks.example/x",
                event_type="job.queued", payload={}, status=status,
            )  # fmt: skip
            session.add(delivery)
            session.flush()
            for attempt, code in enumerate((500, None, 200)):
                row = WebhookAttempt(
                    delivery_id=delivery.id, attempt=attempt + 1, status_code=code, duration_ms=5
                )
                session.add(row)
    samples = scrape(client)
    assert value(samples, "aiprod_webhook_deliveries", status="delivered") == 2
    assert value(samples, "aiprod_webhook_deliveries", status="failed") == 1
    assert value(samples, "aiprod_webhook_deliveries", status="pending") == 1
    assert value(samples, "aiprod_webhook_attempts_total", outcome="success") == 4
    assert value(samples, "aiprod_webhook_attempts_total", outcome="error") == 8


def test_starting_clears_the_files_of_gone_processes_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(MULTIPROC_ENV, raising=False)  # restored after the test
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    live = os.getpid()
    names = [f"counter_{live}.db", f"histogram_attempts_of_{live}.db", f"counter_{gone.pid}.db"]
    names.append(f"histogram_attempts_of_{gone.pid}.db")
    for name in names:
        (tmp_path / name).write_bytes(b"")
    use_multiprocess_dir(tmp_path, clear=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[:2])
    assert os.environ[MULTIPROC_ENV] == str(tmp_path.resolve())
