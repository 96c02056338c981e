"""The studio's storyboard editor (a plan awaiting review) over the real app, on SQLite and
PostgreSQL: the cards show the manifest, a save goes through the manifest API's service
with its version, a conflicting edit is explained with the user's text kept, invalid
scenes are explained on their cards, scenes move, come and go, and approving renders."""

from __future__ import annotations

import html
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_client import ApiClient, KeyMaker, auth
from test_api_review import pool, status_of, wait_for
from test_studio import ESCAPED, HOSTILE, RAW, assert_safe_page, csrf_of, sign_in, submit

from aiprod.config import Settings
from aiprod.media.ffmpeg.run import run_ffmpeg
from aiprod.uploads.media_paths import media_roots

Fields = list[tuple[str, str]]


class FormFields(HTMLParser):
    """The fields a browser would send for the storyboard form (without a button)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: Fields = []
        self.inside = False
        self.textarea: str | None = None
        self.select: str | None = None
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = found.get("id") == "storyboard-form"
        if not self.inside:
            return
        unticked = found.get("type") == "checkbox" and "checked" not in found
        if tag == "input" and found.get("name") and not unticked and found.get("type") != "file":
            self.fields.append((found["name"], found.get("value", "")))
        elif tag == "textarea":
            self.textarea, self.text = found["name"], ""
        elif tag == "select":
            self.select = found["name"]
        elif tag == "option" and self.select and "selected" in found:
            self.fields.append((self.select, found["value"]))

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self.textarea is not None:
            self.fields.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form":
            self.inside = False


def form_of(page: httpx.Response) -> Fields:
    parser = FormFields()
    parser.feed(page.text)
    assert parser.fields, page.text
    return parser.fields


def change(fields: Fields, name: str, index: int, value: str) -> Fields:
    """``fields`` with the ``index``-th field called ``name`` set to ``value``."""
    seen = -1
    changed = []
    for key, old in fields:
        if key == name:
            seen += 1
        changed.append((key, value if key == name and seen == index else old))
    assert seen >= index, (name, index)
    return changed


def values(fields: Fields, name: str) -> list[str]:
    return [value for key, value in fields if key == name]


def post(client: ApiClient, job_id: str, fields: Fields, op: str) -> httpx.Response:
    body = httpx.QueryParams([*fields, ("op", op)])
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    return client.post(f"/studio/jobs/{job_id}/plan", content=str(body), headers=headers)


def manifest(client: ApiClient, key: str, job_id: str) -> tuple[dict[str, Any], str]:
    got = client.get(f"/v1/jobs/{job_id}/manifest", headers=auth(key))
    assert got.status_code == 200, got.text
    return got.json(), got.headers["etag"]


@pytest.fixture
def planned(
    client: ApiClient, make_key: KeyMaker, settings: Settings, jobs_db_url: str
) -> tuple[str, str]:
    """(key, job id) of a signed-in user's hostile brief, planned and awaiting review, with
    a second scene added through the API (the fake planner writes one)."""
    key = make_key("alice")
    sign_in(client, key)
    created = submit(client, preset="quick_social", review="on")
    assert created.status_code == 303, created.text
    job_id = created.headers["location"].rsplit("/", 1)[-1]
    with pool(jobs_db_url, settings):
        wait_for(lambda: status_of(client, key, job_id) == "awaiting_review", 30, "the plan")
    spec, etag = manifest(client, key, job_id)
    second = {
        "narration": "Order today.",
        "title": "Order",
        "layout": "end_card",
        "sfx": [{"kind": "pop", "at": 0.2}],
    }
    spec["scenes"] = [*spec["scenes"], second]
    put = client.request(
        "PUT", f"/v1/jobs/{job_id}/manifest", json=spec, headers={**auth(key), "If-Match": etag}
    )
    assert put.status_code == 200, put.text
    return key, job_id


def test_the_storyboard_shows_one_card_per_scene(
    client: ApiClient, planned: tuple[str, str]
) -> None:
    _, job_id = planned
    page = client.get(f"/studio/jobs/{job_id}")
    assert page.status_code == 200
    assert_safe_page(page)
    fields = form_of(page)
    assert values(fields, "version") == ["2"]
    assert values(fields, "scene") == ["0", "1"]
    assert values(fields, "narration")[1] == "Order today."
    assert values(fields, "layout")[1] == "end_card"
    assert ESCAPED in page.text and RAW not in page.text  # narration is text in its box
    assert page.text.count('class="scene-card') == 2
    assert "end card" in page.text  # the frame names the layout
    assert "2 words · about 0.8 s spoken" in page.text  # as the script will count it
    assert '<script src="/studio/static/storyboard.js" defer></script>' in page.text
    script = client.get("/studio/static/storyboard.js")
    assert script.status_code == 200 and "data-count-for" in script.text
    assert '<option value="coffee">' in page.text  # the icon search's choices
    assert "Approve the plan and render" in page.text


def test_saving_goes_through_the_manifest_service_with_its_version(
    client: ApiClient, planned: tuple[str, str]
) -> None:
    key, job_id = planned
    page = client.get(f"/studio/jobs/{job_id}")
    fields = form_of(page)
    fields = change(fields, "narration", 0, "Fresh beans <b>every</b> week.")
    fields = change(fields, "title", 0, "Beans weekly")
    fields = change(fields, "layout", 0, "benefit")
    fields = change(fields, "icon", 0, "coffee")
    fields = change(fields, "transition", 0, "wipeleft")
    fields = change(fields, "transition", 1, "cut")
    saved = post(client, job_id, fields, "save")
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"/studio/jobs/{job_id}?saved=3#storyboard"
    spec, etag = manifest(client, key, job_id)
    assert etag == '"3"'
    first, second = spec["scenes"]
    assert first["narration"] == "Fresh beans <b>every</b> week."
    assert first["title"] == "Beans weekly" and first["layout"] == "benefit"
    assert first["illustration"]["icon"] == "coffee"
    assert first["transition"]["type"] == "wipeleft"
    assert second["transition"] is None
    assert second["sfx"][0]["kind"] == "pop"  # what the editor does not show is kept
    after = client.get(saved.headers["location"])
    assert "Saved: the plan is now version 3." in after.text
    stale = client.get(f"/studio/jobs/{job_id}", params={"saved": "2"})
    assert "Saved:" not in stale.text  # said only of the version that is current
    assert "Fresh beans &lt;b&gt;every&lt;/b&gt; week." in after.text
    assert 'src="data:image/svg+xml;base64,' in after.text  # the picture on the card
    assert_safe_page(after)
    unchanged = post(client, job_id, form_of(after), "save")  # nothing changed: no new version
    assert unchanged.status_code == 303 and manifest(client, key, job_id)[1] == '"3"'


def test_a_conflicting_edit_is_explained_and_the_users_text_kept(
    client: ApiClient, planned: tuple[str, str]
) -> None:
    key, job_id = planned
    fields = form_of(client.get(f"/studio/jobs/{job_id}"))  # drawn from version 2
    spec, etag = manifest(client, key, job_id)
    spec["scenes"][0]["narration"] = "Someone else's words."
    put = client.request(
        "PUT", f"/v1/jobs/{job_id}/manifest", json=spec, headers={**auth(key), "If-Match": etag}
    )
    assert put.status_code == 200
    mine = change(fields, "narration", 0, "My own <img src=x onerror=alert(1)> words.")
    refused = post(client, job_id, mine, "save")
    assert refused.status_code == 412
    assert_safe_page(refused)
    assert "changed meanwhile (now version 3" in refused.text
    kept = form_of(refused)
    assert values(kept, "narration")[0] == "My own <img src=x onerror=alert(1)> words."
    assert values(kept, "version") == ["3"]
    assert "Saved meanwhile in version 3" in refused.text
    assert "Someone else&#39;s words." in refused.text
    assert manifest(client, key, job_id)[0]["scenes"][0]["narration"] == "Someone else's words."
    again = post(client, job_id, kept, "save")  # saving again replaces it, knowingly
    assert again.status_code == 303, again.text
    spec, etag = manifest(client, key, job_id)
    assert spec["scenes"][0]["narration"] == "My own <img src=x onerror=alert(1)> words."
    assert etag == '"4"'


def test_invalid_scenes_are_explained_on_their_cards(
    client: ApiClient, planned: tuple[str, str]
) -> None:
    key, job_id = planned
    fields = form_of(client.get(f"/studio/jobs/{job_id}"))
    bad = change(fields, "narration", 1, "   ")
    bad = change(bad, "icon", 0, "no-such-icon")
    refused = post(client, job_id, bad, "save")
    assert refused.status_code == 422
    assert_safe_page(refused)
    assert "Nothing was saved" in refused.text
    assert "no icon named &#39;no-such-icon&#39;" in refused.text
    refused = post(client, job_id, change(fields, "narration", 1, "  "), "save")
    assert refused.status_code == 422
    assert "a scene without narration needs a &#39;duration&#39;" in refused.text
    assert refused.text.count('class="scene-card invalid"') == 1
    assert manifest(client, key, job_id)[1] == '"2"'  # nothing saved
    damaged = post(client, job_id, [f for f in fields if f[0] != "base"], "save")
    assert damaged.status_code == 422 and "reload the page" in damaged.text


def test_scenes_move_come_and_go_then_approve_renders(
    client: ApiClient, planned: tuple[str, str], settings: Settings, jobs_db_url: str
) -> None:
    key, job_id = planned
    fields = form_of(client.get(f"/studio/jobs/{job_id}"))
    added = post(client, job_id, fields, "add-0")
    assert added.status_code == 200 and "Scene 2 added" in added.text
    fields = form_of(added)
    assert values(fields, "scene") == ["0", "new", "1"]
    assert manifest(client, key, job_id)[1] == '"2"'  # a redrawn form, nothing saved
    fields = change(fields, "narration", 1, "Roasted to order.")
    moved = post(client, job_id, fields, "up-1")
    fields = form_of(moved)
    assert values(fields, "scene") == ["new", "0", "1"]
    assert values(fields, "narration")[0] == "Roasted to order."
    fields = form_of(post(client, job_id, fields, "delete-2"))
    assert values(fields, "scene") == ["new", "0"]
    only = form_of(
        post(client, job_id, form_of(post(client, job_id, fields, "delete-0")), "delete-0")
    )
    assert values(only, "scene") == ["0"]  # the last scene stays
    approved = post(client, job_id, fields, "approve")
    assert approved.status_code == 303 and approved.headers["location"] == f"/studio/jobs/{job_id}"
    spec, etag = manifest(client, key, job_id)
    assert spec["scenes"][0]["narration"] == "Roasted to order."
    assert len(spec["scenes"]) == 2 and etag == '"3"'
    assert HOSTILE in spec["scenes"][1]["narration"]
    assert status_of(client, key, job_id) == "queued"
    with pool(jobs_db_url, settings):
        wait_for(lambda: status_of(client, key, job_id) == "succeeded", 30, "the render")
    late = post(client, job_id, change(fields, "narration", 0, "Too <i>late</i>."), "save")
    assert late.status_code == 409 and "Traceback" not in late.text
    assert "Not saved: this job is succeeded now" in late.text
    assert "Too &lt;i&gt;late&lt;/i&gt;." in late.text  # the user's text, to copy
    assert 'id="storyboard-form"' not in late.text
    assert_safe_page(late)
    moved = post(client, job_id, fields, "down-0")
    assert moved.status_code == 409 and "Not saved" in moved.text


def test_another_users_plan_is_a_404(
    client: ApiClient, planned: tuple[str, str], make_key: KeyMaker
) -> None:
    key, job_id = planned
    fields = form_of(client.get(f"/studio/jobs/{job_id}"))
    sign_in(client, make_key("bob"))
    csrf = csrf_of(client.get("/studio"))
    fields = [(k, csrf if k == "csrf" else v) for k, v in fields]
    refused = post(client, job_id, change(fields, "narration", 0, "Hijacked."), "save")
    assert refused.status_code == 404
    assert "Hijacked" not in manifest(client, key, job_id)[0]["scenes"][0]["narration"]
    assert html.unescape(ESCAPED) in manifest(client, key, job_id)[0]["scenes"][0]["narration"]


def test_a_read_only_key_reads_the_plan_without_the_editor(
    client: ApiClient, planned: tuple[str, str], make_key: KeyMaker
) -> None:
    key, job_id = planned
    fields = form_of(client.get(f"/studio/jobs/{job_id}"))
    sign_in(client, make_key("alice", scopes=("jobs:read",)))
    page = client.get(f"/studio/jobs/{job_id}")
    assert page.status_code == 200
    assert_safe_page(page)
    assert 'id="storyboard-form"' not in page.text and "storyboard.js" not in page.text
    assert "can read it but not edit or approve it" in page.text
    assert "Order today." in page.text and ESCAPED in page.text  # the plan, as text
    csrf = csrf_of(page)
    fields = [(k, csrf if k == "csrf" else v) for k, v in fields]
    refused = post(client, job_id, change(fields, "narration", 0, "Read only."), "save")
    assert refused.status_code == 403
    assert manifest(client, key, job_id)[1] == '"2"'


def multipart(
    client: ApiClient, job_id: str, fields: Fields, op: str, files: dict[str, tuple[str, bytes]]
) -> httpx.Response:
    data: dict[str, list[str]] = {}
    for key, value in [*fields, ("op", op)]:
        data.setdefault(key, []).append(value)
    return client.post(f"/studio/jobs/{job_id}/plan", data=data, files=files)


def media_file(tmp_path: Path, name: str, *source: str) -> bytes:
    out = tmp_path / name
    run_ffmpeg(["-y", *source, str(out)])
    return out.read_bytes()


def test_a_scene_takes_your_picture_its_sound_cues_and_the_music_mood(
    client: ApiClient, planned: tuple[str, str], settings: Settings, tmp_path: Path
) -> None:
    key, job_id = planned
    page = client.get(f"/studio/jobs/{job_id}")
    assert 'enctype="multipart/form-data"' in page.text
    assert 'name="picture-0" accept="image/png,image/jpeg,image/webp"' in page.text
    assert '<input type="checkbox" name="sfx-1" value="pop" checked>' in page.text
    fields = form_of(page)
    before, _ = manifest(client, key, job_id)
    assert values(fields, "sfx-1") == ["", "pop"]
    assert before["music"] is None and values(fields, "music") == ["none"]  # the fake plan's
    fields = [*fields, ("sfx-0", "whoosh")]
    fields = [(k, v) for k, v in fields if (k, v) != ("sfx-1", "pop")]
    fields = change(fields, "music", 0, "dramatic")
    png = media_file(
        tmp_path, "beans.png", "-f", "lavfi", "-i", "color=c=brown:s=64x48", "-frames:v", "1"
    )
    saved = multipart(
        client, job_id, fields, "save", {"picture-0": ("beans.png", png, "image/png")}
    )
    assert saved.status_code == 303, saved.text
    spec, etag = manifest(client, key, job_id)
    assert etag == '"3"'
    first, second = spec["scenes"]
    picture = Path(first["illustration"]["path"])
    assert picture.read_bytes() == png and picture.parent == media_roots(settings, "alice")[0]
    assert first["illustration"]["icon"] is None
    assert [c.get("kind") for c in first["sfx"]][-1] == "whoosh"
    assert second["sfx"] == []  # the pop cue unticked
    assert spec["music"]["mood"] == "dramatic" and spec["music"]["path"] is None
    again = client.get(f"/studio/jobs/{job_id}")
    assert "your picture</span>" in again.text
    assert values(form_of(again), "picture_path")[0] == str(picture)
    # the card shows the picture, from the studio's own origin (the policy's img-src 'self')
    shown = f'<img class="picture" src="/studio/uploads/{picture.stem}"'
    assert (
        shown in again.text and "img-src 'self' data:;" in again.headers["content-security-policy"]
    )
    got = client.get(f"/studio/uploads/{picture.stem}")
    assert got.status_code == 200 and got.content == png
    assert got.headers["content-type"] == "image/png"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert client.get(f"/studio/uploads/{'0' * 32}").status_code == 404


def test_another_users_upload_is_not_shown_in_the_studio(
    client: ApiClient, make_key: KeyMaker, make_media: Any
) -> None:
    alice, bob = make_key("alice"), make_key("bob")
    image = make_media("logo.png", "image")
    files = {"file": ("logo.png", image.read_bytes(), "image/png")}
    created = client.post("/v1/uploads", files=files, headers=auth(alice)).json()
    sign_in(client, alice)
    assert client.get(f"/studio/uploads/{created['id']}").status_code == 200
    sign_in(client, bob)
    refused = client.get(f"/studio/uploads/{created['id']}")
    assert refused.status_code == 404 and "text/html" in refused.headers["content-type"]
    assert image.read_bytes() not in refused.content


def test_a_file_that_is_not_a_picture_is_explained_on_its_scene(
    client: ApiClient, planned: tuple[str, str], tmp_path: Path
) -> None:
    key, job_id = planned
    fields = form_of(client.get(f"/studio/jobs/{job_id}"))
    fields = change(fields, "narration", 1, "Kept in the form.")
    wav = media_file(tmp_path, "beep.wav", "-f", "lavfi", "-i", "sine=d=0.5")
    refused = multipart(
        client, job_id, fields, "save", {"picture-1": ("beep.wav", wav, "audio/wav")}
    )
    assert refused.status_code == 422
    assert "picture: the file is not a picture" in refused.text
    assert "Kept in the form." in refused.text
    junk = multipart(
        client, job_id, fields, "save", {"picture-0": ("x.png", b"not a png", "image/png")}
    )
    assert junk.status_code == 422 and "picture: " in junk.text
    _, etag = manifest(client, key, job_id)
    assert etag == '"2"'  # nothing saved


def test_another_users_picture_file_is_refused(
    client: ApiClient, planned: tuple[str, str], make_key: KeyMaker
) -> None:
    key, job_id = planned
    fields = form_of(client.get(f"/studio/jobs/{job_id}"))
    fields = change(fields, "picture_path", 0, "/etc/passwd")
    refused = post(client, job_id, fields, "save")
    assert refused.status_code == 422, refused.text
    _, etag = manifest(client, key, job_id)
    assert etag == '"2"'
