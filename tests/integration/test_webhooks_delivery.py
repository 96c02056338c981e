"""Webhook deliveries end to end on SQLite and PostgreSQL: real store changes, a real
dispatcher, a real HTTP receiver on loopback, signatures checked with ``standardwebhooks``."""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import webhook_receiver
from api_client import ApiClient, KeyMaker, auth
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session
from standardwebhooks import Webhook, WebhookVerificationError
from webhook_receiver import Receiver

from aiprod.auth import Principal
from aiprod.config import Settings
from aiprod.db.engine import make_session_factory
from aiprod.jobs import store
from aiprod.jobs.models import Job
from aiprod.webhooks import service
from aiprod.webhooks.dispatcher import DispatchConfig, WebhookDispatcher
from aiprod.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

receiver = webhook_receiver.receiver  # the fixture
LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))
SPEC = {"version": 1, "scenes": [{"narration": "Fresh beans."}]}
ERROR = {"stage": "compose", "code": "boom", "message": "no"}
ANA = Principal(owner="ana", key_id="k1", scopes=frozenset({"jobs:read", "jobs:write"}))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", webhook_allow_networks=["127.0.0.0/8"])


def config(allowed: tuple[Any, ...] = LOOPBACK, concurrency: int = 1) -> DispatchConfig:
    """Tiny retry delays; one send at a time keeps the arrival order."""
    return DispatchConfig(
        timeout_s=2.0, concurrency=concurrency, poll_s=0.05, retry_scale=0.0005, allowed=allowed
    )


def one_round(engine: Engine, config: DispatchConfig) -> int:
    """One dispatch round of a separate dispatcher that sends up to four at once."""
    dispatcher = WebhookDispatcher(engine, config)
    try:
        return dispatcher.run_once()
    finally:
        dispatcher.stop()


@pytest.fixture
def dispatcher(jobs_engine: Engine) -> Iterator[WebhookDispatcher]:
    running = WebhookDispatcher(jobs_engine, config())
    yield running
    running.stop()


