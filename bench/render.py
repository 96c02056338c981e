"""Render benchmark, two runs at 1920x1080, each against a bare re-encode of its own output:

1. a hand-written 30 s, 5-scene spec (gradient, Ken Burns still, clip, music file);
2. a 30 s brief, through the whole pipeline: planning (with its narration pacing),
   narration, composed music, designed sound, illustrations, render, QA.

Prints per-stage times and peak memory for each; the last line is the brief run's
``ratio_to_bare_encode=R peak_rss_mb=M peak_tree_mb=T`` where R = whole wall time / wall
time of re-encoding the produced video with the same encoder settings, measured in this
run; M = this process's peak plus its largest child's peak over both runs (an upper bound:
they never run at once); T = the largest resident memory of this process and its children
at any one moment of the run, sampled. Targets: R <= 1.5, memory under 1 GB.

Run: ``make bench`` (or ``.venv/bin/python bench/render.py [--keep DIR]``).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

from aiprod.config import Settings
from aiprod.intake import load_spec
from aiprod.media.ffmpeg.run import run_ffmpeg
from aiprod.pipeline.render import Renderer, RenderResult
from aiprod.pipeline.request import Request, prepare_request
from aiprod.providers.tts.registry import forget_providers

NARRATION = [
    "Meet Northwind, the planner that turns a messy, crowded week into a calm and clear plan.",
    "Drop in your tasks, and it sorts them by what matters most to you, automatically.",
    "Your calendar, your notes and your whole team stay in one place, on every device.",
    "Teams that switched save four hours every week, and they finally ship on time.",
    "Start free today at northwind dot app, and plan the best week you have had in years.",
]


def make_fixtures(folder: Path) -> dict[str, str]:
    """Generated inputs: a photo-like still, a moving clip and a music bed."""
    still, clip, music = folder / "still.png", folder / "clip.mp4", folder / "music.wav"
    run_ffmpeg(["-y", "-f", "lavfi", "-i", "mandelbrot=s=2400x1600", "-frames:v", "1", str(still)])
    run_ffmpeg(
        [
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=s=1280x720:r=30:d=4",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            str(clip),
        ]
    )
    chord = "+".join(f"0.2*sin(2*PI*{hz}*t)*(0.6+0.4*sin(2*PI*2*t))" for hz in (220, 277, 330))
    run_ffmpeg(["-y", "-f", "lavfi", "-i", f"aevalsrc={chord}:s=48000:d=12", str(music)])
    return {"still": str(still), "clip": str(clip), "music": str(music)}


def bench_spec(folder: Path, fixtures: dict[str, str]) -> Path:
    backgrounds = [
        {"type": "gradient", "preset": "aurora"},
        {"type": "image", "path": fixtures["still"], "ken_burns": "zoom_in"},
        {"type": "video", "path": fixtures["clip"]},
        {"type": "gradient", "preset": "sunset"},
        {"type": "color", "color": "#1E3A5F"},
    ]
    titles = [
        "Northwind",
        "Smart priorities",
        "Everything in one place",
        "4 hours saved",
        "northwind.app",
    ]
    transitions = ["fade", "slideleft", "circleopen", "wipeleft"]
    scenes = [
        {
            "title": t,
            "narration": n,
            "background": b,
            "padding": 0.5,
            "transition": {"type": transitions[i], "duration": 0.5} if i < 4 else None,
        }
        for i, (t, n, b) in enumerate(zip(titles, NARRATION, backgrounds, strict=True))
    ]
    scenes[2]["text"] = "Calendar · notes · team"
    spec = {
        "preset": "brand_campaign",
        "title": "Bench",
        "scenes": scenes,
        "music": {"path": fixtures["music"]},
        "captions": {"style": "clean"},
    }
    path = folder / "bench.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return path


def bare_encode_seconds(video: Path, preset_name: str, crf: int, out: Path) -> float:
    started = time.perf_counter()
    run_ffmpeg(
        [
            "-y",
            "-i",
            str(video),
            "-c:v",
            "libx264",
            "-preset",
            preset_name,
            "-crf",
            str(crf),
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-b:a",
            "192k",
            str(out),
        ]
    )
    return time.perf_counter() - started


class TreeMemory:
    """The largest sum of resident memory of this process and every process it has
    started, sampled every 20 ms: what the machine must hold at once (``peak_rss_mb``
    adds this process's peak to its largest child's, which never ran at the same time)."""

    def __init__(self) -> None:
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @staticmethod
    def _rss_kb(pid: int) -> int:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:  # gone between listing and reading
            return 0
        match = re.search(r"VmRSS:\s+(\d+)", status)
        return int(match.group(1)) if match else 0

    @staticmethod
    def _children(pid: int) -> list[int]:
        out: list[int] = []
        for task in Path(f"/proc/{pid}/task").glob("*/children"):
            try:
                out += [int(c) for c in task.read_text().split()]
            except OSError:
                continue
        return out

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            pending, total = [os.getpid()], 0
            while pending:
                pid = pending.pop()
                total += self._rss_kb(pid)
                pending += self._children(pid)
            self.peak_kb = max(self.peak_kb, total)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return self.peak_kb / 1024


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + child) / 1024  # worst case: our peak plus the largest child's peak


BRIEF = (
    "30-second horizontal video for Northwind, the team planner. Inspiring. Highlight smart "
    "priorities, a shared calendar and offline mode. Call to action: start free at "
    "northwind.app"
)


def report(name: str, result: RenderResult, wall_s: float, bare_s: float) -> float:
    duration = float(result.timeline.duration)
    tl = result.timeline
    print(f"== {name}")
    for record in result.manifest.get("stages", []):  # the manifest's stage records, in order
        provider = record["provider"] or "-"
        print(
            f"stage {record['name']:<10} {record['seconds']:7.2f} s  "
            f"cache {record['cache']:<4}  {provider}"
        )
    design = result.manifest.get("design")
    if isinstance(design, dict):  # the layout engine's own time, inside its stage
        scenes = design["scenes"]
        boxes = sum(len(s["boxes"]) for s in scenes)
        print(
            f"design stage {design['stage_s'] * 1000:.1f} ms: {len(scenes)} scenes "
            f"({', '.join(s['layout'] for s in scenes)}), {boxes} boxes"
        )
    print(f"video {duration:.2f} s at {tl.width}x{tl.height}, QA passed={result.qa.passed}")
    print(
        f"whole run {wall_s:.2f} s ({duration / wall_s:.2f}x real time), "
        f"bare re-encode {bare_s:.2f} s"
    )
    return wall_s / bare_s


def spec_run(folder: Path, out_dir: Path) -> float:
    spec_path = bench_spec(folder, make_fixtures(folder))
    settings = Settings(data_dir=folder / "data-spec")  # fresh: no narration cache
    started = time.perf_counter()
    spec, preset = load_spec(spec_path)
    result = Renderer(spec, preset, out_dir=out_dir, settings=settings).run()
    wall = time.perf_counter() - started
    bare = bare_encode_seconds(result.video, preset.x264_preset, preset.crf, folder / "b1.mp4")
    return report("spec: 5 scenes, 1920x1080", result, wall, bare)


def brief_run(folder: Path, out_dir: Path) -> float:
    settings = Settings(data_dir=folder / "data-brief")  # fresh: nothing cached
    forget_providers()  # a cold start, like the spec run: the voice model loads again
    started = time.perf_counter()
    ready = prepare_request(Request(brief=BRIEF, preset="brand_campaign"), settings)
    spec, preset = ready.spec, ready.preset
    result = Renderer(
        spec, preset, out_dir=out_dir, settings=settings, prior_stages=ready.stages
    ).run()
    wall = time.perf_counter() - started
    bare = bare_encode_seconds(result.video, preset.x264_preset, preset.crf, folder / "b2.mp4")
    return report("brief: planning to MP4, 1920x1080", result, wall, bare)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep", type=Path, help="keep the rendered files in this folder")
    parser.add_argument(
        "--only",
        choices=("spec", "brief"),
        help="one run (both by default; the last line is the brief run's)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aiprod-bench-") as tmp:
        folder = Path(tmp)
        keep = args.keep or folder / "out"
        if args.only != "brief":
            with TreeMemory() as spec_memory:
                spec_ratio = spec_run(folder, keep / "spec")
            print(
                f"spec run: ratio_to_bare_encode={spec_ratio:.2f} peak_rss_mb={peak_rss_mb():.0f} "
                f"peak_tree_mb={spec_memory.peak_mb:.0f}"
            )
        if args.only != "spec":
            with TreeMemory() as brief_memory:
                brief_ratio = brief_run(folder, keep / "brief")
            print(
                f"ratio_to_bare_encode={brief_ratio:.2f} peak_rss_mb={peak_rss_mb():.0f} "
                f"peak_tree_mb={brief_memory.peak_mb:.0f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
