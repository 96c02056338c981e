"""``/v1/brand-kits`` on SQLite and PostgreSQL: owned like jobs (another owner's kit is a
404), checked by the spec's own brand model, a logo from the owner's uploads, applied to
the jobs that name it, and the planner reading it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from api_client import PROBLEM, ApiClient, KeyMaker, auth
from PIL import Image

from aiprod.config import Settings
from aiprod.jobs.runner import spec_from_request

KIT: dict[str, Any] = {
    "name": "Bean There",
    "colors": {"primary": "#3b2314", "secondary": "#A0522D", "accent": "#FFD400"},
    "font": "DejaVu Sans",
    "tagline": "Fresh beans, every week",
    "call_to_action": "Order at beanthere.example",
    "url": "beanthere.example",
    "glossary": {"AIPROD": "ay prod"},
}


def upload_logo(client: ApiClient, key: str) -> str:
    picture = io.BytesIO()
    Image.new("RGBA", (64, 32), (200, 80, 20, 255)).save(picture, format="PNG")
    files = {"file": ("logo.png", picture.getvalue(), "image/png")}
    stored = client.post("/v1/uploads", files=files, headers=auth(key))
    assert stored.status_code == 201, stored.text
    return str(stored.json()["path"])


def create(client: ApiClient, key: str, **fields: Any) -> dict[str, Any]:
    made = client.post("/v1/brand-kits", json={**KIT, **fields}, headers=auth(key))
    assert made.status_code == 201, made.text
    body: dict[str, Any] = made.json()
    assert made.headers["location"] == f"/v1/brand-kits/{body['id']}"
    return body


def test_create_read_list_replace_and_delete(client: ApiClient, make_key: KeyMaker) -> None:
    key = make_key("alice")
    logo = upload_logo(client, key)
    kit = create(client, key, logo=logo)
    assert kit["version"] == 1 and kit["name"] == "Bean There"
    assert kit["colors"]["primary"] == "#3B2314"  # as the spec's model writes colours
    assert kit["colors"]["text"] == "#FFFFFF"  # the spec's default
    assert kit["logo"] == logo and kit["glossary"] == {"AIPROD": "ay prod"}
    url = f"/v1/brand-kits/{kit['id']}"
    assert client.get(url, headers=auth(key)).json() == kit
    other = create(client, key, name="Another brand")
    listed = client.get("/v1/brand-kits", headers=auth(key)).json()["items"]
    assert [k["name"] for k in listed] == ["Another brand", "Bean There"]
    replaced = client.request(
        "PUT", url, json={**KIT, "tagline": "Roasted to order", "glossary": {}}, headers=auth(key)
    )
    assert replaced.status_code == 200, replaced.text
    body = replaced.json()
    assert body["version"] == 2 and body["tagline"] == "Roasted to order"
    assert body["logo"] is None and body["glossary"] == {}
    assert client.request("DELETE", url, headers=auth(key)).status_code == 204
    gone = client.get(url, headers=auth(key))
    assert gone.status_code == 404 and gone.headers["content-type"] == PROBLEM
    assert [k["id"] for k in client.get("/v1/brand-kits", headers=auth(key)).json()["items"]] == [
        other["id"]
    ]


def test_another_owners_kit_is_a_404(client: ApiClient, make_key: KeyMaker) -> None:
    alice, bob = make_key("alice"), make_key("bob")
    kit = create(client, alice)
    url = f"/v1/brand-kits/{kit['id']}"
    for method, body in (("GET", None), ("PUT", KIT), ("DELETE", None)):
        refused = client.request(method, url, json=body, headers=auth(bob))
        assert refused.status_code == 404, method
        assert refused.headers["content-type"] == PROBLEM
        assert "Bean There" not in refused.text
    assert client.get("/v1/brand-kits", headers=auth(bob)).json()["items"] == []
    job = client.post(
        "/v1/jobs", json={"brief": "A coffee ad", "brand_kit": kit["id"]}, headers=auth(bob)
    )
    assert job.status_code == 422 and "no brand kit" in job.text  # as if it did not exist
    assert client.get(url, headers=auth(alice)).json()["version"] == 1  # untouched


def test_invalid_kits_are_explained(
    client: ApiClient, make_key: KeyMaker, tmp_path: Path, settings: Settings
) -> None:
    key = make_key("alice")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"colors": {"primary": "brown"}}, "is not a colour"),
        ({"name": ""}, "name"),
        ({"logo": "/etc/passwd"}, "must be one of your uploads"),
        ({"logo": "missing.png"}, "file not found: missing.png"),
        ({"glossary": {"AIPROD": ""}}, "glossary"),
        ({"shape": "round"}, "shape"),
    ]
    for fields, message in cases:
        refused = client.post("/v1/brand-kits", json={**KIT, **fields}, headers=auth(key))
        assert refused.status_code == 422, fields
        assert refused.headers["content-type"] == PROBLEM
        assert message in refused.text, (fields, refused.text)
        assert str(settings.data_dir) not in refused.text  # never a server path
    assert client.get("/v1/brand-kits", headers=auth(key)).json()["items"] == []
    read_only = make_key("alice", scopes=("jobs:read",))
    assert client.post("/v1/brand-kits", json=KIT, headers=auth(read_only)).status_code == 403
    assert client.get("/v1/brand-kits").status_code == 401


def test_a_job_takes_a_copy_of_its_kit(
    client: ApiClient, make_key: KeyMaker, settings: Settings
) -> None:
    key = make_key("alice")
    kit = create(client, key, logo=upload_logo(client, key))
    spec = {"scenes": [{"narration": "AIPROD makes videos."}], "glossary": {"videos": "vids"}}
    made = client.post("/v1/jobs", json={"spec": spec, "brand_kit": kit["id"]}, headers=auth(key))
    assert made.status_code == 202, made.text
    exported = client.get(f"/v1/jobs/{made.json()['id']}/manifest", headers=auth(key)).json()
    assert exported["brand"]["name"] == "Bean There"
    assert exported["brand"]["logo"] == kit["logo"]
    assert exported["glossary"] == {"AIPROD": "ay prod", "videos": "vids"}
    brief = client.post(
        "/v1/jobs",
        json={"brief": "A 15-second ad for our coffee subscription", "brand_kit": kit["id"]},
        headers=auth(key),
    )
    assert brief.status_code == 202, brief.text
    client.request(
        "DELETE", f"/v1/brand-kits/{kit['id']}", headers=auth(key)
    )  # the job keeps its copy
    batch = client.post(
        "/v1/batches", json={"jobs": [{"brief": "x", "brand_kit": kit["id"]}]}, headers=auth(key)
    )
    assert batch.status_code == 422 and "single jobs" in batch.text


def test_the_planner_reads_the_kit_of_a_brief_job(settings: Settings, tmp_path: Path) -> None:
    """What the worker plans from a brief job's request with a kit: the kit's colours,
    name and tagline in the plan, its glossary in the spec."""
    kit = {"id": "k1", "brand": {**KIT, "glossary": None}, "glossary": {"AIPROD": "ay prod"}}
    kit["brand"].pop("glossary")
    kit["brand"]["colors"] = {"primary": "#3B2314", "secondary": "#A0522D"}
    request = {"brief": "A 15-second ad for our coffee subscription", "brand_kit": kit}
    spec, _ = spec_from_request(request, settings)
    assert spec.brand.name == "Bean There" and spec.brand.colors.primary == "#3B2314"
    assert spec.glossary.get("AIPROD") == "ay prod"
    assert "Fresh beans, every week" in spec.scenes[-1].narration
