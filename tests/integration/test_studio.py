"""The web studio over the real app (ASGI), on SQLite and PostgreSQL: sign-in and its cookie,
CSRF refusals, user text escaped on every page, other owners' jobs as 404, the same
validation and scopes as the API, and a finished job's result page over real media."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from collections.abc import Callable
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import httpx
import pytest
from anyio.from_thread import start_blocking_portal
from api_client import PROBLEM, ApiClient, KeyMaker, auth
from sqlalchemy import select, update
from test_api_review import pool, status_of, wait_for

from aiprod.auth import ApiKey, revoke_key
from aiprod.config import Settings
from aiprod.db.engine import make_engine, make_session_factory
from aiprod.jobs.events import record_event
from aiprod.jobs.models import Job
from aiprod.media.ffmpeg.run import run_ffmpeg
from aiprod.web import create_app

HOSTILE = "A 10-second ad for Bean There <img src=x onerror=alert(1)> coffee"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
RAW = "<img src=x"
VTT = "WEBVTT\n\n00:00.000 --> 00:01.500\nMeet Bean There.\n"
QA = {
    "passed": True,
    "checks": [
        {
            "name": "loudness_integrated",
            "verdict": "pass",
            "passed": True,
            "measured": -14.2,
            "threshold": "-14 ± 1 LUFS",
            "unit": "LUFS",
            "detail": "<b>not bold</b>",
        }
    ],
    "loudness": {
        "step_s": 0.5,
        "points": [[0.5, -16.0, None], [1.0, -14.5, None], [1.5, None, None]],
        "integrated_lufs": -14.2,
        "target_lufs": -14.0,
        "tolerance_lu": 1.0,
    },
}
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
SUBMISSION = re.compile(r'name="submission" value="([^"]+)"')


def csrf_of(page: httpx.Response) -> str:
    found = CSRF.search(page.text)
    assert found is not None, page.text
    return found.group(1)


def sign_in(client: ApiClient, key: str) -> httpx.Response:
    form = client.get("/studio/sign-in")
    assert form.status_code == 200, form.text
    return client.post(
        "/studio/sign-in", data={"csrf": csrf_of(form), "key": key, "next": "/studio"}
    )


def new_video_form(client: ApiClient) -> tuple[str, str]:
    page = client.get("/studio")
    assert page.status_code == 200, page.text
    found = SUBMISSION.search(page.text)
    assert found is not None
    return csrf_of(page), found.group(1)


def submit(client: ApiClient, brief: str = HOSTILE, **fields: str) -> httpx.Response:
    csrf, submission = new_video_form(client)
    data = {"csrf": csrf, "submission": submission, "brief": brief, **fields}
    return client.post("/studio/jobs", data=data)


def jobs_of(client: ApiClient, key: str) -> list[dict[str, object]]:
    listed = client.get("/v1/jobs", headers=auth(key))
    assert listed.status_code == 200, listed.text
    items: list[dict[str, object]] = listed.json()["items"]
    return items


class Markup(HTMLParser):
    """Every tag and attribute of a page, as a browser's parser reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def assert_safe_page(page: httpx.Response) -> None:
    """The studio's strict policy; no inline script, handler or style; user text as text."""
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["x-frame-options"] == "DENY"
    parser = Markup()
    parser.feed(page.text)
    for tag, attrs in parser.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert "style" not in attrs and tag != "style", (tag, attrs)
        if tag == "script":
            assert str(attrs.get("src", "")).startswith("/studio/static/"), attrs
        assert not (tag == "img" and attrs.get("src") == "x"), "the hostile brief became markup"