def drain(dispatcher: WebhookDispatcher, timeout_s: float = 15.0) -> None:
    """Run dispatch rounds until no delivery is pending."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if dispatcher.run_once() == 0:
            with Session(dispatcher.engine) as session:
                query = select(WebhookDelivery.id).where(WebhookDelivery.status == "pending")
                if session.execute(query).first() is None:
                    return
            time.sleep(0.02)
    raise AssertionError("deliveries still pending")


def add_endpoint(engine: Engine, url: str, event_types: list[str] | None = None) -> WebhookEndpoint:
    with make_session_factory(engine)() as session:
        endpoint = service.create_endpoint(
            session,
            principal=ANA,
            url=url,
            event_types=event_types,
            description=None,
            allowed=LOOPBACK,
        )
        session.commit()
        return endpoint


def submit(engine: Engine, *, kind: str = "spec", review: bool = False, **extra: Any) -> str:
    request: dict[str, Any] = {"spec": SPEC} if kind == "spec" else {"brief": "Tea."}
    with make_session_factory(engine)() as session:
        job = store.create_job(
            session,
            owner="ana",
            kind=kind,
            request={**request, **extra},
            preset=None,
            review=review,
        )
        session.commit()
        return job.id


def claim(engine: Engine) -> store.Claim:
    found = store.claim_next_job(engine, worker_id="w")
    assert found is not None
    return found


def in_session(engine: Engine, change: Any) -> None:
    with make_session_factory(engine)() as session:
        change(session)
        session.commit()


def verified(secret: str, request: Any) -> dict[str, Any]:
    payload: dict[str, Any] = Webhook(secret).verify(request.body, request.headers)
    return payload


def test_a_rendered_job_sends_its_events_in_order_signed(
    jobs_engine: Engine, receiver: Receiver, dispatcher: WebhookDispatcher
) -> None:
    endpoint = add_endpoint(jobs_engine, receiver.url)
    job_id = submit(jobs_engine)
    work = claim(jobs_engine)
    for stage in ("narration", "narration", "visuals", "compose"):
        assert store.report_progress(jobs_engine, work, stage=stage, progress=0.5)
    store.complete(jobs_engine, work, result={"duration_s": 3.0})

    drain(dispatcher)

    payloads = [verified(endpoint.secret, r) for r in receiver.wait_for(4)]
    assert [p["type"] for p in payloads] == [
        "job.queued",
        "job.stage_completed",
        "job.stage_completed",
        "job.succeeded",
    ]
    assert [p["data"].get("completed_stage") for p in payloads[1:3]] == ["narration", "visuals"]
    assert {p["data"]["id"] for p in payloads} == {job_id}
    assert payloads[-1]["data"]["status"] == "succeeded"
    assert "owner" not in payloads[0]["data"] and "request" not in payloads[0]["data"]
    ids = [r.headers["webhook-id"] for r in receiver.delivered()]
    assert len(set(ids)) == 4 and all(i.startswith("msg_") for i in ids)
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 32).verify(
            receiver.delivered()[0].body, receiver.delivered()[0].headers
        )


def test_review_failure_replay_death_and_cancel_events(
    jobs_engine: Engine, receiver: Receiver, dispatcher: WebhookDispatcher
) -> None:
    everything = add_endpoint(jobs_engine, receiver.url)
    endings = add_endpoint(
        jobs_engine, receiver.url + "?only=endings", ["job.dead", "job.canceled"]
    )
    job_id = submit(jobs_engine, kind="brief", review=True)
    store.save_plan(jobs_engine, claim(jobs_engine), plan=SPEC, estimate=None)
    in_session(jobs_engine, lambda s: store.approve_plan(s, job=store.lock_job(s, job_id=job_id)))
    store.fail(jobs_engine, claim(jobs_engine), error=ERROR, retryable=False)
    in_session(
        jobs_engine, lambda s: store.requeue_for_retry(s, job=store.lock_job(s, job_id=job_id))
    )
    in_session(jobs_engine, lambda s: s.execute(update(Job).values(max_attempts=1)))
    store.fail(jobs_engine, claim(jobs_engine), error=ERROR, retryable=True)
    other = submit(jobs_engine)
    in_session(jobs_engine, lambda s: store.request_cancel(s, job_id=other))

    drain(dispatcher)

    by_endpoint: dict[str, list[tuple[str, str]]] = {"all": [], "endings": []}
    for request in receiver.wait_for(10):
        ending = request.path.endswith("only=endings")
        payload = verified(endings.secret if ending else everything.secret, request)
        by_endpoint["endings" if ending else "all"].append((payload["type"], payload["data"]["id"]))
    assert by_endpoint["all"] == [
        ("job.queued", job_id),
        ("job.awaiting_review", job_id),
        ("job.queued", job_id),
        ("job.failed", job_id),
        ("job.queued", job_id),
        ("job.dead", job_id),
        ("job.queued", other),
        ("job.canceled", other),
    ]
    assert by_endpoint["endings"] == [("job.dead", job_id), ("job.canceled", other)]


def test_a_receiver_that_is_down_then_back_gets_every_event_with_the_same_id(
    jobs_engine: Engine, receiver: Receiver, dispatcher: WebhookDispatcher
) -> None:
    endpoint = add_endpoint(jobs_engine, receiver.url)
    receiver.close()  # the port refuses connections
    submit(jobs_engine)
    submit(jobs_engine)
    assert one_round(jobs_engine, config(concurrency=4)) == 2  # both fail: connection refused
    receiver.fail_first = 1  # back, but answers 503 once more per message
    receiver.start()

    drain(dispatcher)

    delivered = receiver.wait_for(2)
    for request in delivered:
        assert verified(endpoint.secret, request)["type"] == "job.queued"
    ids = [r.headers["webhook-id"] for r in receiver.requests]
    assert len(receiver.requests) == 4 and len(set(ids)) == 2
    assert all(ids.count(i) == 2 for i in ids)  # a 503, then the same id delivered
    with Session(jobs_engine) as session:
        attempts = session.scalars(select(WebhookAttempt).order_by(WebhookAttempt.id)).all()
        deliveries = session.scalars(select(WebhookDelivery)).all()
    assert {d.status for d in deliveries} == {"delivered"} and {d.attempts for d in deliveries} == {
        3
    }
    by_delivery: dict[int, list[Any]] = {}
    for attempt in attempts:
        by_delivery.setdefault(attempt.delivery_id, []).append(attempt)
    for tries in by_delivery.values():
        assert [a.attempt for a in tries] == [1, 2, 3]
        assert tries[0].status_code is None and "Connect" in (tries[0].error or "")
        assert [a.status_code for a in tries[1:]] == [503, 200]
        assert tries[-1].address == "127.0.0.1" and tries[-1].duration_ms >= 0


def test_webhooks_to_loopback_and_metadata_addresses_are_refused_by_default(
    jobs_engine: Engine, receiver: Receiver
) -> None:
    """No allow-list: ``localhost`` (resolves to loopback) and 169.254.169.254 get nothing."""
    with make_session_factory(jobs_engine)() as session:  # registration would refuse this one
        session.add(
            WebhookEndpoint(
                owner="ana", url="http://169.254.169.254/latest", secret="whsec_" + "B" * 32
            )
        )
        session.commit()
    submit(jobs_engine, webhook_url=f"http://localhost:{receiver.port}/hook")
    submit(jobs_engine)
    assert one_round(jobs_engine, config(allowed=(), concurrency=4)) == 3

    time.sleep(0.2)
    assert receiver.requests == []
    with Session(jobs_engine) as session:
        attempts = session.scalars(select(WebhookAttempt)).all()
        deliveries = session.scalars(select(WebhookDelivery)).all()
    errors = sorted(a.error or "" for a in attempts)
    assert len(errors) == 3 and all(a.status_code is None and a.address is None for a in attempts)
    assert sum("localhost resolves to 127.0.0.1, a loopback address" in e for e in errors) == 1
    assert (
        sum("169.254.169.254 resolves to 169.254.169.254, a link-local" in e for e in errors) == 2
    )
    assert {d.status for d in deliveries} == {"pending"}  # retried later, refused again


def stored_endpoint(engine: Engine, url: str) -> None:
    """An endpoint written straight to the table, as one registered before a URL check was."""
    with make_session_factory(engine)() as session:
        session.add(WebhookEndpoint(owner="ana", url=url, secret="whsec_" + "C" * 32))
        session.commit()


def only_attempt(engine: Engine) -> tuple[WebhookDelivery, WebhookAttempt]:
    with Session(engine) as session:
        (delivery,) = session.scalars(select(WebhookDelivery)).all()
        (attempt,) = session.scalars(select(WebhookAttempt)).all()
    return delivery, attempt


def test_a_url_the_sender_cannot_parse_is_a_recorded_failed_attempt(jobs_engine: Engine) -> None:
    stored_endpoint(jobs_engine, "http://\u2460\u2461\u2466.0.0.1/")  # the resolver: 127.0.0.1
    submit(jobs_engine)
    assert one_round(jobs_engine, config()) == 1  # loopback allowed: only the URL is wrong
    delivery, attempt = only_attempt(jobs_engine)
    assert attempt.status_code is None and "not a valid URL" in (attempt.error or "")
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        "pending",
        1,
        attempt.error,
    )
    assert delivery.lease_token is None  # retried on the normal schedule, not at every lease


def test_any_error_while_sending_is_a_recorded_failed_attempt(
    jobs_engine: Engine, receiver: Receiver
) -> None:
    add_endpoint(jobs_engine, receiver.url)
    submit(jobs_engine)
    broken = WebhookDispatcher(jobs_engine, config())
    broken.client.close()  # sending now raises RuntimeError, which is no httpx.HTTPError
    try:
        assert broken.run_once() == 1
    finally:
        broken.stop()
    delivery, attempt = only_attempt(jobs_engine)
    assert attempt.status_code is None and "RuntimeError" in (attempt.error or "")
    assert (delivery.status, delivery.attempts, delivery.lease_token) == ("pending", 1, None)
    assert receiver.requests == []


def test_rotation_and_deletion(
    jobs_engine: Engine, receiver: Receiver, dispatcher: WebhookDispatcher
) -> None:
    endpoint = add_endpoint(jobs_engine, receiver.url)
    old = endpoint.secret
    with make_session_factory(jobs_engine)() as session:
        rotated = service.rotate_endpoint_secret(
            session, principal=ANA, endpoint_id=endpoint.id, grace_s=0
        )
        new = rotated.secret
        session.commit()
    submit(jobs_engine)
    drain(dispatcher)
    (first,) = receiver.wait_for(1)
    assert verified(new, first)["type"] == "job.queued"
    with pytest.raises(WebhookVerificationError):
        verified(old, first)

    with make_session_factory(jobs_engine)() as session:  # a grace period: both secrets sign
        newest = service.rotate_endpoint_secret(
            session, principal=ANA, endpoint_id=endpoint.id, grace_s=600
        ).secret
        session.commit()
    submit(jobs_engine)
    drain(dispatcher)
    second = receiver.wait_for(2)[1]
    assert len(second.headers["webhook-signature"].split(" ")) == 2
    assert verified(newest, second) == verified(new, second)

    submit(jobs_engine)  # queued for the endpoint, which is then deleted: nothing is sent
    with make_session_factory(jobs_engine)() as session:
        service.delete_endpoint(session, principal=ANA, endpoint_id=endpoint.id)
        session.commit()
    drain(dispatcher)
    time.sleep(0.2)
    assert len(receiver.requests) == 2
    with Session(jobs_engine) as session:
        assert session.scalars(select(WebhookDelivery)).all() == []


def test_a_jobs_own_webhook_url_is_signed_with_the_job_secret_and_logged_in_the_api(
    caplog: pytest.LogCaptureFixture,
    client: ApiClient,
    make_key: KeyMaker,
    receiver: Receiver,
    jobs_engine: Engine,
    dispatcher: WebhookDispatcher,
) -> None:
    ana, bob = auth(make_key("ana")), auth(make_key("bob"))
    secret = client.get("/v1/webhooks/job-secret", headers=ana).json()["secret"]
    created = client.post(
        "/v1/webhooks", json={"url": receiver.url, "event_types": ["job.queued"]}, headers=ana
    ).json()
    answer = client.post(
        "/v1/jobs",
        json={"spec": SPEC, "webhook_url": f"http://localhost:{receiver.port}/hook?job"},
        headers=ana,
    )
    assert answer.status_code == 202, answer.text
    job_id = answer.json()["id"]

    caplog.set_level(logging.DEBUG)
    drain(dispatcher)

    assert "/hook" not in caplog.text  # URLs may hold tokens: httpx's request log is hidden
    received = receiver.wait_for(2)
    own = next(r for r in received if r.path.endswith("?job"))
    assert verified(secret, own)["data"]["id"] == job_id
    assert own.headers["host"] == f"localhost:{receiver.port}"  # sent to the checked address
    log = client.get(f"/v1/jobs/{job_id}/webhook-deliveries", headers=ana).json()["items"]
    assert sorted((d["endpoint_id"] or "own") for d in log) == sorted([created["id"], "own"])
    for delivery in log:
        assert delivery["status"] == "delivered" and delivery["attempts"] == 1
        assert delivery["attempt_log"][0]["status_code"] == 200
        assert delivery["event_type"] == "job.queued" and delivery["next_attempt_at"] is None
    assert {d["webhook_id"] for d in log} == {r.headers["webhook-id"] for r in received}
    endpoint_log = client.get(f"/v1/webhooks/{created['id']}/deliveries", headers=ana).json()
    assert [d["endpoint_id"] for d in endpoint_log["items"]] == [created["id"]]
    assert endpoint_log["next_cursor"] is None
    assert client.get(f"/v1/jobs/{job_id}/webhook-deliveries", headers=bob).status_code == 404
    assert client.get(f"/v1/webhooks/{created['id']}/deliveries", headers=bob).status_code == 404


def test_two_running_dispatchers_send_each_delivery_once_and_stop_promptly(
    jobs_engine: Engine, make_jobs_engine: Any, receiver: Receiver
) -> None:
    add_endpoint(jobs_engine, receiver.url)
    first = WebhookDispatcher(make_jobs_engine(), config(concurrency=2)).start()
    second = WebhookDispatcher(make_jobs_engine(), config(concurrency=2)).start()
    try:
        for _ in range(6):
            submit(jobs_engine)
        delivered = receiver.wait_for(6)
    finally:
        started = time.monotonic()
        first.stop()
        second.stop()
        stopped_in = time.monotonic() - started
    assert stopped_in < 2.0
    time.sleep(0.2)
    ids = [r.headers["webhook-id"] for r in receiver.requests]
    assert len(ids) == len(set(ids)) == len(delivered) == 6
