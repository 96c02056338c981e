"""The review gate and retries over HTTP, with real worker processes, on SQLite and PostgreSQL.

The worker, leases and runner are real; the work is the fast fake of ``jobs_fake_work``
(it "plans" a one-scene spec from the brief), except in the one real render at the end.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from api_client import PROBLEM, ApiClient, KeyMaker, auth
from jobs_fake_work import FAKE_ACTUAL, FAKE_ESTIMATE, RENDER_COUNT, RENDERED_PLAN, WORK
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from aiprod.auth import AuditEvent
from aiprod.config import Settings
from aiprod.db.base import utcnow
from aiprod.db.engine import make_session_factory
from aiprod.jobs.models import Job, JobEvent
from aiprod.jobs.runner import DEFAULT_WORK
from aiprod.jobs.store import claim_next_job, create_job, save_plan
from aiprod.jobs.worker import WorkerPool

FAST: dict[str, Any] = {
    "lease_seconds": 5.0,
    "heartbeat_seconds": 0.3,
    "idle_sleep_s": 0.1,
    "backoff_base_s": 0.01,
}


@contextmanager
def pool(url: str, settings: Settings, *, work: str = WORK, **options: Any) -> Iterator[None]:
    workers = WorkerPool(url, settings=settings, work=work, processes=1, **{**FAST, **options})
    workers.start()
    try:
        yield
    finally:
        workers.stop(grace_s=0.0)


def wait_for(check: Callable[[], bool], timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.05)


def status_of(client: ApiClient, key: str, job_id: str) -> str:
    return str(client.get(f"/v1/jobs/{job_id}", headers=auth(key)).json()["status"])


def history(engine: Engine, job_id: str) -> list[tuple[str | None, str, str]]:
    with Session(engine) as session:
        query = select(JobEvent).where(JobEvent.job_id == job_id).order_by(JobEvent.id)
        return [(e.from_status, e.to_status, e.reason) for e in session.scalars(query)]


def event_detail(engine: Engine, job_id: str, reason: str) -> dict[str, Any]:
    with Session(engine) as session:
        query = select(JobEvent).where(JobEvent.job_id == job_id, JobEvent.reason == reason)
        detail = session.scalars(query).one().detail
        assert detail is not None
        return detail


def audit_rows(engine: Engine, job_id: str) -> list[tuple[str, str | None]]:
    with Session(engine) as session:
        query = select(AuditEvent).where(AuditEvent.target == job_id).order_by(AuditEvent.id)
        return [(row.action, row.request_id) for row in session.scalars(query)]


def submit_row(engine: Engine, request: dict[str, Any], *, owner: str = "alice", **kw: Any) -> str:
    """A job stored directly, so the fake's knobs (``fail_renders``…) can be set."""
    with make_session_factory(engine)() as session:
        job = create_job(session, owner=owner, kind="brief", request=request, preset=None, **kw)
        session.commit()
        return job.id


def edit_first_narration(client: ApiClient, key: str, job_id: str, sentence: str) -> None:
    """GET the manifest, PUT it back with scene 1 saying ``sentence`` (If-Match "1")."""
    url = f"/v1/jobs/{job_id}/manifest"
    got = client.get(url, headers=auth(key))
    assert got.status_code == 200 and got.headers["etag"] == '"1"'
    plan = got.json()
    edited = {**plan, "scenes": [{**plan["scenes"][0], "narration": sentence}, *plan["scenes"][1:]]}
    put = client.request("PUT", url, json=edited, headers={**auth(key), "If-Match": '"1"'})
    assert put.status_code == 200, put.text
    assert put.headers["etag"] == '"2"'


def test_review_flow_edit_approve_render(
    client: ApiClient,
    make_key: KeyMaker,
    jobs_db_url: str,
    jobs_engine: Engine,
    settings: Settings,
) -> None:
    key = make_key()
    body = {"brief": "A short ad for loose-leaf tea.", "review": True}
    job_id = client.post("/v1/jobs", json=body, headers=auth(key)).json()["id"]
    url = f"/v1/jobs/{job_id}/manifest"
    not_yet = client.get(url, headers=auth(key))
    assert (not_yet.status_code, not_yet.headers["content-type"]) == (404, PROBLEM)
    with pool(jobs_db_url, settings):
        wait_for(lambda: status_of(client, key, job_id) == "awaiting_review", 30, "the plan")
        job = client.get(f"/v1/jobs/{job_id}", headers=auth(key)).json()
        assert (job["plan_version"], job["review"], job["eta_seconds"]) == (1, True, None)
        assert job["cost"]["estimate"] == FAKE_ESTIMATE
        plan = client.get(url, headers=auth(key)).json()
        assert plan["scenes"][0]["narration"] == body["brief"]
        edit_and_approve(client, key, job_id, plan)
        wait_for(lambda: status_of(client, key, job_id) == "succeeded", 30, "the render")
    check_rendered_as_edited(client, key, jobs_engine, settings, job_id)


