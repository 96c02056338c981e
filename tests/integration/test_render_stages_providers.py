"""The stage cache with cloud providers (servers following the vendors' APIs): a result
made on a fallback is not kept, a cloud result is, and a cached one costs no new call."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from test_render_freesound import KEY, SPEC, settings_for, vendors  # noqa: F401  (fixture)

from aiprod.pipeline.render import Renderer
from aiprod.providers.resilience import reset_breakers
from aiprod.spec.load import parse_spec
from aiprod.spec.presets import Preset
from vendor_servers import ChatServer, ElevenLabsServer, Fault, FreesoundServer


def test_a_fallback_is_not_kept_and_a_cloud_result_is_reused_without_a_call(
    tmp_path: Path,
    tiny_preset: Preset,
    vendors: tuple[FreesoundServer, ElevenLabsServer, ChatServer],  # noqa: F811
) -> None:
    freesound, music, chat = vendors
    freesound.faults.extend([Fault(503)] * 3)
    music.faults.extend([Fault(503)] * 3)
    chat.faults.extend([Fault(503)] * 6)
    settings = settings_for(tmp_path, vendors, llm_retries=0)
    manifests: list[dict[str, Any]] = []
    for n in range(3):
        reset_breakers()  # as after the breaker's cooldown
        out = tmp_path / f"out{n}"
        Renderer(parse_spec(SPEC), tiny_preset, out_dir=out, settings=settings).run()
        manifests.append(json.loads((out / "manifest.json").read_text(encoding="utf-8")))
        for server in vendors:  # the outage is over
            server.faults.clear()
    use = [{s["name"]: s["cache"] for s in m["stages"]} for m in manifests]
    # 1: the vendors were down, the offline fallbacks were used and not kept
    assert manifests[0]["audio"]["music"]["source"] == "composed"
    assert (use[0]["music"], use[0]["sfx"]) == ("miss", "miss")
    # 2: asked again, the cloud answered; 3: answered from the stage cache, no call made
    assert manifests[1]["audio"]["music"]["source"] == "elevenlabs_music"
    assert (use[1]["music"], use[1]["sfx"], use[1]["qa"]) == ("miss", "miss", "miss")
    assert (use[2]["music"], use[2]["sfx"], use[2]["qa"]) == ("hit", "hit", "hit")
    assert manifests[2]["audio"]["providers"]["calls"] == []
    assert manifests[2]["audio"]["effects"] == [
        {**e, "path": manifests[2]["audio"]["effects"][i]["path"]}
        for i, e in enumerate(manifests[1]["audio"]["effects"])
    ]
    assert manifests[2]["qa"]["vision"] == manifests[1]["qa"]["vision"]
    assert "ana_foley" in (tmp_path / "out2" / "credits.txt").read_text(encoding="utf-8")
    providers = {s["name"]: s["provider"] for s in manifests[2]["stages"]}
    assert providers["music"] == "elevenlabs_music" and providers["sfx"] == "freesound"
    for path in (settings.cache_dir / "stages").rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
