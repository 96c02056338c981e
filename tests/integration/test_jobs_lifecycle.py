"""The job lifecycle at the lease level, on SQLite and PostgreSQL: plan, review, resume, times."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from aiprod.api.schemas import JobPublic
from aiprod.auth.models import AuditEvent
from aiprod.db.base import utcnow
from aiprod.db.engine import make_session_factory
from aiprod.jobs.errors import InvalidTransition, LeaseLost
from aiprod.jobs.models import Job, JobEvent
from aiprod.jobs.outbox import pending_messages
from aiprod.jobs.pg_insert import CreationAudit
from aiprod.jobs.store import (
    Claim,
    approve_plan,
    claim_next_job,
    complete,
    create_job,
    fail,
    insert_job,
    job_events,
    lock_job,
    read_job_record,
    reap_expired,
    request_cancel,
    requeue_for_retry,
    save_plan,
)
from aiprod.webhooks.models import WebhookDelivery, WebhookEndpoint

PLAN = {"version": 1, "scenes": [{"narration": "Planned words."}]}
ESTIMATE = {"currency": "USD", "total": 0.002, "eta_seconds": 42.0, "stages": []}
ERROR = {"stage": "compose", "code": "provider_unavailable", "message": "down"}


def submit(engine: Engine, *, kind: str = "brief", review: bool = False) -> str:
    with make_session_factory(engine)() as session:
        request: dict[str, Any] = {"brief": "Tea."} if kind == "brief" else {"spec": PLAN}
        job = create_job(
            session, owner="ana", kind=kind, request=request, preset=None, review=review
        )
        session.commit()
        return job.id


def load(engine: Engine, job_id: str) -> Job:
    with Session(engine) as session:
        job = session.get(Job, job_id)
        assert job is not None
        session.expunge(job)
        return job


def claim(engine: Engine, **kwargs: Any) -> Claim:
    found = claim_next_job(engine, worker_id="w", **kwargs)
    assert found is not None
    return found


def reasons(engine: Engine, job_id: str) -> list[tuple[str | None, str, str]]:
    with Session(engine) as session:
        return [(e.from_status, e.to_status, e.reason) for e in job_events(session, job_id=job_id)]


def test_a_brief_is_planned_then_rendered_and_a_retry_resumes_rendering(
    jobs_engine: Engine, tmp_path: Path
) -> None:
    job_id = submit(jobs_engine)
    first = claim(jobs_engine)
    assert (first.status, first.plan, first.review) == ("planning", None, False)
    started = load(jobs_engine, job_id).started_at
    assert started is not None
    status = save_plan(jobs_engine, first, plan=PLAN, estimate=ESTIMATE, artifact_dir=tmp_path)
    assert status == "rendering"
    job = load(jobs_engine, job_id)
    assert (job.status, job.plan, job.plan_version, job.cost_estimate) == (
        "rendering",
        PLAN,
        1,
        ESTIMATE,
    )
    assert job.lease_token == first.lease_token
    assert json.loads((tmp_path / "plan.json").read_text(encoding="utf-8")) == PLAN
    now = utcnow()
    assert fail(jobs_engine, first, error=ERROR, retryable=True, now=now) == "queued"
    assert load(jobs_engine, job_id).finished_at is None
    second = claim(jobs_engine, now=now + timedelta(minutes=1))
    assert (second.status, second.plan, second.attempt) == ("rendering", PLAN, 2)
    assert load(jobs_engine, job_id).started_at == started  # set by the first claim only
    complete(jobs_engine, second, result={"qa_passed": True}, cost_actual={"total": 0.001})
    job = load(jobs_engine, job_id)
    assert (job.status, job.result, job.cost_actual) == (
        "succeeded",
        {"qa_passed": True},
        {"total": 0.001},
    )
    assert job.finished_at is not None and job.finished_at >= started
    assert [r for _, _, r in reasons(jobs_engine, job_id)] == [
        "created",
        "claimed",
        "planned",
        "failed",
        "claimed",
        "succeeded",
    ]


def test_review_stops_after_planning_and_approval_renders_the_plan(
    jobs_engine: Engine, tmp_path: Path
) -> None:
    job_id = submit(jobs_engine, review=True)
    planning = claim(jobs_engine)
    assert planning.review
    assert save_plan(jobs_engine, planning, plan=PLAN, estimate=None) == "awaiting_review"
    job = load(jobs_engine, job_id)
    assert (job.status, job.lease_token, job.plan_version) == ("awaiting_review", None, 1)
    assert claim_next_job(jobs_engine, worker_id="w") is None
    with make_session_factory(jobs_engine)() as session:
        locked = lock_job(session, job_id=job_id)
        assert locked is not None
        approve_plan(session, job=locked)
        with pytest.raises(InvalidTransition):
            approve_plan(session, job=locked)
        session.commit()
    rendering = claim(jobs_engine)
    assert (rendering.status, rendering.plan) == ("rendering", PLAN)
    assert reasons(jobs_engine, job_id)[-3:] == [
        ("planning", "awaiting_review", "planned"),
        ("awaiting_review", "queued", "approved"),
        ("queued", "rendering", "claimed"),
    ]


def test_save_plan_is_fenced_by_the_lease(jobs_engine: Engine, tmp_path: Path) -> None:
    job_id = submit(jobs_engine)
    stale = claim(jobs_engine)
    later = utcnow() + timedelta(hours=1)
    assert reap_expired(jobs_engine, now=later) == 1
    claim(jobs_engine, now=later)  # another worker holds it now
    with pytest.raises(LeaseLost):
        save_plan(jobs_engine, stale, plan=PLAN, estimate=ESTIMATE, artifact_dir=tmp_path)
    job = load(jobs_engine, job_id)
    assert (job.plan, job.plan_version, job.status) == (None, 0, "planning")
    assert not (tmp_path / "plan.json").exists()


def test_specs_render_at_once_and_every_end_sets_finished_at(jobs_engine: Engine) -> None:
    fatal, dying, waiting = (submit(jobs_engine, kind="spec") for _ in range(3))
    first = claim(jobs_engine)
    assert (first.job_id, first.status) == (fatal, "rendering")
    assert fail(jobs_engine, first, error=ERROR, retryable=False) == "failed"
    assert load(jobs_engine, fatal).finished_at is not None
    with Session(jobs_engine) as session, session.begin():
        row = session.get(Job, dying)
        assert row is not None
        row.attempts = row.max_attempts - 1
    claim(jobs_engine)
    assert reap_expired(jobs_engine, now=utcnow() + timedelta(hours=1)) == 1
    dead = load(jobs_engine, dying)
    assert dead.status == "dead" and dead.finished_at is not None
    with make_session_factory(jobs_engine)() as session:
        assert request_cancel(session, job_id=waiting)
        session.commit()
    assert load(jobs_engine, waiting).finished_at is not None


def test_retry_requeues_with_fresh_attempts_and_keeps_the_error_in_history(
    jobs_engine: Engine,
) -> None:
    job_id = submit(jobs_engine, kind="spec")
    assert fail(jobs_engine, claim(jobs_engine), error=ERROR, retryable=False) == "failed"
    with make_session_factory(jobs_engine)() as session:
        job = lock_job(session, job_id=job_id)
        assert job is not None
        requeue_for_retry(session, job=job)
        assert (job.status, job.attempts, job.error, job.finished_at) == ("queued", 0, None, None)
        with pytest.raises(InvalidTransition):
            requeue_for_retry(session, job=job)
        session.commit()
    with Session(jobs_engine) as session:
        last = job_events(session, job_id=job_id)[-1]
    assert (last.from_status, last.to_status, last.reason) == ("failed", "queued", "retried")
    assert last.detail == {"error": ERROR, "attempts": 1}
    assert claim(jobs_engine).attempt == 1


def test_the_light_job_record_reads_what_the_orm_row_holds(jobs_engine: Engine) -> None:
    job_id = submit(jobs_engine, review=True)
    with Session(jobs_engine) as session:
        session.get_one(Job, job_id).cost_estimate = {"eta_seconds": 12.5}
        session.commit()
    with Session(jobs_engine) as session:
        record, job = read_job_record(session, job_id), session.get_one(Job, job_id)
        assert record is not None and read_job_record(session, "nope") is None
        assert asdict(record) == {name: getattr(job, name) for name in asdict(record)}
        assert JobPublic.of(record) == JobPublic.of(job)


def test_creation_writes_history_outbox_audit_and_deliveries_once(jobs_engine: Engine) -> None:
    """The same rows on both databases: PostgreSQL writes them in one statement."""
    with Session(jobs_engine) as session:
        for events in (None, ["job.queued"], ["job.succeeded"]):
            secret = "whsec_" + "A" * 32
            session.add(WebhookEndpoint(owner="ana", url="https://e.example/h", secret=secret,
                                        event_types=events))  # fmt: skip
        session.add(WebhookEndpoint(owner="bob", url="https://b.example/h", secret=secret))
        session.commit()
    audit = CreationAudit({"kind": "brief"}, "req-1")
    request = {"brief": "x", "webhook_url": "https://own.example/h"}
    with Session(jobs_engine, expire_on_commit=False) as session:
        job, created = insert_job(session, owner="ana", kind="brief", request=request,
                                  preset=None, idempotency_key="k1", audit=audit)  # fmt: skip
        again, repeated = insert_job(session, owner="ana", kind="brief", request=request,
                                     preset=None, idempotency_key="k1", audit=audit)  # fmt: skip
        session.commit()
    assert created and not repeated and again.id == job.id
    with Session(jobs_engine) as session:
        events = session.scalars(select(JobEvent).where(JobEvent.job_id == job.id)).all()
        assert [(e.from_status, e.to_status, e.reason, e.attempt) for e in events] == [
            (None, "queued", "created", 0)
        ]
        audits = session.scalars(select(AuditEvent).where(AuditEvent.target == job.id)).all()
        assert [(a.actor, a.action, a.detail, a.request_id) for a in audits] == [
            ("ana", "job.created", {"kind": "brief"}, "req-1")
        ]
        deliveries = session.scalars(select(WebhookDelivery)).all()
        assert sorted(d.url for d in deliveries) == [
            "https://e.example/h", "https://e.example/h", "https://own.example/h",
        ]  # fmt: skip
        assert len({d.message_id for d in deliveries}) == 3
        data = deliveries[0].payload["data"]
        assert deliveries[0].payload["type"] == "job.queued" and data["reason"] == "created"
        assert (data["id"], data["status"], data["error"], data["started_at"]) == (
            job.id, "queued", None, None,
        )  # fmt: skip
    assert [m.job_id for m in pending_messages(jobs_engine)] == [job.id]