def edit_and_approve(client: ApiClient, key: str, job_id: str, plan: dict[str, Any]) -> None:
    """The review itself: refused edits (412, 422), an edit, refused and good approvals."""
    url = f"/v1/jobs/{job_id}/manifest"
    edited = {**plan, "scenes": [{**plan["scenes"][0], "narration": "Steep it your way."}]}
    stale = client.request("PUT", url, json=edited, headers={**auth(key), "If-Match": '"7"'})
    assert (stale.status_code, stale.headers["content-type"]) == (412, PROBLEM)
    assert stale.json()["type"].endswith("precondition-failed")
    bad = {"scenes": [{"padding": 99}], "language": "!!", "nonsense": 1}
    invalid = client.request("PUT", url, json=bad, headers=auth(key))
    assert invalid.status_code == 422
    assert len({item["path"] for item in invalid.json()["errors"]}) >= 2
    put = client.request(
        "PUT",
        url,
        json=edited,
        headers={**auth(key), "If-Match": '"1"', "X-Request-ID": "req-put-1"},
    )
    assert put.status_code == 200, put.text
    assert put.headers["etag"] == '"2"'
    assert put.json()["scenes"][0]["narration"] == "Steep it your way."
    assert client.get(url, headers=auth(key)).headers["etag"] == '"2"'

    approve_url = f"/v1/jobs/{job_id}/approve"
    old = client.post(approve_url, headers={**auth(key), "If-Match": '"1"'})
    assert old.status_code == 412
    headers = {**auth(key), "If-Match": '"2"', "X-Request-ID": "req-approve-1"}
    approved = client.post(approve_url, headers=headers)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "queued"
    twice = client.post(approve_url, headers=auth(key))
    assert (twice.status_code, twice.headers["content-type"]) == (409, PROBLEM)
    late = client.request("PUT", url, json=edited, headers=auth(key))
    assert late.status_code == 409


def check_rendered_as_edited(
    client: ApiClient, key: str, jobs_engine: Engine, settings: Settings, job_id: str
) -> None:
    url = f"/v1/jobs/{job_id}/manifest"
    out = settings.data_dir / "jobs" / job_id
    assert json.loads((out / RENDERED_PLAN).read_text())["scenes"][0]["narration"] == (
        "Steep it your way."
    )
    assert json.loads((out / "plan.json").read_text())["scenes"][0]["narration"] == (
        "Steep it your way."
    )
    job = client.get(f"/v1/jobs/{job_id}", headers=auth(key)).json()
    assert (job["plan_version"], job["progress"], job["eta_seconds"]) == (2, 1.0, 0.0)
    assert job["cost"]["actual"] == FAKE_ACTUAL
    assert job["started_at"] is not None and job["finished_at"] >= job["started_at"]
    assert job["links"]["manifest"] == url
    assert job["links"]["events"] == f"/v1/jobs/{job_id}/events"
    with Session(jobs_engine) as session:
        row = session.get(Job, job_id)
        assert row is not None and row.approved_at is not None and row.result is not None
        assert row.result["qa_passed"] is True and "cost_actual" not in row.result
    assert history(jobs_engine, job_id) == [
        (None, "queued", "created"),
        ("queued", "planning", "claimed"),
        ("planning", "awaiting_review", "planned"),
        ("awaiting_review", "awaiting_review", "manifest_replaced"),
        ("awaiting_review", "queued", "approved"),
        ("queued", "rendering", "claimed"),
        ("rendering", "succeeded", "succeeded"),
    ]
    assert audit_rows(jobs_engine, job_id)[1:] == [
        ("job.manifest_replaced", "req-put-1"),
        ("job.approved", "req-approve-1"),
    ]


