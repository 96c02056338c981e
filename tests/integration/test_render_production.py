"""Renders that use the creative stages: composed music, designed sound, illustrations."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
from PIL import Image

from aiprod.config import Settings
from aiprod.media.measure import detect_silence
from aiprod.pipeline.render import Renderer
from aiprod.spec.load import parse_spec
from aiprod.spec.presets import Preset


def frame_at(video: Path, seconds: float, out: Path) -> np.ndarray:
    command = ["ffmpeg", "-v", "error", "-y", "-ss", f"{seconds:.3f}", "-i", str(video)]
    subprocess.run([*command, "-frames:v", "1", str(out)], check=True)
    with Image.open(out) as image:
        return np.asarray(image.convert("RGB")).astype(int)


def test_composed_music_designed_sound_emoji_and_icon_illustrations(
    tmp_path: Path, settings: Settings, tiny_preset: Preset
) -> None:
    spec = parse_spec(
        {
            "music": {"mood": "upbeat", "seed": 3},
            "brand": {"colors": {"accent": "#FF00AA"}},
            "scenes": [
                {
                    "title": "Rainy days",
                    "narration": "Rainy days call for a warm cup.",
                    "keywords": ["rain", "coffee"],
                    "illustration": {"emoji": "☕"},
                    "sfx": [{"kind": "ambience", "volume_db": -18}, {"kind": "pop", "at": 0.1}],
                },
                {
                    "title": "Order now",
                    "narration": "Order now, it ships today.",
                    "illustration": {"icon": "truck", "size": 0.5},
                    "sfx": [
                        {"kind": "whoosh"},
                        {"kind": "impact", "at": 0.6},
                        {"kind": "riser", "at": 0.0, "duration": 1.5},
                    ],
                },
            ],
        }
    )
    out = tmp_path / "out"
    result = Renderer(spec, tiny_preset, out_dir=out, settings=settings).run()
    assert result.qa.passed, result.qa.failures()
    audio = result.manifest["audio"]
    assert audio["music"]["source"] == "composed" and audio["music"]["mood"] == "upbeat"
    effects = audio["effects"]
    assert [e["kind"] for e in effects] == ["ambience", "pop", "whoosh", "impact", "riser"]
    assert effects[0]["category"] == "rain"  # from the scene's keywords
    assert all(e["source"] == "synthesised" and "CC0" in e["licence"] for e in effects)
    # music runs under the whole programme: no gap in the sound anywhere
    assert detect_silence(out / "video.mp4", min_duration=0.3, noise_db=-45) == []
    assert result.manifest["cost"]["actual"]["total"] >= 0
    assert result.stage_seconds["sound"] > 0 and result.stage_seconds["visuals"] > 0
    consistency, timeline = result.manifest["consistency"], result.manifest["timeline"]
    assert isinstance(consistency, dict) and isinstance(timeline, dict)
    assert consistency["visuals"] == ["☕", "icon:truck"]
    # the icon is drawn on a disc of the brand's accent colour, in the second scene only
    duration = float(timeline["duration_s"])
    magenta = [
        int((np.abs(frame - [0xFF, 0x00, 0xAA]).max(axis=2) < 40).sum())
        for frame in (
            frame_at(out / "video.mp4", 1.0, tmp_path / "first.png"),
            frame_at(out / "video.mp4", duration - 0.8, tmp_path / "last.png"),
        )
    ]
    # designed scenes use the accent everywhere (rings, underlines, key words): the icon's
    # accent disc in the second scene still adds far more of it
    assert magenta[1] > 2 * max(magenta[0], 100), magenta


def test_the_user_library_is_searched_before_synthesis(
    tmp_path: Path, tiny_preset: Preset, make_media: object
) -> None:
    library = tmp_path / "sfx" / "whoosh"
    library.mkdir(parents=True)
    assert callable(make_media)
    clip = make_media("pop.wav", "pop")
    (library / "air_swoosh.wav").write_bytes(Path(clip).read_bytes())
    (library / "air_swoosh.wav.json").write_text('{"tags": ["whoosh"], "licence": "CC-BY-4.0"}')
    settings = Settings(data_dir=tmp_path / "data", sfx_library_dir=tmp_path / "sfx")
    spec = parse_spec(
        {
            "scenes": [
                {"narration": "One.", "transition": {"duration": 0.3}},
                {"narration": "Two.", "sfx": [{"kind": "whoosh"}]},
            ]
        }
    )
    result = Renderer(spec, tiny_preset, out_dir=tmp_path / "out", settings=settings).run()
    effect = result.manifest["audio"]["effects"][0]
    assert effect["source"].startswith("library:") and effect["licence"] == "CC-BY-4.0"