def test_root_and_pages_send_a_stranger_to_sign_in(client: ApiClient) -> None:
    root = client.get("/")
    assert root.status_code == 303 and root.headers["location"] == "/studio/sign-in"
    for path in ("/studio", "/studio/history", "/studio/jobs/abc"):
        page = client.get(path)
        assert page.status_code == 303, path
        assert page.headers["location"] == f"/studio/sign-in?next={path.replace('/', '%2F')}"
    page = client.get("/studio/sign-in")
    assert page.status_code == 200
    assert_safe_page(page)
    missing = client.get("/studio/no/such/<page>")
    assert missing.status_code == 404 and "&lt;page&gt;" in missing.text
    assert_safe_page(missing)
    assert client.get("/studio/").headers["location"] == "/studio"
    style = client.get("/studio/static/studio.css")
    assert style.status_code == 200 and style.headers["content-type"].startswith("text/css")
    script = client.get("/studio/static/vendor/htmx.min.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert client.get("/v1/jobs").status_code == 401  # the API is still the API


def test_sign_in_exchanges_the_key_for_an_http_only_session_cookie(
    client: ApiClient, make_key: KeyMaker
) -> None:
    key = make_key("alice")
    signed = sign_in(client, key)
    assert signed.status_code == 303 and signed.headers["location"] == "/studio"
    cookies = [v for k, v in signed.headers.multi_items() if k == "set-cookie"]
    [session] = [c for c in cookies if c.startswith("aiprod_studio=")]
    attributes = {part.strip().split("=")[0].lower() for part in session.split(";")}
    assert {"httponly", "max-age", "path"} <= attributes
    assert "samesite=lax" in session.lower()
    assert key.split("_")[-1] not in session  # the secret never lives in the browser
    assert client.get("/").headers["location"] == "/studio"
    page = client.get("/studio")
    assert page.status_code == 200 and "alice" in page.text
    assert_safe_page(page)


def test_a_bad_key_is_explained_on_the_page(client: ApiClient) -> None:
    refused = sign_in(client, "aip_nothere_0123456789abcdef0123456789")
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("text/html")
    assert "not accepted" in refused.text and "Traceback" not in refused.text
    assert "aiprod_studio=" not in refused.headers.get("set-cookie", "")
    empty = sign_in(client, "   ")
    assert empty.status_code == 422 and "Paste your API key" in empty.text


def test_the_next_page_after_sign_in_is_never_another_site(
    client: ApiClient, make_key: KeyMaker
) -> None:
    key = make_key("alice")
    form = client.get("/studio/sign-in", params={"next": "//evil.example/x"})
    assert 'value="/studio"' in form.text
    data = {"csrf": csrf_of(form), "key": key, "next": "https://evil.example/"}
    signed = client.post("/studio/sign-in", data=data)
    assert signed.headers["location"] == "/studio"


def test_forms_without_the_csrf_token_are_refused(client: ApiClient, make_key: KeyMaker) -> None:
    key = make_key("alice")
    no_token = client.post("/studio/sign-in", data={"key": key})
    assert no_token.status_code == 403 and "aiprod_studio=" not in str(no_token.headers)
    assert sign_in(client, key).status_code == 303
    csrf, submission = new_video_form(client)
    data = {"brief": "A coffee ad", "submission": submission}
    assert client.post("/studio/jobs", data=data).status_code == 403
    forged = client.post("/studio/jobs", data={**data, "csrf": "0" * 64})
    assert forged.status_code == 403 and "expired" in forged.text
    cross_site = client.post(
        "/studio/jobs", data={**data, "csrf": csrf}, headers={"Origin": "https://evil.example"}
    )
    assert cross_site.status_code == 403
    fetched = client.post(
        "/studio/jobs", data={**data, "csrf": csrf}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert fetched.status_code == 403
    assert jobs_of(client, key) == []  # nothing was created
    assert client.post("/studio/sign-out", data={"csrf": "nope"}).status_code == 403
    assert client.get("/studio").status_code == 200  # still signed in


def test_sign_out_and_a_revoked_key_end_the_session(
    client: ApiClient, make_key: KeyMaker, jobs_db_url: str
) -> None:
    key = make_key("revoked-user")
    sign_in(client, key)
    page = client.get("/studio")
    out = client.post("/studio/sign-out", data={"csrf": csrf_of(page)})
    assert out.status_code == 303 and out.headers["location"] == "/studio/sign-in"
    assert client.get("/studio").status_code == 303
    sign_in(client, key)
    assert client.get("/studio").status_code == 200
    engine = make_engine(jobs_db_url)
    with make_session_factory(engine)() as session:
        key_id = session.scalars(select(ApiKey.id).where(ApiKey.owner == "revoked-user")).one()
        revoke_key(session, key_id=key_id, actor="test")
        session.commit()
    engine.dispose()
    assert client.get("/studio").status_code == 303


def test_a_hostile_brief_is_text_on_every_page(client: ApiClient, make_key: KeyMaker) -> None:
    key = make_key("alice")
    sign_in(client, key)
    created = submit(client, preset="quick_social")
    assert created.status_code == 303, created.text
    job_page = client.get(created.headers["location"])
    assert job_page.status_code == 200
    history = client.get("/studio/history")
    refused = submit(client, preset="no-such-preset")  # the form comes back with the brief
    assert refused.status_code == 422 and "unknown preset" in refused.text
    for page in (job_page, history, refused):
        assert ESCAPED in page.text and RAW not in page.text
        assert_safe_page(page)
    [job] = jobs_of(client, key)  # stored as typed: the escaping is the page's
    assert created.headers["location"] == f"/studio/jobs/{job['id']}"


def test_validation_and_scopes_are_the_apis(client: ApiClient, make_key: KeyMaker) -> None:
    sign_in(client, make_key("alice"))
    blank = submit(client, brief="   ")
    assert blank.status_code == 422 and "write a brief" in blank.text
    bad_format = submit(client, brief="A coffee ad", formats="4:3")
    assert bad_format.status_code == 422 and "Formats" in bad_format.text
    assert "4:3" in bad_format.text
    reader = ApiClient(client.app, client.portal)
    try:
        read_key = make_key("carol", scopes=("jobs:read",))
        sign_in(reader, read_key)
        page = reader.get("/studio")
        assert "lacks the 'jobs:write' scope" in page.text
        refused = submit(reader, brief="A coffee ad")
        assert refused.status_code == 403 and "jobs:write" in refused.text
        assert jobs_of(reader, read_key) == []
    finally:
        reader.close()


def test_a_resubmitted_form_makes_one_job(client: ApiClient, make_key: KeyMaker) -> None:
    key = make_key("alice")
    sign_in(client, key)
    csrf, submission = new_video_form(client)
    data = {"csrf": csrf, "submission": submission, "brief": "A coffee ad"}
    first = client.post("/studio/jobs", data=data)
    again = client.post("/studio/jobs", data=data)  # a double click
    assert first.headers["location"] == again.headers["location"]
    assert len(jobs_of(client, key)) == 1


def test_the_estimate_is_the_apis(client: ApiClient, make_key: KeyMaker) -> None:
    key = make_key("alice")
    sign_in(client, key)
    csrf, _ = new_video_form(client)
    body = {"brief": "A 20-second ad for Bean There coffee", "formats": ["9:16", "1:1"]}
    fragment = client.post(
        "/studio/estimate",
        data={"csrf": csrf, **body},
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200
    api = client.post("/v1/estimate", json=body, headers=auth(key)).json()
    assert f"{api['total']:.4f} {api['currency']}" in fragment.text
    assert "English" in fragment.text
    problem = client.post("/studio/estimate", data={"csrf": csrf, "brief": "x", "preset": "nope"})
    assert "unknown preset" in problem.text
    assert client.post("/studio/estimate", data={"brief": "x"}).status_code == 403


def _finish(url: str, job_id: str) -> None:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        for attempt, (old, new) in enumerate([("queued", "rendering"), ("rendering", "succeeded")]):
            record_event(
                session, job_id=job_id, from_status=old, to_status=new, reason=new, attempt=attempt
            )
        values = {"status": "succeeded", "progress": 1.0, "stage": "qa"}
        session.execute(update(Job).where(Job.id == job_id).values(**values))
        session.commit()
    engine.dispose()


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real 1.5 s H.264/AAC video with its thumbnail, contact sheet, captions, QA report."""
    folder = tmp_path_factory.mktemp("studio-media")
    video = folder / "video.mp4"
    run_ffmpeg(
        [
            *("-y", "-f", "lavfi", "-i", "testsrc2=size=160x284:rate=25", "-f", "lavfi"),
            *("-i", "sine", "-t", "1.5", "-c:v", "libx264", "-preset", "ultrafast"),
            *("-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags", "+faststart", str(video)),
        ]
    )
    for name in ("thumbnail.jpg", "contact_sheet.jpg"):
        run_ffmpeg(["-y", "-ss", "0.5", "-i", str(video), "-frames:v", "1", str(folder / name)])
    (folder / "captions.vtt").write_text(VTT, encoding="utf-8")
    (folder / "captions.srt").write_text("1\n00:00:00,000 --> 00:00:01,500\nMeet.\n", "utf-8")
    (folder / "qa.json").write_text(json.dumps(QA), encoding="utf-8")
    return folder


@pytest.fixture
def finished_job(
    client: ApiClient, make_key: KeyMaker, settings: Settings, jobs_db_url: str, media: Path
) -> Callable[[str], str]:
    def make(key: str) -> str:
        created = client.post("/v1/jobs", json={"brief": HOSTILE}, headers=auth(key))
        assert created.status_code == 202, created.text
        job_id: str = created.json()["id"]
        _finish(jobs_db_url, job_id)
        shutil.copytree(media, settings.data_dir / "jobs" / job_id)
        return job_id

    return make


def test_a_finished_job_shows_its_result(
    client: ApiClient, make_key: KeyMaker, finished_job: Callable[[str], str]
) -> None:
    key = make_key("alice")
    job_id = finished_job(key)
    sign_in(client, key)
    page = client.get(f"/studio/jobs/{job_id}")
    assert page.status_code == 200
    assert_safe_page(page)
    assert ESCAPED in page.text and RAW not in page.text
    assert "&lt;b&gt;not bold&lt;/b&gt;" in page.text  # QA text is text too
    assert 'class="qa"' in page.text and "loudness_integrated" in page.text
    assert '<track kind="captions"' in page.text
    assert "job.js" not in page.text  # nothing live to follow
    plot = re.search(r'<svg viewBox="0 0 640 220" role="img" aria-labelledby="([^"]+)"', page.text)
    assert plot is not None and '<title id="loudness-title-1">Loudness over time' in page.text
    described = "too quiet to measure short-term loudness; integrated -14.2 LUFS"
    assert f'<desc id="loudness-desc-1">Loudness over 1.5 s: {described}' in page.text
    assert re.search(r'<path class="momentary" d="M[0-9. ]+L[0-9. ]+">', page.text)
    video = re.search(r'<video[^>]*\ssrc="([^"]+)"', page.text)
    assert video is not None
    url = video.group(1).replace("&amp;", "&")
    part = client.get(url, headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and len(part.content) == 100
    for name in ("captions.srt", "captions.vtt", "thumbnail.jpg", "contact_sheet.jpg"):
        assert f"/v1/files/{job_id}/{name}?" in page.text
    srt = re.search(r'href="(/v1/files/[^"]+/captions\.srt\?[^"]+)" download>', page.text)
    assert srt is not None and srt.group(1).endswith("&amp;download=1")
    saved = client.get(srt.group(1).replace("&amp;", "&"))
    assert saved.status_code == 200 and "attachment" in saved.headers["content-disposition"]
    exported = client.get(f"/studio/jobs/{job_id}/export.zip")
    assert exported.status_code == 200
    names = zipfile.ZipFile(BytesIO(exported.content)).namelist()
    assert {"job.json", "video.mp4", "captions.vtt"} <= set(names)
    history = client.get("/studio/history")
    assert f"/v1/files/{job_id}/thumbnail.jpg?" in history.text


def test_live_events_resume_after_the_last_id(
    client: ApiClient, make_key: KeyMaker, finished_job: Callable[[str], str]
) -> None:
    key = make_key("alice")
    job_id = finished_job(key)
    sign_in(client, key)
    stream = client.get(f"/studio/jobs/{job_id}/events")
    assert stream.status_code == 200
    assert stream.headers["content-type"].startswith("text/event-stream")
    ids = re.findall(r"^id: (\d+)$", stream.text, re.MULTILINE)
    assert len(ids) == 3 and "event: end" in stream.text  # created, rendering, succeeded
    page = client.get(f"/studio/jobs/{job_id}")
    assert f'data-after="{ids[-1]}"' in page.text  # the page starts its stream after it
    resumed = client.get(f"/studio/jobs/{job_id}/events", params={"after": ids[-1]})
    assert "event: status" not in resumed.text and "event: end" in resumed.text
    header = client.get(f"/studio/jobs/{job_id}/events", headers={"Last-Event-ID": ids[0]})
    assert re.findall(r"^id: (\d+)$", header.text, re.MULTILINE) == ids[1:]


def test_another_users_job_is_a_404_everywhere(
    client: ApiClient, make_key: KeyMaker, finished_job: Callable[[str], str]
) -> None:
    job_id = finished_job(make_key("alice"))
    sign_in(client, make_key("bob"))
    page = client.get("/studio")
    csrf = csrf_of(page)
    for path in (f"/studio/jobs/{job_id}", f"/studio/jobs/{job_id}/events"):
        refused = client.get(path)
        assert refused.status_code == 404, path
        assert refused.headers["content-type"].startswith("text/html")
        assert "Traceback" not in refused.text
    assert client.get(f"/studio/jobs/{job_id}/export.zip").status_code == 404
    for action in ("approve", "cancel", "retry"):
        done = client.post(f"/studio/jobs/{job_id}/{action}", data={"csrf": csrf})
        assert done.status_code == 404, action
    assert job_id not in client.get("/studio/history").text
    assert client.get("/studio/jobs/nope").status_code == 404


def test_history_filters_searches_and_pages(client: ApiClient, make_key: KeyMaker) -> None:
    key = make_key("alice")
    sign_in(client, key)
    for number in range(14):
        created = submit(client, brief=f"Coffee ad number {number:02d}")
        assert created.status_code == 303
    first = client.get("/studio/history")
    assert first.text.count('class="card job"') == 12
    older = re.search(r'href="(/studio/history\?cursor=[^"]+)" rel="next"', first.text)
    assert older is not None
    second = client.get(older.group(1).replace("&amp;", "&"))
    assert second.text.count('class="card job"') == 2
    found = client.get("/studio/history", params={"q": "number 07"})
    assert found.text.count('class="card job"') == 1 and "number 07" in found.text
    queued = client.get("/studio/history", params={"status": "queued"})
    assert queued.text.count('class="card job"') == 12
    assert (
        client.get("/studio/history", params={"status": "succeeded"}).text.count('class="card job"')
        == 0
    )
    bad = client.get("/studio/history", params={"status": "bogus"})
    assert bad.status_code == 422 and "bogus" in bad.text


def test_review_shows_the_plan_as_text_and_approve_renders(
    client: ApiClient, make_key: KeyMaker, settings: Settings, jobs_db_url: str
) -> None:
    """With review on, the job stops after planning (the fast fake work of the review
    tests plans one scene narrating the brief); the page shows the plan, and its approve
    button queues it for rendering."""
    key = make_key("alice")
    sign_in(client, key)
    created = submit(client, preset="quick_social", review="on")
    assert created.status_code == 303, created.text
    job_url = created.headers["location"]
    job_id = job_url.rsplit("/", 1)[-1]
    with pool(jobs_db_url, settings):
        wait_for(lambda: status_of(client, key, job_id) == "awaiting_review", 30, "the plan")
        page = client.get(job_url)
        assert page.status_code == 200
        assert_safe_page(page)
        assert 'id="storyboard-title"' in page.text and "approve the plan to render" in page.text
        plan = page.text[page.text.index('id="storyboard-title"') :]
        assert ESCAPED in plan and RAW not in plan  # the narration is text too
        approve = client.post(f"{job_url}/approve", data={"csrf": csrf_of(page)})
        assert approve.status_code == 303 and approve.headers["location"] == job_url
        wait_for(lambda: status_of(client, key, job_id) == "succeeded", 30, "the render")
    again = client.post(f"{job_url}/approve", data={"csrf": csrf_of(page)})
    assert again.status_code == 409 and "Traceback" not in again.text  # explained


def test_the_studio_counts_against_the_keys_rate_limits(
    settings: Settings, jobs_db_url: str, make_key: KeyMaker
) -> None:
    limited = settings.model_copy(update={"rate_limit_write": "3/minute"})
    app = create_app(limited, database_url=jobs_db_url)
    with start_blocking_portal() as portal:
        client = ApiClient(app, portal)
        try:
            key = make_key("alice")
            assert sign_in(client, key).status_code == 303  # one write
            assert submit(client, brief="A coffee ad one").status_code == 303
            assert submit(client, brief="A coffee ad two").status_code == 303
            refused = submit(client, brief="A coffee ad three")
            assert refused.status_code == 429, refused.text
            assert int(refused.headers["retry-after"]) > 0
            assert "too many write requests" in refused.text
            assert len(jobs_of(client, key)) == 2
        finally:
            client.close()
    app.state.engine.dispose()


def test_a_job_in_several_formats_shows_one_player_per_format(
    client: ApiClient, make_key: KeyMaker, settings: Settings, jobs_db_url: str, media: Path
) -> None:
    key = make_key("alice")
    created = client.post(
        "/v1/jobs", json={"brief": "A coffee ad", "formats": ["9:16", "1:1"]}, headers=auth(key)
    )
    job_id = created.json()["id"]
    _finish(jobs_db_url, job_id)
    for folder in ("9x16", "1x1"):
        shutil.copytree(media, settings.data_dir / "jobs" / job_id / folder)
    sign_in(client, key)
    page = client.get(f"/studio/jobs/{job_id}")
    assert page.status_code == 200
    assert page.text.count("<video") == 2
    assert "Result · 9:16" in page.text and "Result · 1:1" in page.text
    for folder in ("9x16", "1x1"):
        assert f"/v1/files/{job_id}/{folder}/video.mp4?" in page.text
        assert f"/v1/files/{job_id}/{folder}/captions.vtt?" in page.text
    assert page.text.count("Everything (ZIP)") == 1
    history = client.get("/studio/history")
    assert f"/v1/files/{job_id}/9x16/thumbnail.jpg?" in history.text


def test_the_stepper_marks_stages_done_current_and_to_do(
    client: ApiClient, make_key: KeyMaker, finished_job: Callable[[str], str]
) -> None:
    key = make_key("alice")
    sign_in(client, key)
    queued = submit(client, brief="A coffee ad")
    page = client.get(queued.headers["location"])
    states = re.findall(r'<li data-stage="(\w+)" class="(\w+)"', page.text)
    assert states[0] == ("plan", "todo") and {state for _, state in states} == {"todo"}
    assert "job.js" in page.text
    done = client.get(f"/studio/jobs/{finished_job(key)}")
    states = re.findall(r'<li data-stage="(\w+)" class="(\w+)"', done.text)
    assert len(states) >= 8 and {state for _, state in states} == {"done"}
    assert states[-1] == ("deliver", "done")


def test_a_failed_job_explains_its_error_as_text_and_offers_a_retry(
    client: ApiClient, make_key: KeyMaker, jobs_db_url: str
) -> None:
    key = make_key("alice")
    sign_in(client, key)
    job_url = submit(client, brief="A coffee ad").headers["location"]
    job_id = job_url.rsplit("/", 1)[-1]
    engine = make_engine(jobs_db_url)
    with make_session_factory(engine)() as session:
        error = {"stage": "compose", "code": "ffmpeg_failed", "message": f"boom {RAW}>"}
        values = {"status": "failed", "stage": "compose", "error": error}
        session.execute(update(Job).where(Job.id == job_id).values(**values))
        session.commit()
    engine.dispose()
    page = client.get(job_url)
    assert page.status_code == 200
    assert_safe_page(page)
    assert "compose: boom &lt;img src=x&gt;" in page.text
    assert f'action="{job_url}/retry"' in page.text and "job.js" not in page.text
    retried = client.post(f"{job_url}/retry", data={"csrf": csrf_of(page)})
    assert retried.status_code == 303
    assert client.get(f"/v1/jobs/{job_id}", headers=auth(key)).json()["status"] == "queued"


def test_duplicate_fills_the_form_with_the_jobs_choices(
    client: ApiClient, make_key: KeyMaker
) -> None:
    key = make_key("alice")
    sign_in(client, key)
    job_url = submit(client, preset="quick_social", formats="1:1", review="on").headers["location"]
    job_id = job_url.rsplit("/", 1)[-1]
    assert f'href="/studio?from={job_id}"' in client.get(job_url).text
    form = client.get("/studio", params={"from": job_id})
    assert form.status_code == 200
    assert_safe_page(form)
    assert f"{ESCAPED} coffee</textarea>" in form.text and RAW not in form.text
    assert '<option value="quick_social" selected>' in form.text
    assert 'value="1:1" checked' in form.text and 'value="9:16" checked' not in form.text
    assert 'id="review" checked' in form.text
    other = ApiClient(client.app, client.portal)
    try:
        sign_in(other, make_key("bob"))
        assert other.get("/studio", params={"from": job_id}).status_code == 404
    finally:
        other.close()


def test_the_api_is_served_alone_when_the_studio_is_off(
    settings: Settings, jobs_db_url: str, make_key: KeyMaker
) -> None:
    """``AIPROD_STUDIO_ENABLED=false`` (bench/api_load.py's API-alone run): no studio route,
    the API as always."""
    alone = settings.model_copy(update={"studio_enabled": False})
    app = create_app(alone, database_url=jobs_db_url)
    with start_blocking_portal() as portal:
        client = ApiClient(app, portal)
        try:
            for path in ("/studio/sign-in", "/studio/static/studio.css", "/studio"):
                gone = client.get(path)
                assert gone.status_code == 404 and gone.headers["content-type"] == PROBLEM
            assert client.get("/v1/jobs", headers=auth(make_key("alice"))).status_code == 200
        finally:
            client.close()
        app.state.engine.dispose()