def test_retry_of_a_dead_job_resumes_rendering_without_planning_again(
    client: ApiClient,
    make_key: KeyMaker,
    jobs_db_url: str,
    jobs_engine: Engine,
    settings: Settings,
) -> None:
    key = make_key()
    job_id = submit_row(jobs_engine, {"brief": "Tea, delivered.", "fail_renders": 5})
    early = client.post(f"/v1/jobs/{job_id}/retry", headers=auth(key))
    assert early.status_code == 409
    with pool(jobs_db_url, settings):
        wait_for(lambda: status_of(client, key, job_id) == "dead", 40, "a dead job")
        dead = client.get(f"/v1/jobs/{job_id}", headers=auth(key)).json()
        assert dead["attempts"] == 5 and dead["error"]["code"] == "provider_unavailable"
        assert dead["finished_at"] is not None
        with Session(jobs_engine) as session:
            planned = session.get(Job, job_id)
            assert planned is not None and planned.plan is not None
            plan_before = planned.plan
        headers = {**auth(key), "X-Request-ID": "req-retry-1"}
        retried = client.post(f"/v1/jobs/{job_id}/retry", headers=headers)
        assert retried.status_code == 200, retried.text
        assert (retried.json()["attempts"], retried.json()["error"]) == (0, None)
        assert retried.json()["finished_at"] is None
        wait_for(lambda: status_of(client, key, job_id) == "succeeded", 30, "the retry")

    reasons = [reason for _, _, reason in history(jobs_engine, job_id)]
    assert reasons.count("planned") == 1 and reasons.count("failed") == 5
    after_retry = history(jobs_engine, job_id)[reasons.index("retried") :]
    assert after_retry == [
        ("dead", "queued", "retried"),
        ("queued", "rendering", "claimed"),
        ("rendering", "succeeded", "succeeded"),
    ]
    detail = event_detail(jobs_engine, job_id, "retried")
    assert detail["error"]["code"] == "provider_unavailable" and detail["attempts"] == 5
    assert (settings.data_dir / "jobs" / job_id / RENDER_COUNT).read_text() == "6"
    with Session(jobs_engine) as session:
        job = session.get(Job, job_id)
        assert job is not None and job.plan == plan_before and job.attempts == 1
    assert ("job.retried", "req-retry-1") in audit_rows(jobs_engine, job_id)
    again = client.post(f"/v1/jobs/{job_id}/retry", headers=auth(key))
    assert (again.status_code, again.headers["content-type"]) == (409, PROBLEM)


def awaiting_review_job(engine: Engine, tmp: Path, owner: str = "alice") -> str:
    """A brief planned and stopped for review, through the real lease operations."""
    job_id = submit_row(engine, {"brief": "Tea."}, owner=owner, review=True)
    claim = claim_next_job(engine, worker_id="test")
    assert claim is not None and claim.review and claim.status == "planning"
    spec = {"scenes": [{"narration": "Tea, planned."}]}
    assert save_plan(engine, claim, plan=spec, estimate=None, artifact_dir=tmp) == (
        "awaiting_review"
    )
    return job_id


def test_cancel_of_a_job_awaiting_review(
    client: ApiClient, make_key: KeyMaker, jobs_engine: Engine, tmp_path: Path
) -> None:
    key = make_key()
    job_id = awaiting_review_job(jobs_engine, tmp_path)
    canceled = client.post(f"/v1/jobs/{job_id}/cancel", headers=auth(key))
    assert canceled.status_code == 200, canceled.text
    assert canceled.json()["status"] == "canceled"
    assert canceled.json()["finished_at"] is not None
    assert client.post(f"/v1/jobs/{job_id}/approve", headers=auth(key)).status_code == 409
    manifest = client.get(f"/v1/jobs/{job_id}/manifest", headers=auth(key))
    assert manifest.status_code == 200 and manifest.headers["etag"] == '"1"'


def test_other_owners_get_404_and_scopes_are_enforced(
    client: ApiClient, make_key: KeyMaker, jobs_engine: Engine, tmp_path: Path
) -> None:
    job_id = awaiting_review_job(jobs_engine, tmp_path)
    spec = {"scenes": [{"narration": "Mine now."}]}
    calls = [
        ("GET", "manifest", None),
        ("PUT", "manifest", spec),
        ("POST", "approve", None),
        ("POST", "retry", None),
    ]
    mallory = make_key("mallory")
    reader = make_key("alice", scopes=("jobs:read",))
    for method, leaf, body in calls:
        url = f"/v1/jobs/{job_id}/{leaf}"
        response = client.request(method, url, json=body, headers=auth(mallory))
        assert (response.status_code, response.headers["content-type"]) == (404, PROBLEM)
        expected = 200 if method == "GET" else 403
        assert client.request(method, url, json=body, headers=auth(reader)).status_code == expected
    with Session(jobs_engine) as session:
        job = session.get(Job, job_id)
        assert job is not None and (job.status, job.plan_version) == ("awaiting_review", 1)


