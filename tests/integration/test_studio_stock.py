# ruff: noqa: F811  (the planned fixture imported from test_studio_storyboard, then requested by name)
"""Stock photos in the storyboard's picture search, against the local Pexels-compatible
server of the stock contract test (tests/contract/visuals_server.py), on SQLite and
PostgreSQL: results are shown from the studio's own origin with their credit (the browser
never loads the vendor's address), picking one and saving sets the scene's picture through
the manifest API's service and records the credit, a tampered choice is explained."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_client import ApiClient, auth
from pydantic import SecretStr
from test_studio_storyboard import form_of, manifest, multipart, planned  # noqa: F401

from aiprod.config import Settings
from aiprod.providers.resilience import reset_breakers

sys.path.insert(0, str(Path(__file__).parents[1] / "contract"))
from visuals_server import PEXELS_KEY, VendorServer
from visuals_support import photo_jpeg

PHOTOS = [f"beans{n}.jpg" for n in range(3)]
CREDIT = "Photo by Jane Doe on Pexels"


@pytest.fixture
def vendor() -> Iterator[VendorServer]:
    reset_breakers()
    with VendorServer() as server:
        for n, name in enumerate(PHOTOS):
            server.add_file(name, photo_jpeg((120 + 40 * n, 90, 50), (96, 128)), "image/jpeg")
        server.photos = list(PHOTOS)
        yield server
    reset_breakers()


@pytest.fixture
def settings(settings: Settings, vendor: VendorServer) -> Settings:
    """The tests' settings with Pexels configured (at the local server) and nothing else."""
    return settings.model_copy(
        update={
            "pexels_api_key": SecretStr(PEXELS_KEY),
            "pexels_base_url": vendor.base_url,
            "stock_providers": ["pexels"],
            "visuals_timeout_s": 5.0,
        }
    )


def without_choices(fields: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The form as a browser sends it with no result picked (radios are not sent)."""
    return [(k, v) for k, v in fields if not k.startswith("stock-pick-")]


def test_a_stock_photo_is_searched_shown_from_our_origin_picked_and_credited(
    client: ApiClient, planned: tuple[str, str], settings: Settings, vendor: VendorServer
) -> None:
    key, job_id = planned
    spec, etag = manifest(client, key, job_id)
    spec["brief"] = {"text": "Fresh coffee beans, roasted daily."}  # as the real planner's
    headers = {**auth(key), "If-Match": etag}
    put = client.request("PUT", f"/v1/jobs/{job_id}/manifest", json=spec, headers=headers)
    assert put.status_code == 200, put.text
    page = client.get(f"/studio/jobs/{job_id}")
    assert "Search stock photos" in page.text and "Pexels" in page.text
    fields = [*form_of(page), ("stock-query-0", "  coffee   beans ")]
    found = multipart(client, job_id, fields, "stock-0", {})
    assert found.status_code == 200, found.text
    searches = vendor.requests_to("/v1/search")
    assert searches and searches[-1].query["query"] == ["coffee beans"]
    assert vendor.base_url not in found.text  # no vendor address reaches the browser
    assert found.headers["content-security-policy"].startswith(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
    )
    assert found.text.count('name="stock-pick-0"') == len(PHOTOS)
    assert found.text.count(CREDIT) == len(PHOTOS)
    redrawn = form_of(found)
    choices = [v for k, v in redrawn if k == "stock-pick-0"]
    assert all(choice.startswith("pexels:") for choice in choices)
    thumbnail = found.text.split('<img src="/studio/visuals/', 1)[1].split('"', 1)[0]
    shown = client.get(f"/studio/visuals/{thumbnail}")
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
    assert shown.headers["x-content-type-options"] == "nosniff"
    assert shown.content in {vendor.files[name].data for name in PHOTOS}

    picked = [*without_choices(redrawn), ("stock-pick-0", choices[1])]
    saved = multipart(client, job_id, picked, "save", {})
    assert saved.status_code == 303, saved.text
    spec, _ = manifest(client, key, job_id)
    path = Path(spec["scenes"][0]["illustration"]["path"])
    assert path.parent == (settings.cache_dir / "visuals" / "files").resolve()
    assert path.read_bytes() == vendor.files[PHOTOS[1]].data
    assert spec["scenes"][0]["illustration"]["icon"] is None
    credits = spec["brief"]["providers"]["visuals"]
    entry = next(e for e in credits if e["file"] == str(path))
    assert (entry["provider"], entry["id"], entry["attribution"]) == ("pexels", choices[1], CREDIT)
    assert entry["scene"] == 0

    again = client.get(f"/studio/jobs/{job_id}")
    assert f'<img class="picture" src="/studio/visuals/{path.name}"' in again.text
    assert f'<span class="picture-file">{CREDIT}</span>' in again.text


def test_a_search_without_words_or_results_and_a_tampered_choice_are_explained(
    client: ApiClient, planned: tuple[str, str], vendor: VendorServer
) -> None:
    key, job_id = planned
    fields = form_of(client.get(f"/studio/jobs/{job_id}"))
    empty = multipart(client, job_id, fields, "stock-0", {})
    assert empty.status_code == 200 and "Type a few words in the picture box" in empty.text
    vendor.photos = []
    nothing = multipart(client, job_id, [*fields, ("stock-query-0", "<b>tea</b>")], "stock-0", {})
    assert nothing.status_code == 200
    assert "No stock photo found for “&lt;b&gt;tea&lt;/b&gt;”." in nothing.text
    tampered = [*fields, ("stock-query-0", "tea"), ("stock-pick-0", "pexels:999")]
    refused = multipart(client, job_id, tampered, "save", {})
    assert refused.status_code == 422
    assert "stock photo: that photo is no longer offered: search again" in refused.text
    _, etag = manifest(client, key, job_id)
    assert etag == '"2"'  # nothing saved
    for name in ("../../etc/passwd", "0" * 32 + ".svg", "f" * 32 + ".jpg"):
        assert client.get(f"/studio/visuals/{name}").status_code == 404
