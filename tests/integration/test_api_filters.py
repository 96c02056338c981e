"""Filters and text search on GET /v1/jobs, and the CSV export, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from api_client import PROBLEM, ApiClient, KeyMaker, auth
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from aiprod.auth import Principal
from aiprod.db.engine import make_engine, make_session_factory
from aiprod.jobs import csv_export as job_csv
from aiprod.jobs.filters import JobFilter
from aiprod.jobs.models import Job

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def db(jobs_db_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(jobs_db_url)
    yield make_session_factory(engine)
    engine.dispose()


def _submit(client: ApiClient, key: str, **body: Any) -> str:
    response = client.post("/v1/jobs", json=body, headers=auth(key))
    assert response.status_code == 202, response.text
    job_id: str = response.json()["id"]
    return job_id


def _set(db: sessionmaker[Session], job_id: str, **values: Any) -> None:
    with db() as session:
        session.execute(update(Job).where(Job.id == job_id).values(**values))
        session.commit()


def _ids(client: ApiClient, key: str, params: Any) -> list[str]:
    response = client.get("/v1/jobs", params=params, headers=auth(key))
    assert response.status_code == 200, response.text
    assert response.json()["next_cursor"] is None
    return [item["id"] for item in response.json()["items"]]


@pytest.fixture
def fleet(client: ApiClient, make_key: KeyMaker, db: sessionmaker[Session]) -> dict[str, Any]:
    """Six of alice's jobs an hour apart (newest last), plus one of bob's."""
    key = make_key("alice")
    rows = [
        ("Organic COFFEE beans, 50% off", "quick_social", "queued"),
        ("Fresh coffee delivered", "brand_campaign", "failed"),
        ("Tea for two: 500 off", "quick_social", "succeeded"),
        ("snake_case coffee mugs", "square_social", "failed"),
        ("Backslash C:\\beans\\coffee", "quick_social", "rendering"),
        ("Green tea, slash/price", "brand_campaign", "queued"),
    ]
    ids = []
    for hour, (brief, preset, status) in enumerate(rows):
        job_id = _submit(client, key, brief=brief, preset=preset)
        _set(db, job_id, status=status, created_at=T0 + timedelta(hours=hour))
        ids.append(job_id)
    bob = make_key("bob")
    bobs = _submit(client, bob, brief="Bob's coffee, 50% off", preset="quick_social")
    return {"key": key, "ids": ids, "bob": bob, "bobs": bobs}


def test_status_filter_is_repeatable(client: ApiClient, fleet: dict[str, Any]) -> None:
    key, ids = fleet["key"], fleet["ids"]
    assert _ids(client, key, {"status": "failed"}) == [ids[3], ids[1]]
    both = _ids(client, key, [("status", "queued"), ("status", "failed")])
    assert both == [ids[5], ids[3], ids[1], ids[0]]
    assert _ids(client, key, {"status": "dead"}) == []


def test_preset_time_and_combined_filters(client: ApiClient, fleet: dict[str, Any]) -> None:
    key, ids = fleet["key"], fleet["ids"]
    assert _ids(client, key, {"preset": "quick_social"}) == [ids[4], ids[2], ids[0]]
    window = {"created_after": "2026-11-01T13:00:00Z", "created_before": "2026-11-01T15:00:00Z"}
    assert _ids(client, key, window) == [ids[2], ids[1]]  # after: inclusive, before: exclusive
    zoned = {"created_after": "2026-11-01T15:00:00+02:00"}  # 13:00 UTC
    assert _ids(client, key, zoned) == [ids[5], ids[4], ids[3], ids[2], ids[1]]
    combined = [("status", "failed"), ("status", "succeeded"), ("preset", "quick_social")]
    assert _ids(client, key, [*combined, ("q", "tea")]) == [ids[2]]
    assert _ids(client, key, [*combined, ("q", "coffee")]) == []


def test_text_search_is_literal_and_case_insensitive(
    client: ApiClient, fleet: dict[str, Any]
) -> None:
    key, ids = fleet["key"], fleet["ids"]
    assert _ids(client, key, {"q": "CoFfEe"}) == [ids[4], ids[3], ids[1], ids[0]]
    assert _ids(client, key, {"q": "50%"}) == [ids[0]]  # not "500 off"
    assert _ids(client, key, {"q": "%"}) == [ids[0]]
    assert _ids(client, key, {"q": "_"}) == [ids[3]]  # not any single character
    assert _ids(client, key, {"q": "e_c"}) == [ids[3]]  # "snake_case", not "e c"
    assert _ids(client, key, {"q": "\\"}) == [ids[4]]
    assert _ids(client, key, {"q": "c:\\beans"}) == [ids[4]]
    assert _ids(client, key, {"q": "/"}) == [ids[5]]
    assert _ids(client, key, {"q": "%coffee%"}) == []


def test_spec_jobs_are_found_by_their_narration(client: ApiClient, make_key: KeyMaker) -> None:
    key = make_key()
    spec = {"scenes": [{"narration": "Meet Bean There."}, {"narration": "Order TODAY."}]}
    job_id = _submit(client, key, spec=spec)
    _submit(client, key, brief="something else")
    assert _ids(client, key, {"q": "there. order today"}) == [job_id]


def test_other_owners_jobs_stay_hidden(
    client: ApiClient, fleet: dict[str, Any], make_key: KeyMaker
) -> None:
    assert _ids(client, fleet["bob"], {"q": "50%"}) == [fleet["bobs"]]
    assert fleet["bobs"] not in _ids(client, fleet["key"], {"q": "coffee"})
    admin = make_key("root", scopes=("admin",))
    assert _ids(client, admin, {"q": "50%"}) == [fleet["bobs"], fleet["ids"][0]]


def test_pagination_across_filtered_pages(
    client: ApiClient, make_key: KeyMaker, db: sessionmaker[Session]
) -> None:
    key = make_key()
    wanted = []
    for i in range(12):
        job_id = _submit(client, key, brief=f"{'coffee' if i % 3 else 'tea'} number {i}")
        _set(db, job_id, created_at=T0 + timedelta(minutes=i % 4))  # ties on created_at
        if i % 3:
            wanted.append(job_id)
    seen: list[str] = []
    pages = 0
    params: dict[str, Any] = {"q": "coffee", "limit": 3}
    while True:
        body = client.get("/v1/jobs", params=params, headers=auth(key)).json()
        assert len(body["items"]) <= 3
        seen += [item["id"] for item in body["items"]]
        pages += 1
        if body["next_cursor"] is None:
            break
        params["cursor"] = body["next_cursor"]  # the same filters, again
    assert pages == 3
    assert sorted(seen) == sorted(wanted) and len(seen) == len(set(seen)) == 8
    with db() as session:
        order = {j.id: (j.created_at, j.id) for j in session.query(Job).filter(Job.id.in_(seen))}
    assert seen == sorted(seen, key=lambda job_id: order[job_id], reverse=True)


def test_invalid_filters_are_one_422_listing_each(client: ApiClient, make_key: KeyMaker) -> None:
    params = [
        ("status", "queued"),
        ("status", "napping"),
        ("created_after", "2026-11-01T12:00:00"),  # naive: refused
        ("created_before", "yesterday"),
        ("q", ""),
        ("limit", "0"),
    ]
    key = make_key()
    for url in ("/v1/jobs", "/v1/exports/jobs.csv"):
        response = client.get(url, params=params, headers=auth(key))
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == PROBLEM
        paths = {item["path"] for item in response.json()["errors"]}
        expected = {"query.status.1", "query.created_after", "query.created_before", "query.q"}
        assert expected <= paths, paths
    for instant in ("yesterday", "1700000000", "-624", "2026-11-01"):  # only ISO-8601 with a zone
        response = client.get("/v1/jobs", params={"created_after": instant}, headers=auth(key))
        assert response.status_code == 422, instant


def test_batch_filter(client: ApiClient, make_key: KeyMaker) -> None:
    key = make_key()
    lone = _submit(client, key, brief="a lone coffee ad")
    batch = client.post(
        "/v1/batches",
        json={"jobs": [{"brief": "coffee one"}, {"brief": "coffee two"}]},
        headers=auth(key),
    ).json()
    batch_ids = {job["id"] for job in batch["jobs"]}
    assert set(_ids(client, key, {"batch_id": batch["id"]})) == batch_ids
    assert lone in _ids(client, key, {"q": "coffee"})
    assert _ids(client, key, {"batch_id": "0" * 32}) == []


def _csv(client: ApiClient, key: str, params: Any = None) -> list[dict[str, str]]:
    response = client.get("/v1/exports/jobs.csv", params=params, headers=auth(key))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == 'attachment; filename="jobs.csv"'
    reader = csv.DictReader(io.StringIO(response.text, newline=""))
    assert tuple(reader.fieldnames or ()) == job_csv.COLUMNS
    rows = list(reader)
    assert response.headers["x-total-count"] == str(len(rows))
    return rows


def test_csv_export_rows_and_filters(
    client: ApiClient, fleet: dict[str, Any], db: sessionmaker[Session]
) -> None:
    key, ids = fleet["key"], fleet["ids"]
    error = {"stage": "compose", "code": "ffmpeg_failed", "message": "x264: out of memory"}
    _set(db, ids[1], error=error, attempts=2, cost_actual={"total": 0.25, "currency": "USD"})
    rows = _csv(client, key)
    assert [row["id"] for row in rows] == ids[::-1]
    failed = rows[-2]
    assert failed["status"] == "failed" and failed["kind"] == "brief"
    assert failed["preset"] == "brand_campaign" and failed["attempts"] == "2"
    assert failed["created_at"] == (T0 + timedelta(hours=1)).isoformat()
    assert (failed["error_stage"], failed["error_code"]) == ("compose", "ffmpeg_failed")
    assert failed["error_message"] == "x264: out of memory"
    assert float(failed["estimate_total"]) > 0 and failed["actual_total"] == "0.25"
    assert failed["currency"] == "USD" and failed["batch_id"] == ""
    assert failed["brief"] == "Fresh coffee delivered"  # as written, not lower-cased
    assert rows[-1]["brief"] == "Organic COFFEE beans, 50% off"
    assert [r["id"] for r in _csv(client, key, {"status": "failed"})] == [ids[3], ids[1]]
    assert [r["id"] for r in _csv(client, key, {"q": "50%"})] == [ids[0]]


def test_csv_export_guards_against_formulas(client: ApiClient, make_key: KeyMaker) -> None:
    key = make_key()
    briefs = ['=HYPERLINK("http://evil")', "+1+2", "-2+3", "@SUM(A1)", "\t=1", "plain", "x" * 300]
    for brief in briefs:
        _submit(client, key, brief=brief)
    exported = [row["brief"] for row in _csv(client, key)][::-1]
    assert exported[:5] == ["'" + brief for brief in briefs[:5]]
    assert exported[5:] == ["plain", "x" * 200]
    assert job_csv.safe_cell("\rcmd") == "'\rcmd"
    assert job_csv.safe_cell("a=b") == "a=b"
    assert job_csv.safe_cell(None) == ""


def test_csv_export_is_owner_only_admin_sees_all(
    client: ApiClient, fleet: dict[str, Any], make_key: KeyMaker
) -> None:
    mine = {row["id"] for row in _csv(client, fleet["key"])}
    assert mine == set(fleet["ids"])
    assert {row["id"] for row in _csv(client, fleet["bob"])} == {fleet["bobs"]}
    admin = make_key("root", scopes=("admin",))
    assert {row["id"] for row in _csv(client, admin)} == {*fleet["ids"], fleet["bobs"]}
    assert client.get("/v1/exports/jobs.csv").status_code == 401
    writer_only = make_key("alice", scopes=("jobs:write",))
    assert client.get("/v1/exports/jobs.csv", headers=auth(writer_only)).status_code == 403


def test_csv_pages_stop_at_the_row_cap(
    fleet: dict[str, Any], db: sessionmaker[Session], client: ApiClient
) -> None:
    alice = Principal(owner="alice", key_id="k", scopes=frozenset({"jobs:read"}))
    pages = list(
        job_csv.job_pages(db, principal=alice, job_filter=JobFilter(), page_size=2, max_rows=5)
    )
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [row[0] for page in pages for row in page] == fleet["ids"][::-1][:5]
    everything = job_csv.job_pages(db, principal=alice, job_filter=JobFilter(), page_size=4)
    assert [len(page) for page in everything] == [4, 2]
    text = "".join(job_csv.csv_text(iter([])))
    assert text == ",".join(job_csv.COLUMNS) + "\r\n"
