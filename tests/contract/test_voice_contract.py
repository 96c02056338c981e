"""Contract: the cloud voices (ElevenLabs, Google, OpenAI) against a local server that follows
their published APIs (tests/contract/voice_server.py), through the real chain and narration
stage: timings, 401, 429 with Retry-After, 5xx then success, timeouts, malformed bodies; each
failure falls back to the next provider and finally the local voice, and says why."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aiprod.config import Settings
from aiprod.pipeline.narration import synthesise_scenes
from aiprod.providers.tts.base import SpeechClip
from aiprod.providers.tts.chain import voice_ledger
from aiprod.spec.load import parse_spec
from aiprod.spec.model import VideoSpec
from voice_server import KEYS, Answer, VoiceServer, word_times

TEXT = "Fresh beans, roasted today for your morning cup."
VENDORS = ["elevenlabs", "google", "openai"]
PRICES = {"elevenlabs": 0.30, "google": 0.016, "openai": 0.015}  # per 1000 characters
REFUSED = {"elevenlabs": "http_401", "google": "http_400", "openai": "http_401"}


@pytest.fixture(scope="module")
def server() -> Iterator[VoiceServer]:
    with VoiceServer() as running:
        yield running


@pytest.fixture(autouse=True)
def _clean(server: VoiceServer) -> None:
    server.keys = dict(KEYS)
    for answers in server.answers.values():
        answers.clear()
    server.seen.clear()


def voice_settings(tmp_path: Path, server: VoiceServer, chain: str, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "voice_providers": chain,
        "elevenlabs_base_url": server.base_url,
        "elevenlabs_api_key": KEYS["elevenlabs"],
        "elevenlabs_price_per_1k_chars": PRICES["elevenlabs"],
        "google_tts_base_url": server.base_url,
        "google_tts_api_key": KEYS["google"],
        "google_tts_voice": "en-US-Neural2-F",
        "google_tts_price_per_1k_chars": PRICES["google"],
        "openai_base_url": f"{server.base_url}/v1",
        "openai_api_key": KEYS["openai"],
        "openai_tts_price_per_1k_chars": PRICES["openai"],
        "voice_timeout_s": 30.0,  # the server speaks OpenAI audio with Piper: cold start
        "voice_retries": 2,
    }
    values.update(extra)
    return Settings(**values)


def spec(text: str = TEXT, **extra: Any) -> VideoSpec:
    return parse_spec({"title": "Beans", "scenes": [{"narration": text}], **extra})


def speak(
    settings: Settings, tmp_path: Path, the_spec: VideoSpec | None = None
) -> tuple[SpeechClip, str | None]:
    work = tmp_path / "work"
    work.mkdir(parents=True, exist_ok=True)
    clips, used = synthesise_scenes(the_spec or spec(), work_dir=work,
                                    cache_dir=settings.cache_dir, settings=settings)  # fmt: skip
    assert clips[0] is not None
    return clips[0], used


def fallbacks(clip: SpeechClip) -> list[tuple[str, str]]:
    assert clip.provenance is not None
    return [(f["provider"], f["reason"]) for f in clip.provenance["fallbacks"]]


def assert_no_key_anywhere(
    settings: Settings, clip: SpeechClip, caplog: pytest.LogCaptureFixture
) -> None:
    dumped = json.dumps([clip.provenance, voice_ledger([clip])])
    for key in KEYS.values():
        assert key not in dumped and key not in caplog.text
        for path in settings.data_dir.rglob("*"):
            if path.is_file():
                assert key.encode() not in path.read_bytes(), path


# -- success -----------------------------------------------------------------------------


@pytest.mark.parametrize("vendor", ["elevenlabs", "google"])
def test_exact_timings_request_shape_and_ledger(
    tmp_path: Path, server: VoiceServer, vendor: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = voice_settings(tmp_path, server, vendor)
    clip, used = speak(settings, tmp_path)
    assert used == vendor
    words = TEXT.split()
    assert [w.text for w in clip.words] == words
    for timing, (start, end) in zip(clip.words, word_times(words), strict=True):
        assert timing.start == pytest.approx(start, abs=0.02)
        assert timing.end == pytest.approx(end, abs=0.1)  # Google: until the next word
    (seen,) = server.requests(vendor)
    if vendor == "elevenlabs":
        voice_id = "21m00Tcm4TLvOAVglOtC"
        assert seen.path == f"/v1/text-to-speech/{voice_id}/with-timestamps?output_format=pcm_24000"
        assert seen.body == {"text": TEXT, "model_id": "eleven_multilingual_v2"}
    else:
        assert seen.body["enableTimePointing"] == ["SSML_MARK"]
        assert seen.body["voice"] == {"languageCode": "en-US", "name": "en-US-Neural2-F"}
        assert seen.body["input"]["ssml"].startswith('<speak><mark name="w0"/>Fresh')
        assert "key=" not in seen.path  # the key travels in a header, never in the URL
    ledger = voice_ledger([clip])
    assert ledger is not None and ledger["used"] == {"voice": vendor}
    (call,) = ledger["calls"]
    assert call["units"] == {"characters": len(TEXT)}
    assert call["price_per_unit"] == {"characters": pytest.approx(PRICES[vendor] / 1000)}
    assert call["actual"] == pytest.approx(len(TEXT) * PRICES[vendor] / 1000)
    assert call["request_id"].startswith("req-") and call["licence"] and call["status"] == "ok"
    assert_no_key_anywhere(settings, clip, caplog)


def test_openai_speech_is_aligned_by_whisper(tmp_path: Path, server: VoiceServer) -> None:
    settings = voice_settings(tmp_path, server, "openai", voice_timeout_s=60.0)  # Piper speaks
    clip, used = speak(settings, tmp_path)
    assert used == "openai"
    (seen,) = server.requests("openai")
    assert seen.path == "/v1/audio/speech"
    assert seen.body == {
        "model": "tts-1", "voice": "alloy", "input": TEXT, "response_format": "pcm"
    }  # fmt: skip
    # the server spoke with Piper: its own timings of the same words are the reference
    reference = speak(Settings(data_dir=tmp_path / "ref"), tmp_path / "ref")[0]
    assert [w.text for w in clip.words] == [w.text for w in reference.words]
    errors = [abs(a.start - b.start) for a, b in zip(clip.words, reference.words, strict=True)]
    assert max(errors) < 0.35 and sum(errors) / len(errors) < 0.15, errors
    assert clip.provenance is not None
    assert "whisper" in clip.provenance["calls"][0]["detail"]


def test_french_skips_the_english_only_openai_voice(tmp_path: Path, server: VoiceServer) -> None:
    settings = voice_settings(tmp_path, server, "openai,elevenlabs")
    clip, used = speak(settings, tmp_path, spec("Des grains frais, torréfiés ce matin.",
                                               language="fr"))  # fmt: skip
    assert used == "elevenlabs"
    assert fallbacks(clip) == [("openai", "language")]
    assert server.requests("openai") == []


# -- failures, each falling back ---------------------------------------------------------


@pytest.mark.parametrize("vendor", VENDORS)
def test_wrong_key_falls_back_at_once_and_is_never_shown(
    tmp_path: Path, server: VoiceServer, vendor: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.keys[vendor] = "the-right-key-is-elsewhere"
    settings = voice_settings(tmp_path, server, vendor)
    clip, used = speak(settings, tmp_path)
    assert used == "piper"
    assert fallbacks(clip) == [(vendor, REFUSED[vendor])]
    assert clip.provenance is not None and clip.provenance["calls"][0]["attempts"] == 1
    assert_no_key_anywhere(settings, clip, caplog)


@pytest.mark.parametrize("vendor", VENDORS)
def test_429_honours_retry_after_then_succeeds(
    tmp_path: Path, server: VoiceServer, vendor: str
) -> None:
    server.queue(vendor, Answer(429, {"Retry-After": "0.2"}, message="Too many requests"))
    clip, used = speak(voice_settings(tmp_path, server, vendor), tmp_path)
    assert used == vendor
    assert clip.provenance is not None
    (call,) = clip.provenance["calls"]
    assert call["attempts"] == 2 and call["status"] == "ok"


@pytest.mark.parametrize("vendor", ["elevenlabs", "google"])
def test_429_with_a_long_retry_after_gives_up_at_once(
    tmp_path: Path, server: VoiceServer, vendor: str
) -> None:
    server.queue(vendor, Answer(429, {"Retry-After": "3600"}))
    clip, used = speak(voice_settings(tmp_path, server, vendor), tmp_path)
    assert used == "piper" and fallbacks(clip) == [(vendor, "http_429")]
    assert len(server.requests(vendor)) == 1


@pytest.mark.parametrize("vendor", ["elevenlabs", "google"])
def test_5xx_then_success(tmp_path: Path, server: VoiceServer, vendor: str) -> None:
    server.queue(vendor, Answer(500), Answer(503))
    clip, used = speak(voice_settings(tmp_path, server, vendor), tmp_path)
    assert used == vendor
    assert clip.provenance is not None and clip.provenance["calls"][0]["attempts"] == 3


@pytest.mark.parametrize("vendor", VENDORS)
def test_5xx_every_time_falls_back(tmp_path: Path, server: VoiceServer, vendor: str) -> None:
    server.queue(vendor, Answer(502), Answer(502), Answer(502))
    clip, used = speak(voice_settings(tmp_path, server, vendor, voice_retries=2), tmp_path)
    assert used == "piper" and fallbacks(clip) == [(vendor, "http_502")]
    assert len(server.requests(vendor)) == 3


@pytest.mark.parametrize("vendor", VENDORS)
def test_slow_answer_times_out_and_falls_back(
    tmp_path: Path, server: VoiceServer, vendor: str
) -> None:
    server.queue(vendor, Answer(delay_s=1.5))
    settings = voice_settings(tmp_path, server, vendor, voice_timeout_s=0.4)
    clip, used = speak(settings, tmp_path)
    assert used == "piper" and fallbacks(clip) == [(vendor, "timeout")]


@pytest.mark.parametrize(
    ("vendor", "body"),
    [
        ("elevenlabs", b"{not json"),
        ("elevenlabs", b'{"audio_base64": "%%%", "alignment": {}}'),
        ("elevenlabs", b'{"audio_base64": "AAAA"}'),
        ("google", b'{"timepoints": []}'),
        ("google", b"[]"),
        ("openai", b'{"error": "not audio"}'),
    ],
)
def test_malformed_body_falls_back(
    tmp_path: Path, server: VoiceServer, vendor: str, body: bytes
) -> None:
    server.queue(vendor, Answer(body=body))
    clip, used = speak(voice_settings(tmp_path, server, vendor), tmp_path)
    assert used == "piper" and fallbacks(clip) == [(vendor, "invalid_response")]


# -- the chain ---------------------------------------------------------------------------


def test_each_failure_moves_down_the_chain_to_the_local_voice(
    tmp_path: Path, server: VoiceServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.keys["elevenlabs"] = "revoked"
    server.queue("google", Answer(503), Answer(503), Answer(503))
    server.queue("openai", Answer(delay_s=1.5))
    settings = voice_settings(tmp_path, server, "elevenlabs,google,openai,local",
                              voice_timeout_s=0.5)  # fmt: skip
    clip, used = speak(settings, tmp_path)
    assert used == "piper"
    assert fallbacks(clip) == [
        ("elevenlabs", "http_401"),
        ("google", "http_503"),
        ("openai", "timeout"),
    ]
    ledger = voice_ledger([clip])
    assert ledger is not None and ledger["used"] == {"voice": "piper"}
    assert [c["status"] for c in ledger["calls"]] == ["http_401", "http_503", "timeout"]
    assert ledger["spent"] == 0  # failed calls are not billed
    assert_no_key_anywhere(settings, clip, caplog)


def test_a_failed_provider_is_not_asked_again_in_the_render(
    tmp_path: Path, server: VoiceServer
) -> None:
    server.keys["elevenlabs"] = "revoked"
    two = parse_spec({"title": "t", "scenes": [{"narration": "One scene."},
                                               {"narration": "Two scenes."}]})  # fmt: skip
    settings = voice_settings(tmp_path, server, "elevenlabs,google")
    _, used = synthesise_scenes(two, work_dir=tmp_path, cache_dir=settings.cache_dir,
                                    settings=settings)  # fmt: skip
    assert used == "google"
    assert len(server.requests("elevenlabs")) == 1 and len(server.requests("google")) == 2


def test_cache_is_keyed_by_provider_and_voice(tmp_path: Path, server: VoiceServer) -> None:
    settings = voice_settings(tmp_path, server, "elevenlabs")
    first, _ = speak(settings, tmp_path)
    again, _ = speak(settings, tmp_path)
    assert len(server.requests("elevenlabs")) == 1
    assert again.words == first.words and again.provenance is not None
    assert again.provenance["cached"] and again.provenance["made_by"][0]["request_id"]
    other = settings.model_copy(update={"elevenlabs_voice_id": "frVoice0000000000001"})
    speak(other, tmp_path)
    assert len(server.requests("elevenlabs")) == 2
    assert "/frVoice0000000000001/" in server.requests("elevenlabs")[1].path


def test_a_voice_in_the_spec_picks_its_provider(tmp_path: Path, server: VoiceServer) -> None:
    settings = voice_settings(tmp_path, server, "elevenlabs,google")
    _, used = speak(settings, tmp_path, spec(voice="google:en-US-Neural2-C"))
    assert used == "google" and server.requests("elevenlabs") == []
    assert server.requests("google")[0].body["voice"]["name"] == "en-US-Neural2-C"
    local, used = speak(settings, tmp_path, spec(voice="espeak:en-us"))
    assert used == "espeak" and local.provenance is None


def test_budget_refuses_a_paid_call_before_it_is_made(tmp_path: Path, server: VoiceServer) -> None:
    settings = voice_settings(tmp_path, server, "elevenlabs", provider_budget=0.001)
    clip, used = speak(settings, tmp_path)
    assert used == "piper" and fallbacks(clip) == [("elevenlabs", "budget")]
    assert server.requests("elevenlabs") == []


def test_dead_server_opens_the_circuit(tmp_path: Path) -> None:
    with VoiceServer() as gone:
        base = gone.base_url
    settings = Settings(data_dir=tmp_path / "d", voice_providers="elevenlabs",
                        elevenlabs_base_url=base, elevenlabs_api_key="k" * 12, voice_retries=0,
                        provider_breaker_failures=2)  # fmt: skip
    reasons = [fallbacks(speak(settings, tmp_path / str(i))[0])[0][1] for i in range(3)]
    assert reasons == ["unreachable", "unreachable", "circuit_open"]


def test_no_cloud_voice_configured_changes_nothing(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "d")
    clip, used = speak(settings, tmp_path)
    assert used == "piper" and clip.provenance is None
    assert voice_ledger([clip]) is None


def test_the_key_can_come_from_a_secret_file(
    tmp_path: Path, server: VoiceServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "el.key"
    secret.write_text(KEYS["elevenlabs"] + "\n", encoding="utf-8")
    monkeypatch.setenv("AIPROD_ELEVENLABS_API_KEY_FILE", str(secret))
    monkeypatch.setenv("AIPROD_ELEVENLABS_BASE_URL", server.base_url)
    monkeypatch.setenv("AIPROD_VOICE_PROVIDERS", "elevenlabs")
    settings = Settings(data_dir=tmp_path / "d")
    _, used = speak(settings, tmp_path)
    assert used == "elevenlabs"


def test_google_401_unauthenticated_is_not_retried(tmp_path: Path, server: VoiceServer) -> None:
    server.queue("google", Answer(401, message="Request had invalid authentication credentials."))
    clip, used = speak(voice_settings(tmp_path, server, "google"), tmp_path)
    assert used == "piper" and fallbacks(clip) == [("google", "http_401")]
    assert clip.provenance is not None
    assert "UNAUTHENTICATED" in clip.provenance["fallbacks"][0]["detail"]
    assert len(server.requests("google")) == 1


def test_a_cloud_voice_whose_provider_is_off_falls_back_and_says_so(
    tmp_path: Path, server: VoiceServer
) -> None:
    settings = voice_settings(tmp_path, server, "google")  # elevenlabs not in the chain
    clip, used = speak(settings, tmp_path, spec(voice="elevenlabs:21m00Tcm4TLvOAVglOtC"))
    assert used == "piper" and fallbacks(clip) == [("elevenlabs", "not_configured")]
    assert server.seen == []


def test_an_unknown_voice_is_still_refused(tmp_path: Path, server: VoiceServer) -> None:
    from aiprod.errors import ProviderRejectedInput

    settings = voice_settings(tmp_path, server, "elevenlabs")
    with pytest.raises(ProviderRejectedInput, match="unknown English voice 'acme:deep'"):
        speak(settings, tmp_path, spec(voice="acme:deep"))
    assert server.seen == []
