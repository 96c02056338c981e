"""Voice and music previews over the API: real WAVs from the local providers, cached by
content, with ETags; scopes, problem+json on bad input."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import pytest
from api_client import PROBLEM, ApiClient, KeyMaker, auth

from aiprod.config import Settings


def wav_of(body: bytes) -> tuple[int, int, float]:
    """(channels, sample rate, seconds) of a WAV file's bytes."""
    with wave.open(io.BytesIO(body), "rb") as wav:
        return wav.getnchannels(), wav.getframerate(), wav.getnframes() / wav.getframerate()


def cached_previews(settings: Settings) -> list[Path]:
    return sorted((settings.cache_dir / "previews").glob("*.wav"))


@pytest.mark.parametrize(
    ("body", "rate"),
    [
        ({"language": "en"}, 22050),  # Piper's natural voice
        ({"language": "fr", "voice": "espeak:fr+f3"}, 22050),
        ({"language": "en-GB", "voice": "espeak:en-gb", "text": "Fresh beans, every week."}, 22050),
    ],
)
def test_a_voice_preview_is_a_spoken_sentence_cached_by_content(
    client: ApiClient,
    make_key: KeyMaker,
    settings: Settings,
    body: dict[str, str],
    rate: int,
) -> None:
    key = make_key()
    first = client.post("/v1/previews/voice", json=body, headers=auth(key))
    assert first.status_code == 200, first.text
    assert first.headers["content-type"] == "audio/wav"
    channels, sample_rate, seconds = wav_of(first.content)
    assert (channels, sample_rate) == (1, rate)
    assert 1.0 < seconds < 8.0
    [stored] = cached_previews(settings)
    made_at = stored.stat().st_mtime_ns
    again = client.post("/v1/previews/voice", json=body, headers=auth(key))
    assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
    assert stored.stat().st_mtime_ns == made_at  # served from the cache, not spoken again
    etag = first.headers["etag"]
    unchanged = client.post(
        "/v1/previews/voice", json=body, headers={**auth(key), "If-None-Match": etag}
    )
    assert unchanged.status_code == 304 and not unchanged.content


def test_another_voice_or_text_is_another_preview(
    client: ApiClient, make_key: KeyMaker, settings: Settings
) -> None:
    key = make_key()
    bodies = [
        {"language": "en", "voice": "espeak:en-us"},
        {"language": "en", "voice": "espeak:en-us+f3"},
        {"language": "en", "voice": "espeak:en-us", "text": "Order today."},
    ]
    answers = [client.post("/v1/previews/voice", json=b, headers=auth(key)) for b in bodies]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert len({a.headers["etag"] for a in answers}) == 3
    assert len({a.content for a in answers}) == 3
    assert len(cached_previews(settings)) == 3


def test_a_music_preview_is_a_few_seconds_composed_for_the_mood(
    client: ApiClient, make_key: KeyMaker
) -> None:
    key = make_key()
    calm = client.post("/v1/previews/music", json={"mood": "calm", "seconds": 3}, headers=auth(key))
    assert calm.status_code == 200, calm.text
    assert calm.headers["content-type"] == "audio/wav"
    assert calm.headers["cache-control"] == "private, max-age=86400"
    assert wav_of(calm.content) == (2, 24000, 3.0)
    upbeat = client.post(
        "/v1/previews/music", json={"mood": "upbeat", "seconds": 3.1}, headers=auth(key)
    )
    assert upbeat.status_code == 200
    assert wav_of(upbeat.content) == (2, 24000, 3.0)  # to the half second
    assert upbeat.content != calm.content


@pytest.mark.parametrize(
    ("path", "body", "where"),
    [
        ("/v1/previews/voice", {"language": "xx-zz"}, "language"),
        ("/v1/previews/voice", {"language": "en", "voice": "en_GB-nobody-high"}, "voice"),
        ("/v1/previews/voice", {"language": "fr", "voice": "espeak:no such"}, "voice"),
        ("/v1/previews/voice", {"language": "en", "text": "x" * 201}, "body.text"),
        ("/v1/previews/voice", {"language": "english"}, "body.language"),
        ("/v1/previews/music", {"mood": "sleepy"}, "mood"),
        ("/v1/previews/music", {"mood": "calm", "seconds": 30}, "body.seconds"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field(
    client: ApiClient,
    make_key: KeyMaker,
    settings: Settings,
    path: str,
    body: dict[str, object],
    where: str,
) -> None:
    refused = client.post(path, json=body, headers=auth(make_key()))
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith(PROBLEM)
    assert where in [e["path"] for e in refused.json()["errors"]]
    assert cached_previews(settings) == []


def test_previews_need_a_key_that_may_make_videos(client: ApiClient, make_key: KeyMaker) -> None:
    body = {"language": "en"}
    assert client.post("/v1/previews/voice", json=body).status_code == 401
    reader = make_key("bob", scopes=("jobs:read",))
    refused = client.post("/v1/previews/music", json={"mood": "calm"}, headers=auth(reader))
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith(PROBLEM)
