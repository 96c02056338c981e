"""End to end: `make demo`'s brief at full 1080x1920 through the real CLI, as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from aiprod.media.ffmpeg.probe import probe
from aiprod.media.measure import measure_loudness

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
OUTPUT_NAMES = {
    "video.mp4",
    "thumbnail.jpg",
    "contact_sheet.jpg",
    "captions.srt",
    "captions.vtt",
    "qa.json",
    "manifest.json",
}


@pytest.mark.slow
def test_demo_brief_renders_at_1080p_on_target(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "aiprod",
            "render",
            "--brief",
            (EXAMPLES / "brief.txt").read_text(encoding="utf-8"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={"AIPROD_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert {p.name for p in out.iterdir()} == OUTPUT_NAMES
    qa = json.loads((out / "qa.json").read_text(encoding="utf-8"))
    assert qa["passed"] is True, [c for c in qa["checks"] if not c["passed"]]
    info = probe(out / "video.mp4")
    assert info.video is not None and (info.video.width, info.video.height) == (1080, 1920)
    assert info.duration is not None and 27 <= info.duration <= 33  # a 30-second brief
    level = measure_loudness(out / "video.mp4")
    assert abs(level.integrated_lufs - -14.0) <= 1.0
    assert level.true_peak_dbtp <= -1.0
    thumb = probe(out / "thumbnail.jpg")
    assert thumb.video is not None and thumb.video.width == 1080
    srt = (out / "captions.srt").read_text(encoding="utf-8")
    assert "Bean There" in srt
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["narration"]["provider"] == "piper"
    assert len(manifest["timeline"]["scenes"]) >= 3
    assert manifest["audio"]["music"]["source"] == "composed"
    assert {e["kind"] for e in manifest["audio"]["effects"]} >= {"whoosh", "riser", "impact"}
    assert next(c for c in qa["checks"] if c["name"] == "key_points")["passed"]
