"""``/v1/webhooks`` on SQLite and PostgreSQL: endpoints, secrets, refusals, scopes, audit."""

from __future__ import annotations

import pytest
from api_client import PROBLEM, ApiClient, KeyMaker, auth
from sqlalchemy import Engine

from aiprod.auth import audit
from aiprod.db.engine import make_session_factory

HOOK = "https://hooks.example.com/aiprod?token=abc"
SPEC = {"version": 1, "scenes": [{"narration": "Fresh beans."}]}


def test_an_endpoint_is_created_listed_rotated_and_deleted(
    client: ApiClient, make_key: KeyMaker, jobs_engine: Engine
) -> None:
    ana = {**auth(make_key("ana")), "X-Request-ID": "hooks-1"}
    created = client.post(
        "/v1/webhooks",
        json={"url": HOOK, "event_types": ["job.succeeded", "job.failed"], "description": "ops"},
        headers=ana,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["url"] == HOOK
    assert body["event_types"] == ["job.failed", "job.succeeded"]

    listed = client.get("/v1/webhooks", headers=ana).json()["items"]
    assert [item["id"] for item in listed] == [body["id"]]
    assert "secret" not in listed[0] and body["secret"] not in str(listed)
    one = client.get(f"/v1/webhooks/{body['id']}", headers=ana).json()
    assert "secret" not in one and one["rotated_at"] is None

    rotated = client.post(
        f"/v1/webhooks/{body['id']}/rotate", json={"grace_s": 60}, headers=ana
    ).json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != body["secret"]
    assert rotated["rotated_at"] is not None and rotated["previous_secret_expires_at"]
    again = client.post(f"/v1/webhooks/{body['id']}/rotate", headers=ana)  # no body: no grace
    assert again.status_code == 200 and again.json()["previous_secret_expires_at"] is None

    assert client.request("DELETE", f"/v1/webhooks/{body['id']}", headers=ana).status_code == 204
    assert client.get("/v1/webhooks", headers=ana).json()["items"] == []
    gone = client.request("DELETE", f"/v1/webhooks/{body['id']}", headers=ana)
    assert gone.status_code == 404 and gone.headers["content-type"] == PROBLEM

    with make_session_factory(jobs_engine)() as session:
        rows = [r for r in audit.recent(session) if r.action.startswith("webhook.")]
    assert sorted(r.action for r in rows) == [
        "webhook.created",
        "webhook.deleted",
        "webhook.rotated",
        "webhook.rotated",
    ]
    assert {r.request_id for r in rows} == {"hooks-1"} and {r.target for r in rows} == {body["id"]}
    secrets = (body["secret"], rotated["secret"], again.json()["secret"])
    assert not any(s in str(r.detail) + r.target for r in rows for s in secrets)


def test_other_owners_get_404_and_readers_cannot_manage(
    client: ApiClient, make_key: KeyMaker
) -> None:
    ana, bob = auth(make_key("ana")), auth(make_key("bob"))
    reader = auth(make_key("ana", scopes=("jobs:read",)))
    hook_id = client.post("/v1/webhooks", json={"url": HOOK}, headers=ana).json()["id"]

    for method, path in (
        ("GET", f"/v1/webhooks/{hook_id}"),
        ("DELETE", f"/v1/webhooks/{hook_id}"),
        ("POST", f"/v1/webhooks/{hook_id}/rotate"),
        ("GET", f"/v1/webhooks/{hook_id}/deliveries"),
    ):
        answer = client.request(method, path, headers=bob)
        assert answer.status_code == 404, (method, path)
        assert answer.headers["content-type"] == PROBLEM
    assert client.get("/v1/webhooks", headers=bob).json()["items"] == []

    assert client.get("/v1/webhooks", headers=reader).status_code == 200
    assert client.post("/v1/webhooks", json={"url": HOOK}, headers=reader).status_code == 403
    assert client.get("/v1/webhooks/job-secret", headers=reader).status_code == 403
    assert client.request("DELETE", f"/v1/webhooks/{hook_id}", headers=reader).status_code == 403
    assert client.get("/v1/webhooks").status_code == 401


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:9000/hook", "loopback"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://[::1]/hook", "loopback"),
        ("http://[::ffff:169.254.169.254]/", "link-local"),
        ("http://10.1.2.3/hook", "private"),
        ("http://2130706433/hook", "loopback"),  # 127.0.0.1 spelled as one number
        ("http://0.0.0.0/", "unspecified"),
        ("ftp://example.com/hook", "http:// or https://"),
        ("https://user:pw@example.com/hook", "credentials"),
        ("https:///nohost", "no host"),
        ("http://127.0.0.1.:9000/hook", "loopback"),  # a trailing dot
        ("http://\u2460\u2461\u2466.0.0.1/", "not a valid URL"),  # circled digits
    ],
)
def test_webhooks_to_loopback_metadata_or_private_literals_are_refused_by_default(
    client: ApiClient, make_key: KeyMaker, url: str, reason: str
) -> None:
    ana = auth(make_key("ana"))
    refused = client.post("/v1/webhooks", json={"url": url}, headers=ana)
    assert refused.status_code == 422 and refused.headers["content-type"] == PROBLEM
    (error,) = refused.json()["errors"]
    assert error["path"] == "url" and reason in error["message"]
    job = client.post("/v1/jobs", json={"spec": SPEC, "webhook_url": url}, headers=ana)
    assert job.status_code == 422
    assert job.json()["errors"][0]["path"] == "webhook_url"
    assert client.get("/v1/webhooks", headers=ana).json()["items"] == []