def test_a_spec_job_manifest_is_its_spec(client: ApiClient, make_key: KeyMaker) -> None:
    key = make_key()
    spec = {"scenes": [{"narration": "Hello there."}]}
    job_id = client.post("/v1/jobs", json={"spec": spec}, headers=auth(key)).json()["id"]
    manifest = client.get(f"/v1/jobs/{job_id}/manifest", headers=auth(key))
    assert manifest.status_code == 200 and manifest.headers["etag"] == '"0"'
    assert manifest.json()["scenes"][0]["narration"] == "Hello there."
    put = client.request("PUT", f"/v1/jobs/{job_id}/manifest", json=spec, headers=auth(key))
    assert put.status_code == 409


def set_estimate(engine: Engine, job_id: str, eta: float, **values: Any) -> None:
    with Session(engine) as session:
        job = session.get(Job, job_id)
        assert job is not None
        job.cost_estimate = {"eta_seconds": eta, "total": 0.001, "currency": "USD"}
        for name, value in values.items():
            setattr(job, name, value)
        session.commit()


def test_queue_position_and_eta_on_single_reads(
    client: ApiClient, make_key: KeyMaker, jobs_engine: Engine
) -> None:
    key = make_key()
    first, backing_off, second, mine = (submit_row(jobs_engine, {"brief": n}) for n in "1234")
    set_estimate(jobs_engine, first, 10.0)
    set_estimate(jobs_engine, backing_off, 50.0, run_after=utcnow() + timedelta(minutes=5))
    set_estimate(jobs_engine, second, 20.0)
    set_estimate(jobs_engine, mine, 5.0)
    job = client.get(f"/v1/jobs/{mine}", headers=auth(key)).json()
    assert (job["queue_position"], job["eta_seconds"]) == (3, 35.0)
    first_job = client.get(f"/v1/jobs/{first}", headers=auth(key)).json()
    assert (first_job["queue_position"], first_job["eta_seconds"]) == (1, 10.0)
    listed = client.get("/v1/jobs", headers=auth(key)).json()["items"]
    assert {item["queue_position"] for item in listed} == {None}
    assert {item["id"]: item["eta_seconds"] for item in listed}[mine] == 5.0


@pytest.fixture
def settings(tiny_settings: Settings) -> Settings:
    """The usual test settings plus a tiny preset, so the one real render stays quick."""
    return tiny_settings


def caption_words(srt: str) -> list[str]:
    text = " ".join(
        line
        for line in srt.splitlines()
        if line.strip() and "-->" not in line and not line.isdigit()
    )
    return re.findall(r"[a-z']+", text.lower())


@pytest.mark.slow
def test_a_real_brief_reviewed_edited_and_rendered(
    client: ApiClient, make_key: KeyMaker, jobs_db_url: str, settings: Settings
) -> None:
    if not jobs_db_url.startswith("sqlite"):
        pytest.skip("one real render is enough: it runs on SQLite only")
    key = make_key()
    body = {
        "brief": "A short ad for Bean There, organic coffee delivered weekly.",
        "preset": "tiny",
        "duration_s": 8,
        "review": True,
    }
    job_id = client.post("/v1/jobs", json=body, headers=auth(key)).json()["id"]
    sentence = "Zebras prefer jasmine tea on quiet Tuesdays."
    with pool(jobs_db_url, settings, work=DEFAULT_WORK, attempt_timeout_s=600):
        wait_for(lambda: status_of(client, key, job_id) == "awaiting_review", 180, "the plan")
        edit_first_narration(client, key, job_id, sentence)
        approved = client.post(f"/v1/jobs/{job_id}/approve", headers=auth(key))
        assert approved.status_code == 200, approved.text
        done = ("succeeded", "failed", "dead")
        wait_for(lambda: status_of(client, key, job_id) in done, 300, "the render")
    job = client.get(f"/v1/jobs/{job_id}", headers=auth(key)).json()
    assert job["status"] == "succeeded", job["error"]
    assert job["cost"]["actual"]["total"] >= 0 and job["cost"]["estimate"] is not None
    srt = (settings.data_dir / "jobs" / job_id / "captions.srt").read_text(encoding="utf-8")
    words, wanted = caption_words(srt), caption_words(sentence)
    assert any(words[i : i + len(wanted)] == wanted for i in range(len(words))), srt
