"""The pipeline's declared stages with their content cache and resume, on real renders."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from aiprod.config import Settings
from aiprod.pipeline.render import SOUND_NICE, Renderer
from aiprod.pipeline.stages import CACHED_STAGES, RENDER_STAGES
from aiprod.spec.load import parse_spec
from aiprod.spec.presets import Preset

SPEC: dict[str, Any] = {
    "music": {"mood": "upbeat", "seed": 3},
    "scenes": [
        {
            "title": "Fast bikes",
            "narration": "Our bikes are fast.",
            "sfx": [{"kind": "whoosh", "at": 0.1}],
        },
        {"title": "Order today", "narration": "Order yours today."},
    ],
}


def render(spec: dict[str, Any], preset: Preset, settings: Settings, out: Path) -> dict[str, Any]:
    Renderer(parse_spec(spec), preset, out_dir=out, settings=settings).run()
    manifest: dict[str, Any] = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return manifest


def cache_use(manifest: dict[str, Any]) -> dict[str, str]:
    return {s["name"]: s["cache"] for s in manifest["stages"]}


def test_stages_are_recorded_in_order_and_a_headline_edit_recomposes_only(
    tmp_path: Path, settings: Settings, tiny_preset: Preset
) -> None:
    first = render(SPEC, tiny_preset, settings, tmp_path / "a")
    assert [s["name"] for s in first["stages"]] == list(RENDER_STAGES)
    for record in first["stages"]:
        assert record["cache"] == ("miss" if record["name"] in CACHED_STAGES else "off")
        assert record["seconds"] >= 0 and (record["key"] is None) == (record["cache"] == "off")
    assert {s["name"]: s["provider"] for s in first["stages"]}["narration"] == "piper"
    edited = json.loads(json.dumps(SPEC))
    edited["scenes"][0]["title"] = "Faster bikes"
    second = cache_use(render(edited, tiny_preset, settings, tmp_path / "b"))
    assert {n: second[n] for n in ("narration", "music", "sfx", "audio")} == dict.fromkeys(
        ("narration", "music", "sfx", "audio"), "hit"
    )
    assert second["compose"] == "miss" and second["qa"] == "miss"
    a, b = (tmp_path / "a" / "video.mp4").read_bytes(), (tmp_path / "b" / "video.mp4").read_bytes()
    assert a != b


def test_another_music_reuses_the_picture_and_joins_it_to_the_new_sound(
    tmp_path: Path, settings: Settings, tiny_preset: Preset, monkeypatch: pytest.MonkeyPatch
) -> None:
    render(SPEC, tiny_preset, settings, tmp_path / "a")
    louder = json.loads(json.dumps(SPEC))
    louder["music"]["seed"] = 4

    def decode(*_: object, **__: object) -> None:
        raise AssertionError("QA decoded the file: the picture came with its measurements")

    monkeypatch.setattr("aiprod.media.measure.analyse_video", decode)
    monkeypatch.setattr("aiprod.media.measure.frames_by_seeking", decode)
    manifest = render(louder, tiny_preset, settings, tmp_path / "b")
    use = cache_use(manifest)
    assert use["narration"] == use["picture"] == "hit"
    assert use["music"] == use["audio"] == use["compose"] == "miss"
    streams = [
        subprocess.run(
            ["ffmpeg", "-v", "error", "-i", str(tmp_path / name / "video.mp4"), "-map", "0:v",
             "-c", "copy", "-f", "md5", "-"],
            capture_output=True, text=True, check=True,
        ).stdout
        for name in ("a", "b")
    ]  # fmt: skip
    assert streams[0] == streams[1]  # the very same picture, not encoded again
    # judged on the same frames as when it was drawn: the picture's checks read the same
    checks = [
        {
            c["name"]: c["measured"]
            for c in json.loads((tmp_path / n / "qa.json").read_text())["checks"]
        }
        for n in ("a", "b")
    ]
    pictured = [n for n in checks[0] if n.startswith("design_") or n.endswith("_frames")]
    assert len(pictured) >= 6
    assert {n: checks[0][n] for n in pictured} == {n: checks[1][n] for n in pictured}
    first = (tmp_path / "a" / "video.mp4").read_bytes()
    assert first != (tmp_path / "b" / "video.mp4").read_bytes()
    # the picture's work is the compose's when priced: a join alone teaches no speed
    actual = {s["stage"]: s["seconds"] for s in manifest["cost"]["actual"]["stages"]}
    assert "picture" not in actual


def test_an_identical_request_is_answered_from_the_cache_byte_for_byte(
    tmp_path: Path, settings: Settings, tiny_preset: Preset
) -> None:
    render(SPEC, tiny_preset, settings, tmp_path / "a")
    again = render(SPEC, tiny_preset, settings, tmp_path / "b")
    # every cached stage answered from the cache (how much sooner is the benchmark's to say)
    assert {n: u for n, u in cache_use(again).items() if u != "off"} == dict.fromkeys(
        CACHED_STAGES, "hit"
    )
    for name in ("video.mp4", "thumbnail.jpg", "qa.json", "captions.srt"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert again["qa"]["passed"] is True
    # answered by the cache, so it cost (and taught the throughput store) nothing
    actual = {s["stage"]: s["seconds"] for s in again["cost"]["actual"]["stages"]}
    assert actual["compose"] == 0.0


def test_a_changed_user_file_is_not_answered_from_the_cache(
    tmp_path: Path, settings: Settings, tiny_preset: Preset
) -> None:
    from PIL import Image

    picture = tmp_path / "bg.png"
    Image.new("RGB", (64, 64), "#204080").save(picture)
    spec = {
        "scenes": [
            {
                "title": "Hi",
                "duration": 2,
                "background": {"type": "image", "path": str(picture), "ken_burns": "none"},
            }
        ]
    }
    render(spec, tiny_preset, settings, tmp_path / "a")
    time.sleep(0.01)
    Image.new("RGB", (64, 64), "#c03030").save(picture)
    assert cache_use(render(spec, tiny_preset, settings, tmp_path / "b"))["compose"] == "miss"


def test_no_secret_from_the_settings_reaches_the_stage_cache(
    tmp_path: Path, settings: Settings, tiny_preset: Preset
) -> None:
    secret = "sk-stage-cache-canary-42"
    keyed = settings.model_copy(update={"llm_api_key": SecretStr(secret)})
    manifest = render(SPEC, tiny_preset, keyed, tmp_path / "out")
    stored = [p for p in (keyed.cache_dir / "stages").rglob("*") if p.is_file()]
    assert len(stored) > 10
    assert all(secret.encode() not in p.read_bytes() for p in stored)
    assert secret not in json.dumps(manifest)


def test_a_brief_is_planned_and_spoken_once_and_its_repeat_answered_from_the_cache(
    tmp_path: Path,
) -> None:
    from aiprod.pipeline.request import Request, prepare_request

    presets = tmp_path / "presets.yaml"
    presets.write_text(
        "small:\n  width: 288\n  height: 512\n  caption_style: social\n  loudness_lufs: -14\n"
        "  x264_preset: ultrafast\n  crf: 28\n  audio_bitrate_k: 96\n",
        encoding="utf-8",
    )
    settings = Settings(data_dir=tmp_path / "data", presets_file=presets)
    request = Request(brief="Ad for Bean There coffee: organic beans", preset="small", duration_s=8)
    outs = []
    for n in range(2):
        ready = prepare_request(request, settings)
        out = tmp_path / f"out{n}"
        Renderer(
            ready.spec, ready.preset, out_dir=out, settings=settings, prior_stages=ready.stages
        ).run()
        outs.append(json.loads((out / "manifest.json").read_text(encoding="utf-8")))
    first, second = (cache_use(m) for m in outs)
    assert [s["name"] for s in outs[0]["stages"]] == ["plan", *RENDER_STAGES]
    # the planner spoke the script through the narration stage: the render reuses it
    assert first["plan"] == "miss" and first["narration"] == "hit"
    assert second["plan"] == "hit"
    assert {n for n, u in second.items() if u == "miss"} == set()
    assert (tmp_path / "out0" / "video.mp4").read_bytes() == (
        tmp_path / "out1" / "video.mp4"
    ).read_bytes()


def test_the_sound_is_made_on_a_thread_that_yields_the_cpu_to_the_picture(
    tmp_path: Path, settings: Settings, tiny_preset: Preset, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, int]] = []
    made = Renderer._prepare_sound

    def watched(self: Renderer, *args: Any) -> Any:
        me = threading.current_thread()
        seen.append((me.name, os.getpriority(os.PRIO_PROCESS, threading.get_native_id())))
        return made(self, *args)

    monkeypatch.setattr(Renderer, "_prepare_sound", watched)
    render(SPEC, tiny_preset, settings, tmp_path / "a")
    (thread, nice), main = seen[0], os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert thread.startswith("render-sound") and nice == min(19, main + SOUND_NICE)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == main  # not this one's
