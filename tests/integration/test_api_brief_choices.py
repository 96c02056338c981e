"""``language``, ``voice`` and ``music_mood`` on POST /v1/jobs: kept in the job's request
for the planner, refused with named problems when impossible."""

from __future__ import annotations

from typing import Any

import pytest
from api_client import PROBLEM, ApiClient, KeyMaker, auth

from aiprod.db.engine import make_engine, make_session_factory
from aiprod.jobs.models import Job

BRIEF = "A 20-second ad for Bean There, organic coffee delivered weekly."


def stored_request(jobs_db_url: str, job_id: str) -> dict[str, Any]:
    engine = make_engine(jobs_db_url)
    try:
        with make_session_factory(engine)() as session:
            job = session.get(Job, job_id)
            assert job is not None and job.request is not None
            return dict(job.request)
    finally:
        engine.dispose()


def test_the_choices_reach_the_job_request(
    client: ApiClient, make_key: KeyMaker, jobs_db_url: str
) -> None:
    body = {"brief": BRIEF, "language": "fr-CA", "voice": "espeak:fr+f3", "music_mood": "calm"}
    accepted = client.post("/v1/jobs", json=body, headers=auth(make_key()))
    assert accepted.status_code == 202, accepted.text
    request = stored_request(jobs_db_url, accepted.json()["id"])
    assert {k: request[k] for k in ("language", "voice", "music_mood")} == {
        "language": "fr-CA",
        "voice": "espeak:fr+f3",
        "music_mood": "calm",
    }
    plain = client.post("/v1/jobs", json={"brief": BRIEF}, headers=auth(make_key("bob")))
    assert not {"language", "voice", "music_mood"} & set(
        stored_request(jobs_db_url, plain.json()["id"])
    )


@pytest.mark.parametrize(
    ("extra", "where"),
    [
        ({"language": "de"}, "language"),
        ({"language": "français"}, "language"),
        ({"language": "fr", "voice": "en_US-joe-medium"}, "voice"),
        ({"music_mood": "sleepy"}, "music_mood"),
    ],
)
def test_impossible_choices_are_problems(
    client: ApiClient, make_key: KeyMaker, extra: dict[str, str], where: str
) -> None:
    key = make_key()
    for path in ("/v1/jobs", "/v1/estimate"):
        refused = client.post(path, json={"brief": BRIEF, **extra}, headers=auth(key))
        assert refused.status_code == 422, (path, refused.text)
        assert refused.headers["content-type"].startswith(PROBLEM)
        paths = [e["path"] for e in refused.json()["errors"]]
        assert any(p.split(".")[-1] == where for p in paths), paths
    assert client.get("/v1/jobs", headers=auth(key)).json()["items"] == []


def test_a_spec_sets_its_own_language(client: ApiClient, make_key: KeyMaker) -> None:
    spec = {"scenes": [{"narration": "Bonjour."}], "language": "fr"}
    refused = client.post(
        "/v1/jobs", json={"spec": spec, "language": "fr"}, headers=auth(make_key())
    )
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"path": "language", "message": "'language' applies to a brief; a spec sets its own"}
    ]
