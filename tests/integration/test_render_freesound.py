"""Real renders whose sound comes from servers that follow the vendors' published APIs
(tests/vendor_servers.py): ElevenLabs Music for the bed, Freesound for the effects (the
CC-BY sound credited in ``credits.txt`` beside the video, listed in the outputs) and an
OpenAI-compatible chat model for the advisory vision check; the key is in no output."""

from __future__ import annotations

import json
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aiprod.config import Settings
from aiprod.pipeline.render import Renderer
from aiprod.providers.resilience import reset_breakers
from aiprod.spec.load import parse_spec
from aiprod.spec.presets import Preset
from vendor_servers import (
    CC0,
    CC_BY,
    ChatServer,
    ElevenLabsServer,
    Fault,
    FreesoundServer,
    VendorServer,
    make_audio,
)

KEY = VendorServer.api_key
SPEC: dict[str, Any] = {
    "title": "Bean There",
    "music": {"mood": "upbeat"},
    "scenes": [
        {"narration": "Fresh coffee, every morning.", "sfx": [{"kind": "whoosh", "at": 0.1}]},
        {"narration": "Order today.", "sfx": [{"kind": "pop", "at": 0.2, "seed": 1}]},
    ],
}


@pytest.fixture
def vendors(tmp_path: Path) -> Iterator[tuple[FreesoundServer, ElevenLabsServer, ChatServer]]:
    reset_breakers()
    ogg = make_audio(tmp_path / "hit.ogg", 1.0, "libvorbis")
    mp3 = make_audio(tmp_path / "bed.mp3", 3.0, "libmp3lame")
    verdict = {"matches": True, "reason": "Coffee is on screen."}
    with (
        FreesoundServer([], ogg, page_size=5) as freesound,
        ElevenLabsServer(mp3) as music,
        ChatServer(verdict) as chat,
    ):
        assert isinstance(freesound, FreesoundServer)
        freesound.sounds = [
            freesound.sound(31, "Soft swoosh", CC_BY, "ana_foley", duration=0.8),
            freesound.sound(32, "Public pop", CC0, "pd_person", duration=0.3),
        ]
        yield freesound, music, chat  # type: ignore[misc]
    reset_breakers()


def settings_for(tmp_path: Path, vendors: tuple[VendorServer, ...], **extra: Any) -> Settings:
    freesound, music, chat = vendors
    return Settings(
        **extra,
        data_dir=tmp_path / "data",
        freesound_api_key=KEY, freesound_base_url=f"{freesound.origin}/apiv2",
        elevenlabs_api_key=KEY, elevenlabs_base_url=music.origin,
        vision_providers="openai_compatible", vision_base_url=f"{chat.origin}/v1",
        vision_model="vision-test", vision_api_key=KEY,
    )  # fmt: skip


def test_cloud_sound_is_credited_recorded_and_checked(
    tmp_path: Path,
    tiny_preset: Preset,
    vendors: tuple[FreesoundServer, ElevenLabsServer, ChatServer],
) -> None:
    settings = settings_for(tmp_path, vendors)
    out = tmp_path / "out"
    result = Renderer(parse_spec(SPEC), tiny_preset, out_dir=out, settings=settings).run()
    assert result.qa.passed, result.qa.failures()
    credits = (out / "credits.txt").read_text(encoding="utf-8")
    assert '"Soft swoosh" by ana_foley' in credits
    assert "https://freesound.org/people/ana_foley/sounds/31/" in credits
    assert "CC-BY-4.0" in credits and "Public pop" not in credits  # CC0: no credit needed
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "credits.txt" in manifest["outputs"]
    audio = manifest["audio"]
    assert audio["music"]["source"] == "elevenlabs_music" and audio["music"]["cache"] == "miss"
    (bed_file,) = settings.cache_dir.glob("music/elevenlabs_music-*.wav")
    with wave.open(str(bed_file), "rb") as bed:  # the programme's exact length
        assert bed.getnframes() == round(float(result.timeline.duration) * 48000)
    assert [e["source"] for e in audio["effects"]] == ["freesound:31", "freesound:32"]
    assert audio["effects"][0]["attribution"]["author"] == "ana_foley"
    providers = audio["providers"]
    assert providers["used"] == {"music": "elevenlabs_music", "sfx": "freesound"}
    assert [(c["provider"], c.get("detail")) for c in providers["calls"]] == [
        ("elevenlabs_music", None),
        ("freesound", "search"), ("freesound", "preview"),
        ("freesound", "search"), ("freesound", "preview"),
    ]  # fmt: skip
    vision = manifest["qa"]["vision"]
    assert [(s["scene"], s["matches"]) for s in vision["scenes"]] == [(0, True), (1, True)]
    qa = json.loads((out / "qa.json").read_text(encoding="utf-8"))
    assert qa["vision"] == vision and qa["passed"] is True
    for path in [*out.iterdir(), *settings.cache_dir.rglob("*")]:
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path


def test_vendors_down_the_render_still_succeeds_offline_and_says_why(
    tmp_path: Path,
    tiny_preset: Preset,
    vendors: tuple[FreesoundServer, ElevenLabsServer, ChatServer],
) -> None:
    freesound, music, chat = vendors
    freesound.faults.extend([Fault(503)] * 3)
    music.faults.extend([Fault(503)] * 3)
    chat.faults.extend([Fault(503)] * 6)
    settings = settings_for(tmp_path, vendors, llm_retries=0)
    out = tmp_path / "out"
    result = Renderer(parse_spec(SPEC), tiny_preset, out_dir=out, settings=settings).run()
    assert result.qa.passed, result.qa.failures()  # the advisory check never fails a render
    manifest = result.manifest
    audio: Any = manifest["audio"]
    assert audio["music"]["source"] == "composed"
    assert all(e["source"] == "synthesised" for e in audio["effects"])
    reasons = {(f["capability"], f["reason"]) for f in audio["providers"]["fallbacks"]}
    assert reasons == {("music", "http_503"), ("sfx", "http_503")}
    assert not (out / "credits.txt").exists()
    vision: Any = manifest["qa"]
    assert vision["vision"]["status"] == "unavailable"
    assert vision["vision"]["fallbacks"][0]["reason"] == "http_503"
