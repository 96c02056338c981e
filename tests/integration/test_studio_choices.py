"""The new-video form's language, voice and music mood (they reach the job as the API's
fields), and its voice and music previews (the API's, for the signed-in browser)."""

from __future__ import annotations

import io
import wave

from api_client import ApiClient, KeyMaker
from test_api_brief_choices import stored_request
from test_studio import assert_safe_page, new_video_form, sign_in, submit

BRIEF = "A 20-second ad for Bean There, organic coffee delivered weekly."


def test_the_form_offers_languages_voices_and_moods(client: ApiClient, make_key: KeyMaker) -> None:
    sign_in(client, make_key())
    page = client.get("/studio")
    assert_safe_page(page)
    for fragment in (
        'name="language"',
        '<option value="fr">French</option>',
        'value="espeak:fr+f3" data-language="fr" hidden disabled',
        'name="music_mood"',
        '<option value="dramatic">dramatic</option>',
        'id="voice-preview"',
        '<script src="/studio/static/new_video.js" defer></script>',
    ):
        assert fragment in page.text, fragment
    script = client.get("/studio/static/new_video.js")
    assert script.status_code == 200 and "followLanguage" in script.text


def test_the_choices_reach_the_job_and_its_duplicate(
    client: ApiClient, make_key: KeyMaker, jobs_db_url: str
) -> None:
    sign_in(client, make_key())
    made = submit(
        client, BRIEF, language="fr", voice="espeak:fr+f3", music_mood="calm", review="on"
    )
    assert made.status_code == 303, made.text
    job_id = made.headers["location"].rsplit("/", 1)[-1]
    request = stored_request(jobs_db_url, job_id)
    assert (request["language"], request["voice"], request["music_mood"]) == (
        "fr",
        "espeak:fr+f3",
        "calm",
    )
    copy = client.get("/studio", params={"from": job_id})
    assert '<option value="fr" selected>French</option>' in copy.text
    assert 'value="espeak:fr+f3" data-language="fr" selected>' in copy.text
    assert '<option value="calm" selected>calm</option>' in copy.text


def test_a_voice_that_cannot_speak_the_language_is_explained(
    client: ApiClient, make_key: KeyMaker
) -> None:
    sign_in(client, make_key())
    refused = submit(client, BRIEF, language="fr", voice="en_US-joe-medium")
    assert refused.status_code == 422
    assert "<strong>Voice</strong>" in refused.text and "English only" in refused.text
    csrf, _ = new_video_form(client)
    estimate = client.post(
        "/studio/estimate",
        data={"csrf": csrf, "brief": BRIEF, "language": "fr", "music_mood": "dramatic"},
        headers={"HX-Request": "true"},
    )
    assert 'data-language="fr">French</dd>' in estimate.text
    assert 'data-mood="dramatic">dramatic</dd>' in estimate.text


def test_previews_play_in_the_studio(client: ApiClient, make_key: KeyMaker) -> None:
    sign_in(client, make_key())
    voice = client.get("/studio/previews/voice", params={"language": "fr", "voice": "espeak:fr"})
    assert voice.status_code == 200 and voice.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(voice.content)) as wav:
        assert wav.getnframes() / wav.getframerate() > 1.0
    music = client.get("/studio/previews/music", params={"mood": "playful", "seconds": 2})
    assert music.status_code == 200 and music.headers["content-type"] == "audio/wav"
    bad = client.get("/studio/previews/music", params={"mood": "<b>sleepy</b>"})
    assert bad.status_code == 422 and "&lt;b&gt;sleepy" in bad.text
    assert_safe_page(bad)
    elsewhere = client.get(
        "/studio/previews/voice",
        params={"language": "en"},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert elsewhere.status_code == 403


def test_previews_need_a_key_that_may_make_videos(client: ApiClient, make_key: KeyMaker) -> None:
    stranger = client.get("/studio/previews/voice")
    assert stranger.status_code == 303  # to the sign-in page
    sign_in(client, make_key("bob", scopes=("jobs:read",)))
    assert client.get("/studio/previews/voice").status_code == 403
