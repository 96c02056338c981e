"""Small conformance points of the HTTP API: RFC 6750 challenges, problem types, ``Allow``,
strict numbers."""

from __future__ import annotations

import pytest
from api_client import PROBLEM, ApiClient, KeyMaker, auth

INVALID_TOKEN = 'Bearer error="invalid_token"'


def test_no_key_is_a_bare_challenge_and_a_bad_key_is_invalid_token(client: ApiClient) -> None:
    assert client.get("/v1/jobs").headers["www-authenticate"] == "Bearer"
    for key in ("aip_nope", "aip_ABCDEFGH_" + "x" * 32, "not-even-a-key"):
        response = client.get("/v1/jobs", headers=auth(key))
        assert response.status_code == 401 and response.headers["content-type"] == PROBLEM
        assert response.headers["www-authenticate"] == INVALID_TOKEN, key  # RFC 6750 §3.1


def test_a_garbage_cursor_has_its_own_problem_type(client: ApiClient, make_key: KeyMaker) -> None:
    for cursor in ("garbage", "bm90fGEgY3Vyc29y", "x" * 40):
        response = client.get("/v1/jobs", params={"cursor": cursor}, headers=auth(make_key()))
        assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
        problem = response.json()
        assert problem["type"] == "urn:aiprod:problem:invalid-cursor", cursor
        assert [e["path"] for e in problem["errors"]] == ["cursor"]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/v1/jobs", {"GET", "POST"}),
        ("PATCH", "/v1/jobs/0123/manifest", {"GET", "PUT"}),
        ("POST", "/v1/webhooks/0123", {"GET", "DELETE"}),
        ("DELETE", "/health", {"GET"}),
    ],
)
def test_405_lists_every_method_of_the_path(
    client: ApiClient, method: str, path: str, allowed: set[str]
) -> None:
    response = client.request(method, path)
    assert response.status_code == 405 and response.headers["content-type"] == PROBLEM
    listed = {m.strip() for m in response.headers["allow"].split(",")}
    assert listed - {"HEAD"} == allowed


def test_a_boolean_is_not_a_number(client: ApiClient, make_key: KeyMaker) -> None:
    headers = auth(make_key())
    hook = client.post("/v1/webhooks", json={"url": "https://hooks.example.com/x"}, headers=headers)
    rotate = f"/v1/webhooks/{hook.json()['id']}/rotate"
    for grace in (False, True):
        refused = client.post(rotate, json={"grace_s": grace}, headers=headers)
        assert refused.status_code == 422, (grace, refused.text)
        assert refused.json()["errors"][0]["path"].endswith("grace_s")
    assert client.post(rotate, json={"grace_s": 0}, headers=headers).status_code == 200
    job = client.post("/v1/jobs", json={"brief": "an ad", "duration_s": True}, headers=headers)
    assert job.status_code == 422 and job.json()["errors"][0]["path"].endswith("duration_s")
    fine = client.post("/v1/jobs", json={"brief": "an ad", "duration_s": 20}, headers=headers)
    assert fine.status_code == 202, fine.text
