"""A real render whose sound effects come from a Freesound-like server (the published API
v2, tests/vendor_servers.py): the CC-BY sound is credited in ``credits.txt`` beside the video,
listed in the outputs, and the manifest carries the calls; the key is in no output."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from aiprod.config import Settings
from aiprod.pipeline.render import Renderer
from aiprod.providers.resilience import reset_breakers
from aiprod.spec.load import parse_spec
from aiprod.spec.presets import Preset
from vendor_servers import CC0, CC_BY, FreesoundServer, VendorServer, make_audio

KEY = VendorServer.api_key


@pytest.fixture
def freesound(tmp_path: Path) -> Iterator[FreesoundServer]:
    reset_breakers()
    ogg = make_audio(tmp_path / "hit.ogg", 1.0, "libvorbis")
    with FreesoundServer([], ogg, page_size=5) as running:
        assert isinstance(running, FreesoundServer)
        running.sounds = [
            running.sound(31, "Soft swoosh", CC_BY, "ana_foley", duration=0.8),
            running.sound(32, "Public pop", CC0, "pd_person", duration=0.3),
        ]
        yield running
    reset_breakers()


def test_cc_by_effect_is_credited_beside_the_video(
    tmp_path: Path, tiny_preset: Preset, freesound: FreesoundServer
) -> None:
    settings = Settings(data_dir=tmp_path / "data", freesound_api_key=KEY,
                        freesound_base_url=f"{freesound.origin}/apiv2")  # fmt: skip
    spec = parse_spec({
        "title": "Bean There",
        "scenes": [
            {"narration": "Fresh coffee, every morning.", "sfx": [{"kind": "whoosh", "at": 0.1}]},
            {"narration": "Order today.", "sfx": [{"kind": "pop", "at": 0.2, "seed": 1}]},
        ],
    })  # fmt: skip
    out = tmp_path / "out"
    result = Renderer(spec, tiny_preset, out_dir=out, settings=settings).run()
    assert result.qa.passed, result.qa.failures()
    credits = (out / "credits.txt").read_text(encoding="utf-8")
    assert '"Soft swoosh" by ana_foley' in credits
    assert "https://freesound.org/people/ana_foley/sounds/31/" in credits
    assert "CC-BY-4.0" in credits and "Public pop" not in credits  # CC0: no credit needed
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "credits.txt" in manifest["outputs"]
    effects = manifest["audio"]["effects"]
    assert [e["source"] for e in effects] == ["freesound:31", "freesound:32"]
    assert effects[0]["attribution"]["author"] == "ana_foley"
    providers = manifest["audio"]["providers"]
    assert providers["used"] == {"sfx": "freesound"}
    assert [c["detail"] for c in providers["calls"]] == ["search", "preview", "search", "preview"]
    for path in [*out.iterdir(), *settings.cache_dir.rglob("*")]:
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
