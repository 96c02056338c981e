"""The studio's brand kit pages over the real app, on SQLite and PostgreSQL: create with a
logo (the upload service), edit, delete, problems explained, user text as text, another
owner's kit a 404 page, and the new-video form applying a kit to the job."""

from __future__ import annotations

import io
import re

import httpx
from api_client import ApiClient, KeyMaker, auth
from PIL import Image
from sqlalchemy.orm import Session
from test_studio import assert_safe_page, csrf_of, new_video_form, sign_in

from aiprod.db.engine import make_engine
from aiprod.jobs.models import Job

HOSTILE_NAME = "Bean <img src=x onerror=alert(1)> There"
FIELDS = {
    "name": HOSTILE_NAME,
    "color_primary": "#3b2314",
    "color_secondary": "#a0522d",
    "color_accent": "#ffd400",
    "color_text": "#ffffff",
    "font": "DejaVu Sans",
    "logo_position": "bottom-left",
    "tagline": "Fresh beans, every week",
    "call_to_action": "Order today",
    "url": "beanthere.example",
    "glossary": "AIPROD = ay prod\n\nBean = been\n",
}
KIT_LINK = re.compile(r'href="/studio/brand-kits/([0-9a-f]{32})"')


def png() -> bytes:
    picture = io.BytesIO()
    Image.new("RGB", (48, 24), (200, 80, 20)).save(picture, format="PNG")
    return picture.getvalue()


def save_kit(
    client: ApiClient, path: str = "/studio/brand-kits", logo: bytes | None = None, **fields: str
) -> httpx.Response:
    csrf = csrf_of(client.get("/studio/brand-kits/new"))
    files = {"logo": ("logo.png", logo, "image/png")} if logo is not None else None
    data = {"csrf": csrf, **FIELDS, **fields}
    if files is None:  # a form without a file still goes as multipart, as browsers send it
        files = {"logo": ("", b"", "application/octet-stream")}
    return client.post(path, data=data, files=files)


def kit_ids(client: ApiClient) -> list[str]:
    return KIT_LINK.findall(client.get("/studio/brand-kits").text)


def test_make_edit_and_delete_a_kit(client: ApiClient, make_key: KeyMaker) -> None:
    key = make_key("alice")
    sign_in(client, key)
    empty = client.get("/studio/brand-kits")
    assert empty.status_code == 200 and "No brand kits yet" in empty.text
    assert_safe_page(client.get("/studio/brand-kits/new"))
    made = save_kit(client, logo=png())
    assert made.status_code == 303, made.text
    listing = client.get("/studio/brand-kits")
    assert_safe_page(listing)
    assert "Bean &lt;img src=x onerror=alert(1)&gt; There" in listing.text
    assert "2 pronunciations" in listing.text and "· logo ·" in listing.text
    [kit_id] = kit_ids(client)
    stored = client.get(f"/v1/brand-kits/{kit_id}", headers=auth(key)).json()
    assert stored["name"] == HOSTILE_NAME and stored["colors"]["primary"] == "#3B2314"
    assert stored["glossary"] == {"AIPROD": "ay prod", "Bean": "been"}
    assert stored["logo_position"] == "bottom-left" and stored["logo"].endswith(".png")
    page = client.get(f"/studio/brand-kits/{kit_id}")
    assert_safe_page(page)
    assert 'value="#3b2314"' in page.text and "AIPROD = ay prod" in page.text
    assert "This kit has a logo" in page.text
    edited = save_kit(client, f"/studio/brand-kits/{kit_id}", tagline="Roasted to order")
    assert edited.status_code == 303, edited.text
    again = client.get(f"/v1/brand-kits/{kit_id}", headers=auth(key)).json()
    assert again["tagline"] == "Roasted to order" and again["version"] == 2
    assert again["logo"] == stored["logo"]  # no new file: the logo stays
    removed = save_kit(client, f"/studio/brand-kits/{kit_id}", remove_logo="on")
    assert removed.status_code == 303
    assert client.get(f"/v1/brand-kits/{kit_id}", headers=auth(key)).json()["logo"] is None
    deleted = client.post(f"/studio/brand-kits/{kit_id}/delete", data={"csrf": csrf_of(page)})
    assert deleted.status_code == 303 and kit_ids(client) == []


def test_problems_are_explained_and_the_form_kept(client: ApiClient, make_key: KeyMaker) -> None:
    sign_in(client, make_key("alice"))
    colour = save_kit(client, color_primary="brown")
    assert colour.status_code == 422 and "is not a colour" in colour.text
    assert "Primary colour" in colour.text
    assert_safe_page(colour)
    assert "Bean &lt;img src=x onerror=alert(1)&gt; There" in colour.text  # kept, as text
    glossary = save_kit(client, glossary="AIPROD ay prod")
    assert glossary.status_code == 422 and "line 1: write" in glossary.text
    nameless = save_kit(client, name="  ")
    assert nameless.status_code == 422 and "give the kit a name" in nameless.text
    not_a_picture = save_kit(client, logo=b"just some text, not a picture")
    assert not_a_picture.status_code == 422 and "Logo" in not_a_picture.text
    assert kit_ids(client) == []
    no_token = client.post("/studio/brand-kits", data=FIELDS, files={"logo": ("", b"")})
    assert no_token.status_code == 403 and kit_ids(client) == []


def test_another_users_kit_is_a_404(client: ApiClient, make_key: KeyMaker) -> None:
    sign_in(client, make_key("alice"))
    save_kit(client)
    [kit_id] = kit_ids(client)
    sign_in(client, make_key("bob"))
    assert kit_ids(client) == []
    page = client.get(f"/studio/brand-kits/{kit_id}")
    assert page.status_code == 404 and "Bean" not in page.text
    assert save_kit(client, f"/studio/brand-kits/{kit_id}", name="Mine").status_code == 404
    csrf = csrf_of(client.get("/studio"))
    deleted = client.post(f"/studio/brand-kits/{kit_id}/delete", data={"csrf": csrf})
    assert deleted.status_code == 404
    csrf, submission = new_video_form(client)
    data = {"csrf": csrf, "submission": submission, "brief": "A coffee ad", "brand_kit": kit_id}
    refused = client.post("/studio/jobs", data=data)
    assert refused.status_code == 422 and "no brand kit" in refused.text
    sign_in(client, make_key("alice"))
    assert kit_ids(client) == [kit_id]


def test_a_new_video_takes_the_chosen_kit(
    client: ApiClient, make_key: KeyMaker, jobs_db_url: str
) -> None:
    sign_in(client, make_key("alice"))
    save_kit(client, name="Bean There")
    [kit_id] = kit_ids(client)
    form = client.get("/studio")
    assert f'<option value="{kit_id}">Bean There</option>' in form.text
    csrf, submission = new_video_form(client)
    data = {"csrf": csrf, "submission": submission, "brief": "A coffee ad", "brand_kit": kit_id}
    created = client.post("/studio/jobs", data=data)
    assert created.status_code == 303, created.text
    job_id = created.headers["location"].rsplit("/", 1)[-1]
    engine = make_engine(jobs_db_url)
    try:
        with Session(engine) as session:
            job = session.get(Job, job_id)
            assert job is not None
            kit = job.request["brand_kit"]
    finally:
        engine.dispose()
    assert kit["id"] == kit_id and kit["brand"]["name"] == "Bean There"
    assert kit["glossary"] == {"AIPROD": "ay prod", "Bean": "been"}
    duplicate = client.get("/studio", params={"from": job_id})
    assert f'<option value="{kit_id}" selected>Bean There</option>' in duplicate.text
