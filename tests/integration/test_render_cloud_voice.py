"""A real render whose narration comes from a cloud voice: the local ElevenLabs-like server
(tests/voice_server.py) speaks, and its character timings become the captions' timing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from aiprod.config import Settings
from aiprod.media.ffmpeg.probe import probe
from aiprod.pipeline.render import Renderer
from aiprod.providers.resilience import reset_breakers
from aiprod.spec.load import parse_spec
from aiprod.spec.presets import Preset
from voice_server import KEYS, VoiceServer, word_times

TEXT = "Bean There roasts organic coffee every morning."


@pytest.fixture
def server() -> Iterator[VoiceServer]:
    reset_breakers()
    with VoiceServer() as running:
        yield running
    reset_breakers()


def test_elevenlabs_timings_drive_the_captions(
    tmp_path: Path, server: VoiceServer, tiny_preset: Preset
) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        voice_providers="elevenlabs",
        elevenlabs_base_url=server.base_url,
        elevenlabs_api_key=KEYS["elevenlabs"],
    )
    spec = parse_spec({"title": "Beans", "scenes": [{"title": "Beans", "narration": TEXT}]})
    out = tmp_path / "out"
    result = Renderer(spec, tiny_preset, out_dir=out, settings=settings).run()
    assert result.qa.passed, result.qa.failures()
    info = probe(out / "video.mp4")
    assert info.audio is not None
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    narration = manifest["narration"]
    assert narration["provider"] == "elevenlabs"
    (clip,) = narration["clips"]
    spoken = word_times(TEXT.split())
    for word, (start, end) in zip(clip["words"], spoken, strict=True):
        assert word["start_s"] - clip["start_s"] == pytest.approx(start, abs=0.02)
        assert word["end_s"] - clip["start_s"] == pytest.approx(end, abs=0.02)
    # the captions are timed by those words: the first cue appears with the first word (up
    # to the subtitlers' 0.25 s lead-in), the last one stays until the last word is said
    first_word = clip["words"][0]["start_s"]
    assert first_word - 0.25 - 1e-3 <= manifest["captions"][0]["start_s"] <= first_word
    assert manifest["captions"][-1]["end_s"] >= clip["words"][-1]["end_s"] - 0.05
    ledger = narration["providers"]
    assert ledger["used"] == {"voice": "elevenlabs"}
    assert ledger["calls"][0]["request_id"].startswith("req-")
    assert ledger["calls"][0]["units"] == {"characters": len(TEXT)}
    assert clip["voice"]["provider"] == "elevenlabs"
    for path in [*out.rglob("*"), *settings.data_dir.rglob("*")]:
        if path.is_file():
            assert KEYS["elevenlabs"].encode() not in path.read_bytes(), path
