"""The jobs API over an ASGI transport, on SQLite and on real PostgreSQL."""

from __future__ import annotations

from api_client import PROBLEM, ApiClient, KeyMaker, auth

from aiprod.auth import audit
from aiprod.db.engine import make_engine, make_session_factory


def test_health_and_ready(client: ApiClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json()["database"] == "ok"


def test_missing_or_bad_key_is_401_and_audited(client: ApiClient, jobs_db_url: str) -> None:
    for headers in ({}, auth("aip_nope"), auth("aip_ABCDEFGH_" + "x" * 32)):
        response = client.get("/v1/jobs", headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"] == PROBLEM
        challenge = 'Bearer error="invalid_token"' if headers else "Bearer"  # RFC 6750 §3.1
        assert response.headers["www-authenticate"] == challenge
        assert response.json()["instance"] == "/v1/jobs"
    engine = make_engine(jobs_db_url)
    with make_session_factory(engine)() as session:
        assert len(audit.recent(session, action="auth.failed")) == 2
    engine.dispose()


def test_read_only_key_cannot_submit(client: ApiClient, make_key: KeyMaker) -> None:
    key = make_key(scopes=("jobs:read",))
    response = client.post("/v1/jobs", json={"brief": "a coffee ad"}, headers=auth(key))
    assert response.status_code == 403
    assert response.json()["type"].endswith("forbidden")
    assert client.get("/v1/presets", headers=auth(key)).status_code == 200


def test_submit_brief_then_read_it(client: ApiClient, make_key: KeyMaker) -> None:
    key = make_key()
    body = {"brief": "A 20-second ad for organic coffee", "preset": "quick_social"}
    response = client.post("/v1/jobs", json=body, headers=auth(key))
    assert response.status_code == 202, response.text
    created = response.json()
    assert created["status"] == "queued"
    assert response.headers["location"] == created["links"]["self"] == f"/v1/jobs/{created['id']}"
    job = client.get(response.headers["location"], headers=auth(key)).json()
    assert job["status"] == "queued"
    assert job["kind"] == "brief"
    assert job["preset"] == "quick_social"


def test_invalid_spec_lists_every_problem(client: ApiClient, make_key: KeyMaker) -> None:
    spec = {"language": "!!", "scenes": [{"padding": 99}], "nonsense": 1}
    response = client.post("/v1/jobs", json={"spec": spec}, headers=auth(make_key()))
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    paths = {item["path"] for item in response.json()["errors"]}
    assert len(paths) >= 2
    assert all(path.startswith("spec") for path in paths)
    assert client.get("/v1/jobs", headers=auth(make_key())).json()["items"] == []


def test_unknown_preset_in_spec_is_422(client: ApiClient, make_key: KeyMaker) -> None:
    spec = {"preset": "nope", "scenes": [{"narration": "Hello there."}]}
    response = client.post("/v1/jobs", json={"spec": spec}, headers=auth(make_key()))
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "spec.preset"


def test_valid_spec_is_queued(client: ApiClient, make_key: KeyMaker) -> None:
    spec = {"scenes": [{"narration": "Hello there."}]}
    response = client.post("/v1/jobs", json={"spec": spec}, headers=auth(make_key()))
    assert response.status_code == 202, response.text


def test_malformed_json_and_bad_fields_are_422(client: ApiClient, make_key: KeyMaker) -> None:
    headers = {**auth(make_key()), "Content-Type": "application/json"}
    response = client.post("/v1/jobs", content=b'{"brief": ', headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    response = client.post("/v1/jobs", json={"brief": 3, "duration_s": -1}, headers=headers)
    paths = {item["path"] for item in response.json()["errors"]}
    assert {"body.brief", "body.duration_s"} <= paths


def test_oversized_body_is_413(client: ApiClient, make_key: KeyMaker) -> None:
    body = {"brief": "x" * (1024 * 1024 + 10)}
    response = client.post("/v1/jobs", json=body, headers=auth(make_key()))
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM


def test_idempotency_key_gives_one_job(client: ApiClient, make_key: KeyMaker) -> None:
    headers = {**auth(make_key()), "Idempotency-Key": "order-42"}
    first = client.post("/v1/jobs", json={"brief": "a coffee ad"}, headers=headers)
    second = client.post("/v1/jobs", json={"brief": "a coffee ad"}, headers=headers)
    assert (first.status_code, second.status_code) == (202, 200)
    assert first.json()["id"] == second.json()["id"]
    other = client.post("/v1/jobs", json={"brief": "a tea ad"}, headers=headers)
    assert other.status_code == 409
    assert len(client.get("/v1/jobs", headers=headers).json()["items"]) == 1


def test_other_owner_gets_404_admin_sees_it(client: ApiClient, make_key: KeyMaker) -> None:
    created = client.post("/v1/jobs", json={"brief": "an ad"}, headers=auth(make_key())).json()
    path = created["links"]["self"]
    response = client.get(path, headers=auth(make_key("bob")))
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert client.post(path + "/cancel", headers=auth(make_key("bob"))).status_code == 404
    admin = make_key("root", scopes=("admin",))
    assert client.get(path, headers=auth(admin)).json()["id"] == created["id"]
    assert len(client.get("/v1/jobs", headers=auth(admin)).json()["items"]) == 1
    assert client.get("/v1/jobs", headers=auth(make_key("bob"))).json()["items"] == []


def test_list_paginates_without_duplicates(client: ApiClient, make_key: KeyMaker) -> None:
    headers = auth(make_key())
    ids = {
        client.post("/v1/jobs", json={"brief": f"ad {i}"}, headers=headers).json()["id"]
        for i in range(25)
    }
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params = {"limit": 10} | ({"cursor": cursor} if cursor else {})
        page = client.get("/v1/jobs", params=params, headers=headers).json()
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 25
    assert set(seen) == ids
    queued = client.get("/v1/jobs", params={"status": "canceled"}, headers=headers).json()
    assert queued["items"] == []
    assert client.get("/v1/jobs", params={"limit": 101}, headers=headers).status_code == 422
    bad = client.get("/v1/jobs", params={"cursor": "garbage"}, headers=headers)
    assert bad.status_code == 422


def test_cancel_then_cancel_again_is_409(client: ApiClient, make_key: KeyMaker) -> None:
    headers = auth(make_key())
    path = client.post("/v1/jobs", json={"brief": "an ad"}, headers=headers).json()["links"]
    canceled = client.post(path["self"] + "/cancel", headers=headers)
    assert canceled.status_code == 200, canceled.text
    assert canceled.json()["status"] == "canceled"
    assert client.get(path["self"], headers=headers).json()["status"] == "canceled"
    again = client.post(path["self"] + "/cancel", headers=headers)
    assert again.status_code == 409
    assert again.headers["content-type"] == PROBLEM
    listed = client.get("/v1/jobs", params={"status": "canceled"}, headers=headers).json()
    assert len(listed["items"]) == 1


def test_request_id_is_echoed_and_kept_in_audit(
    client: ApiClient, make_key: KeyMaker, jobs_db_url: str
) -> None:
    headers = {**auth(make_key()), "X-Request-ID": "trace-42.a"}
    created = client.post("/v1/jobs", json={"brief": "an ad"}, headers=headers)
    assert created.headers["x-request-id"] == "trace-42.a"
    bad_key = {**auth("aip_nope"), "X-Request-ID": "no spaces allowed"}
    bad = client.get("/v1/jobs", headers=bad_key)
    assert bad.status_code == 401
    assert len(bad.headers["x-request-id"]) == 32  # replaced by a fresh id, still echoed
    engine = make_engine(jobs_db_url)
    try:
        with make_session_factory(engine)() as session:
            created_rows = audit.recent(session, action="job.created")
            row = next(r for r in created_rows if r.target == created.json()["id"])
            assert row.request_id == "trace-42.a"
            failures = audit.recent(session, action="auth.failed")
            assert failures[0].request_id == bad.headers["x-request-id"]
    finally:
        engine.dispose()
