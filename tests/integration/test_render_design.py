"""A designed render end to end at a small size: layouts drawn by libass, pictures moved by
the graph, boxes in the manifest, and the drawn pixels where the boxes say."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from aiprod.config import Settings
from aiprod.design.boxes import Box, SafeZone, outside_safe_zone, unintended_overlaps
from aiprod.pipeline.render import Renderer
from aiprod.spec.load import parse_spec
from aiprod.spec.presets import Preset

SPEC = {
    "brand": {
        "name": "Bean There",
        "colors": {"primary": "#2B1B17", "secondary": "#8C5A3C", "accent": "#FFC857"},
        "tagline": "Coffee worth the trip",
        "call_to_action": "Order at beanthere.coffee",
        "url": "beanthere.coffee",
    },
    "scenes": [
        {
            "title": "Coffee {\\pos(0,0)} worth it",
            "narration": "Coffee worth the trip.",
            "illustration": {"emoji": "☕"},
        },
        {
            "title": "Delivered fast",
            "narration": "At your door in forty eight hours.",
            "layout": "stat",
            "stat": {"value": 48, "unit": "h", "label": "from roaster to door"},
        },
        {"narration": "Order today.", "duration": 3.0},
    ],
}


def frame_at(video: Path, seconds: float, width: int, height: int) -> np.ndarray:
    raw = subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-ss", f"{seconds:.3f}", "-i", str(video)),
            *("-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1"),
        ],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, np.uint8)[: width * height].reshape(height, width)


def test_a_designed_render_records_its_boxes_and_draws_in_them(
    tmp_path: Path, settings: Settings
) -> None:
    preset = Preset(
        name="design_small",
        width=360,
        height=640,
        caption_style="social",
        loudness_lufs=-14,
        x264_preset="ultrafast",
        crf=26,
        audio_bitrate_k=96,
    )
    renderer = Renderer(parse_spec(SPEC), preset, out_dir=tmp_path / "out", settings=settings)
    result = renderer.run()
    assert result.qa.passed, result.qa.failures()
    design = result.manifest["design"]
    assert isinstance(design, dict) and renderer.design_section == design
    assert design["aspect"] == "9:16" and (design["width"], design["height"]) == (360, 640)
    assert design["stage_s"] >= 0
    assert [s["layout"] for s in design["scenes"]] == ["hook", "stat", "end_card"]
    zone = SafeZone(**design["safe_zone"])
    video = result.out_dir / "video.mp4"
    for scene in design["scenes"]:
        boxes = [Box.from_dict(b) for b in scene["boxes"]]
        assert outside_safe_zone(boxes, zone) == [] and unintended_overlaps(boxes) == []
        # late in the scene every element has entered: text is drawn inside its box
        frame = frame_at(video, scene["end_s"] - 0.4, 360, 640).astype(int)
        for box in boxes:
            if box.role in ("headline", "stat"):
                inside = frame[box.y : box.bottom, box.x : box.right]
                assert inside.max() - inside.min() > 80, (box.id, "nothing drawn")
    stat = next(b for b in design["scenes"][1]["boxes"] if b["role"] == "stat")
    assert stat["text_px"] > max(
        b["text_px"] or 0 for b in design["scenes"][1]["boxes"] if b["role"] != "stat"
    )
