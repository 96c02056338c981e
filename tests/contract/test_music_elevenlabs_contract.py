"""Contract: ElevenLabs Music (``POST /v1/music``) against a local server that follows the
published API (tests/vendor_servers.py), driven through the real provider and the
music chain; each injected failure falls back to the composer with the reason recorded."""

from __future__ import annotations

import json
import logging
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aiprod.config import Settings
from aiprod.providers.base import Ledger
from aiprod.providers.music.chain import MusicBed, music_bed
from aiprod.providers.resilience import Budget
from aiprod.spec.load import parse_spec
from aiprod.spec.model import VideoSpec
from vendor_servers import ElevenLabsServer, Fault, VendorServer, make_audio

KEY = VendorServer.api_key
SECONDS = 4.25


@pytest.fixture(scope="module")
def mp3(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_audio(tmp_path_factory.mktemp("audio") / "track.mp3", 6.0, "libmp3lame")


@pytest.fixture
def server(mp3: bytes) -> Iterator[ElevenLabsServer]:
    with ElevenLabsServer(mp3) as running:
        yield running  # type: ignore[misc]


def music_settings(tmp_path: Path, server: ElevenLabsServer, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "elevenlabs_base_url": server.origin,
        "elevenlabs_api_key": KEY,
        "elevenlabs_timeout_s": 5.0,
        "elevenlabs_music_price_per_minute": 0.8,
        "llm_retries": 2,
    }
    values.update(extra)
    return Settings(**values)


def spec() -> VideoSpec:
    return parse_spec({"title": "Spring sale", "brand": {"name": "Bean There"},
                       "music": {"mood": "upbeat"},
                       "scenes": [{"narration": "Fresh coffee, delivered."}]})  # fmt: skip


def bed(settings: Settings, budget: float | None = 1.0) -> tuple[MusicBed, Ledger]:
    ledger = Ledger()
    return music_bed(spec(), SECONDS, settings, ledger, Budget(budget)), ledger


def frames(path: Path) -> tuple[int, int, int]:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes(), wav.getframerate(), wav.getnchannels()


def assert_no_key(tmp_path: Path, *texts: str) -> None:
    for text in texts:
        assert KEY not in text
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path


def test_track_is_decoded_to_the_exact_length_recorded_and_cached(
    tmp_path: Path, server: ElevenLabsServer
) -> None:
    settings = music_settings(tmp_path, server)
    first, ledger = bed(settings)
    assert first.info["source"] == "elevenlabs_music" and first.info["cache"] == "miss"
    assert frames(first.path) == (round(SECONDS * 48000), 48000, 2)
    (seen,) = server.seen
    assert seen.query == {"output_format": ["mp3_44100_128"]}
    assert seen.headers["xi-api-key"] == KEY
    assert seen.body["music_length_ms"] == 4250 and seen.body["force_instrumental"] is True
    prompt = seen.body["prompt"]
    assert "upbeat" in prompt and "118 BPM" in prompt and "Bean There" in prompt
    (call,) = ledger.to_dict()["calls"]
    assert call["provider"] == "elevenlabs_music" and call["status"] == "ok"
    assert call["request_id"] == "song_0001" and call["attempts"] == 1
    assert call["estimate"] == call["actual"] == round(4.25 / 60 * 0.8, 6)
    assert call["licence"].startswith("ElevenLabs Music terms")
    again, ledger2 = bed(settings)  # same prompt, length, provider: the cache answers
    assert again.path == first.path and again.info["cache"] == "hit"
    assert len(server.seen) == 1 and not ledger2.calls
    assert_no_key(tmp_path, json.dumps(ledger.to_dict()))


def test_music_shorter_than_the_minimum_is_asked_at_three_seconds_and_trimmed(
    tmp_path: Path, server: ElevenLabsServer
) -> None:
    ledger = Ledger()
    got = music_bed(spec(), 1.5, music_settings(tmp_path, server), ledger, Budget(None))
    assert server.seen[0].body["music_length_ms"] == 3000
    assert frames(got.path)[0] == 72000


@pytest.mark.parametrize(
    ("faults", "reason", "attempts"),
    [
        ([Fault(500), Fault(502), Fault(503)], "http_503", 3),
        ([Fault(200, body=b"<html>not audio</html>", headers={"Content-Type": "audio/mpeg"})],
         "invalid_output", 1),
        ([Fault(429, {"Retry-After": "120"}, message="Too many concurrent requests")],
         "http_429", 1),
    ],
)  # fmt: skip
def test_failures_fall_back_to_the_composer_with_the_reason(
    tmp_path: Path,
    server: ElevenLabsServer,
    faults: list[Fault],
    reason: str,
    attempts: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server.faults.extend(faults)
    settings = music_settings(tmp_path, server, llm_max_retry_after_s=5.0)
    with caplog.at_level(logging.WARNING):
        got, ledger = bed(settings)
    assert got.info["source"] == "composed"
    assert frames(got.path)[0] == round(SECONDS * 48000)
    (fallback,) = ledger.fallbacks
    assert fallback["provider"] == "elevenlabs_music" and fallback["reason"] == reason
    (call,) = ledger.calls
    assert call.status == reason and call.attempts == attempts
    assert_no_key(tmp_path, caplog.text, json.dumps(ledger.to_dict()))


def test_429_with_retry_after_is_retried_then_used(
    tmp_path: Path, server: ElevenLabsServer
) -> None:
    server.faults.append(Fault(429, {"Retry-After": "1"}, message="Too many requests"))
    got, ledger = bed(music_settings(tmp_path, server))
    assert got.info["source"] == "elevenlabs_music"
    (call,) = ledger.calls
    assert call.attempts == 2 and call.status == "ok" and call.seconds >= 1.0


def test_wrong_key_is_401_and_never_echoed(tmp_path: Path, server: ElevenLabsServer) -> None:
    wrong = "sk_wrong_0123456789abcdef"
    got, ledger = bed(music_settings(tmp_path, server, elevenlabs_api_key=wrong))
    assert got.info["source"] == "composed"
    assert ledger.fallbacks[0]["reason"] == "http_401"
    assert "invalid_api_key" in ledger.fallbacks[0]["detail"]
    assert wrong not in json.dumps(ledger.to_dict())


def test_slow_answer_times_out_and_falls_back(tmp_path: Path, server: ElevenLabsServer) -> None:
    server.faults.append(Fault(200, delay_s=2.0))
    got, ledger = bed(music_settings(tmp_path, server, elevenlabs_timeout_s=0.5))
    assert got.info["source"] == "composed"
    assert ledger.fallbacks[0]["reason"] == "timeout"
    assert ledger.calls[0].status == "timeout"


def test_budget_is_checked_before_the_paid_call(tmp_path: Path, server: ElevenLabsServer) -> None:
    got, ledger = bed(music_settings(tmp_path, server), budget=0.01)
    assert got.info["source"] == "composed" and not server.seen
    assert ledger.fallbacks[0]["reason"] == "budget"


def test_without_a_key_the_composer_is_used_and_nothing_is_recorded(tmp_path: Path) -> None:
    ledger = Ledger()
    got = music_bed(spec(), SECONDS, Settings(data_dir=tmp_path / "data"), ledger, Budget(1.0))
    assert got.info["source"] == "composed" and not ledger.calls and not ledger.fallbacks