def test_unknown_event_types_and_bad_grace_are_422(client: ApiClient, make_key: KeyMaker) -> None:
    ana = auth(make_key("ana"))
    bad = client.post(
        "/v1/webhooks", json={"url": HOOK, "event_types": ["job.exploded"]}, headers=ana
    )
    assert bad.status_code == 422 and bad.headers["content-type"] == PROBLEM
    empty = client.post("/v1/webhooks", json={"url": HOOK, "event_types": []}, headers=ana)
    assert empty.status_code == 422
    hook_id = client.post("/v1/webhooks", json={"url": HOOK}, headers=ana).json()["id"]
    long = client.post(f"/v1/webhooks/{hook_id}/rotate", json={"grace_s": 10**6}, headers=ana)
    assert long.status_code == 422


def test_the_job_secret_is_made_once_and_rotates(client: ApiClient, make_key: KeyMaker) -> None:
    ana, bob = auth(make_key("ana")), auth(make_key("bob"))
    first = client.get("/v1/webhooks/job-secret", headers=ana).json()
    second = client.get("/v1/webhooks/job-secret", headers=ana).json()
    assert first["created"] and not second["created"] and first["secret"] == second["secret"]
    assert client.get("/v1/webhooks/job-secret", headers=bob).json()["secret"] != first["secret"]
    rotated = client.post("/v1/webhooks/job-secret/rotate", headers=ana).json()
    assert rotated["secret"] != first["secret"]
    assert client.get("/v1/webhooks/job-secret", headers=ana).json()["secret"] == rotated["secret"]


def test_a_job_keeps_its_webhook_url_and_idempotency_compares_it(
    client: ApiClient, make_key: KeyMaker
) -> None:
    ana = {**auth(make_key("ana")), "Idempotency-Key": "k-1"}
    body = {"spec": SPEC, "webhook_url": HOOK}
    first = client.post("/v1/jobs", json=body, headers=ana)
    assert first.status_code == 202, first.text
    assert client.post("/v1/jobs", json=body, headers=ana).status_code == 200
    other = client.post("/v1/jobs", json={**body, "webhook_url": HOOK + "2"}, headers=ana)
    assert other.status_code == 409
    job_id = first.json()["id"]
    log = client.get(f"/v1/jobs/{job_id}/webhook-deliveries", headers=ana).json()
    assert [(d["event_type"], d["status"], d["url"]) for d in log["items"]] == [
        ("job.queued", "pending", HOOK)
    ]


def test_batch_items_may_carry_a_webhook_url(client: ApiClient, make_key: KeyMaker) -> None:
    ana = auth(make_key("ana"))
    items = [{"brief": "an ad", "webhook_url": HOOK}, {"brief": "another ad"}]
    batch = client.post("/v1/batches", json={"jobs": items}, headers=ana)
    assert batch.status_code == 202, batch.text
    first, second = (job["id"] for job in batch.json()["jobs"])
    log = client.get(f"/v1/jobs/{first}/webhook-deliveries", headers=ana).json()["items"]
    assert [(d["event_type"], d["url"]) for d in log] == [("job.queued", HOOK)]
    assert client.get(f"/v1/jobs/{second}/webhook-deliveries", headers=ana).json()["items"] == []
    bad = [{"brief": "an ad", "webhook_url": "gopher://x.test/"}]
    refused = client.post("/v1/batches", json={"jobs": bad}, headers=ana)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["path"] == "jobs.0.webhook_url"


def test_a_delivery_cursor_beyond_the_id_range_is_422(
    client: ApiClient, make_key: KeyMaker
) -> None:
    ana = auth(make_key("ana"))
    job_id = client.post("/v1/jobs", json={"spec": SPEC}, headers=ana).json()["id"]
    path = f"/v1/jobs/{job_id}/webhook-deliveries"
    assert client.get(f"{path}?cursor={2**31 - 1}", headers=ana).status_code == 200
    response = client.get(f"{path}?cursor={2**31}", headers=ana)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
