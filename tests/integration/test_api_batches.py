"""Batches over the API: all-or-nothing submission, idempotency, derived status."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from api_client import PROBLEM, ApiClient, KeyMaker, auth
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from aiprod.auth import audit
from aiprod.db.engine import make_engine, make_session_factory
from aiprod.jobs import store
from aiprod.jobs.models import Batch, Job

THREE = {
    "jobs": [
        {"brief": "An ad for Bean There coffee", "preset": "quick_social", "duration_s": 15.5},
        {"spec": {"scenes": [{"narration": "Meet Bean There."}]}},
        {"brief": "A square teaser for green tea", "review": True},
    ]
}


@pytest.fixture
def db(jobs_db_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(jobs_db_url)
    yield make_session_factory(engine)
    engine.dispose()


def _count(db: sessionmaker[Session], model: type[Job] | type[Batch], owner: str) -> int:
    with db() as session:
        query = select(func.count()).select_from(model).where(model.owner == owner)
        return int(session.scalar(query) or 0)


def _post(client: ApiClient, key: str, body: Any, **headers: str) -> Any:
    return client.post("/v1/batches", json=body, headers={**auth(key), **headers})


def test_batch_of_three_is_queued_together(
    client: ApiClient, make_key: KeyMaker, db: sessionmaker[Session]
) -> None:
    response = _post(client, make_key("carol"), THREE, **{"X-Request-ID": "req-batch-3"})
    assert response.status_code == 202, response.text
    batch = response.json()
    assert batch["status"] == "queued" and batch["size"] == 3
    assert batch["links"]["self"] == response.headers["location"] == f"/v1/batches/{batch['id']}"
    assert [job["status"] for job in batch["jobs"]] == ["queued"] * 3
    assert all(job["links"]["self"] == f"/v1/jobs/{job['id']}" for job in batch["jobs"])
    with db() as session:
        for job_ref, item in zip(batch["jobs"], THREE["jobs"], strict=True):
            job = session.get(Job, job_ref["id"])
            assert job is not None and job.batch_id == batch["id"] and job.owner == "carol"
            assert job.kind == ("spec" if "spec" in item else "brief")
            assert job.review is bool(item.get("review"))
            assert job.cost_estimate is not None and job.cost_estimate["total"] > 0
            history = store.job_events(session, job_id=job.id)
            assert [(e.from_status, e.to_status) for e in history] == [(None, "queued")]
        rows = [a for a in audit.recent(session, action="batch.created") if a.target == batch["id"]]
        assert len(rows) == 1 and rows[0].request_id == "req-batch-3"
        assert rows[0].actor == "carol" and rows[0].detail is not None
        assert rows[0].detail["jobs"] == [job["id"] for job in batch["jobs"]]


def test_size_limits_are_422(
    client: ApiClient, make_key: KeyMaker, db: sessionmaker[Session]
) -> None:
    key = make_key("dave")
    for body in ({"jobs": [{"brief": f"ad {i}"} for i in range(101)]}, {"jobs": []}, {}):
        response = _post(client, key, body)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["errors"][0]["path"] == "body.jobs"
    assert (
        _post(client, key, {"jobs": [{"brief": f"ad {i}"} for i in range(100)]}).status_code == 202
    )
    assert _count(db, Job, "dave") == 100


def test_one_bad_item_refuses_the_whole_batch(
    client: ApiClient, make_key: KeyMaker, db: sessionmaker[Session]
) -> None:
    key = make_key("erin")
    items: list[dict[str, Any]] = [{"brief": f"good ad {i}"} for i in range(5)]
    items[3] = {"brief": "   "}
    response = _post(client, key, {"jobs": items})
    assert response.status_code == 422, response.text
    assert [e["path"] for e in response.json()["errors"]] == ["jobs.3"]
    items[1] = {"spec": {"scenes": [{"narration": ""}]}, "extra": 1}
    items[4] = {"brief": "fine", "preset": "nope"}
    paths = [e["path"] for e in _post(client, key, {"jobs": items}).json()["errors"]]
    assert paths == ["jobs.1.extra", "jobs.3", "jobs.4.preset"]
    items[1] = {"spec": {"scenes": [{"narration": ""}]}}
    paths = [e["path"] for e in _post(client, key, {"jobs": items}).json()["errors"]]
    assert paths[0].startswith("jobs.1.spec.scenes.0") and paths[1:] == ["jobs.3", "jobs.4.preset"]
    assert _count(db, Job, "erin") == 0
    assert _count(db, Batch, "erin") == 0


def test_idempotent_replay(
    client: ApiClient, make_key: KeyMaker, db: sessionmaker[Session]
) -> None:
    key = make_key("frank")
    first = _post(client, key, THREE, **{"Idempotency-Key": "nightly-1"})
    assert first.status_code == 202
    again = _post(client, key, THREE, **{"Idempotency-Key": "nightly-1"})
    assert again.status_code == 200, again.text
    assert again.json() == first.json()
    swapped = {"jobs": THREE["jobs"][::-1]}
    conflict = _post(client, key, swapped, **{"Idempotency-Key": "nightly-1"})
    assert conflict.status_code == 409
    assert conflict.headers["content-type"] == PROBLEM
    other_owner = _post(client, make_key("gina"), THREE, **{"Idempotency-Key": "nightly-1"})
    assert other_owner.status_code == 202
    assert other_owner.json()["id"] != first.json()["id"]
    assert _post(client, key, THREE).status_code == 202  # no key: a new batch
    assert _count(db, Job, "frank") == 6
    assert _count(db, Batch, "frank") == 2


def _set_statuses(db: sessionmaker[Session], job_ids: list[str], statuses: list[str]) -> None:
    with db() as session:
        for job_id, status in zip(job_ids, statuses, strict=True):
            progress = {"succeeded": 1.0, "rendering": 0.5}.get(status, 0.0)
            values = {"status": status, "progress": progress}
            session.execute(update(Job).where(Job.id == job_id).values(**values))
        session.commit()


@pytest.mark.parametrize(
    ("statuses", "expected", "progress"),
    [
        (["queued", "queued", "queued"], "queued", 0.0),
        (["rendering", "queued", "queued"], "running", 0.1667),
        (["succeeded", "queued", "failed"], "running", 0.6667),
        (["succeeded", "awaiting_review", "succeeded"], "awaiting_review", 0.6667),
        (["planning", "awaiting_review", "succeeded"], "running", 0.3333),
        (["succeeded", "succeeded", "succeeded"], "succeeded", 1.0),
        (["succeeded", "dead", "canceled"], "failed", 1.0),
        (["failed", "failed", "failed"], "failed", 1.0),
        (["succeeded", "canceled", "succeeded"], "canceled", 1.0),
        (["canceled", "canceled", "canceled"], "canceled", 1.0),
    ],
)
def test_batch_status_follows_its_jobs(
    client: ApiClient,
    make_key: KeyMaker,
    db: sessionmaker[Session],
    statuses: list[str],
    expected: str,
    progress: float,
) -> None:
    key = make_key("hana")
    batch = _post(client, key, THREE).json()
    job_ids = [job["id"] for job in batch["jobs"]]
    _set_statuses(db, job_ids, statuses)
    view = client.get(batch["links"]["self"], headers=auth(key))
    assert view.status_code == 200, view.text
    found = view.json()
    assert found["status"] == expected
    assert found["progress"] == progress
    assert found["size"] == 3 and found["created_at"]
    assert [job["id"] for job in found["jobs"]] == job_ids  # submission order
    assert [job["status"] for job in found["jobs"]] == statuses
    assert sum(found["counts"].values()) == 3
    for status in set(statuses):
        assert found["counts"][status] == statuses.count(status)


def test_canceling_through_the_api_updates_the_batch(client: ApiClient, make_key: KeyMaker) -> None:
    key = make_key("ivan")
    batch = _post(client, key, THREE).json()
    for job in batch["jobs"]:
        assert client.post(f"{job['links']['self']}/cancel", headers=auth(key)).status_code == 200
    found = client.get(batch["links"]["self"], headers=auth(key)).json()
    assert found["status"] == "canceled"
    assert found["counts"]["canceled"] == 3 and found["counts"]["queued"] == 0


def test_other_owners_get_404_admin_sees(client: ApiClient, make_key: KeyMaker) -> None:
    batch = _post(client, make_key("judy"), THREE).json()
    stranger = client.get(batch["links"]["self"], headers=auth(make_key("mallory")))
    assert stranger.status_code == 404
    assert stranger.headers["content-type"] == PROBLEM
    missing = client.get("/v1/batches/" + "0" * 32, headers=auth(make_key("judy")))
    assert missing.status_code == 404
    admin = client.get(batch["links"]["self"], headers=auth(make_key("root", scopes=("admin",))))
    assert admin.status_code == 200 and admin.json()["id"] == batch["id"]
    reader = make_key("judy", scopes=("jobs:read",))
    assert _post(client, reader, THREE).status_code == 403
    assert client.get(batch["links"]["self"], headers=auth(reader)).status_code == 200
