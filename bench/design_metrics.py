"""Design figures of a rendered video, measured as the QA gate measures them (issue #11).

Given an output folder (``video.mp4`` + ``manifest.json``) or a video and its manifest,
prints, from one decode of the video (one frame per scene at its rest time):

- emptiness per scene (share of 8x8 blocks with no detail) and the median (target <= 55 %);
- the largest text per scene as a % of the frame height (target >= 6 %);
- the share of consecutive scene pairs laid out alike (target <= 33 %);
- the lowest WCAG text contrast measured, and against what it is held.

Headline size, layout variety and contrast need the manifest's ``design`` section (the
layout engine's boxes); without one they print as n/a and the frames are taken at the middle
of each scene's transition-free part, as the renderer does.

Run: ``.venv/bin/python bench/design_metrics.py out/demo`` or
``.venv/bin/python bench/design_metrics.py video.mp4 manifest.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

from aiprod.media.ffmpeg.probe import probe
from aiprod.media.measure import analyse_video
from aiprod.qa.design import DesignSection, alike_pairs, headline_shares
from aiprod.qa.pixels import contrast_findings, emptiness


def rest_times(manifest: dict[str, Any]) -> list[tuple[int, float, str]]:
    """(scene, time, layout) per scene: from the design section, else from the timeline."""
    design = manifest.get("design")
    if design:
        section = DesignSection.from_dict(design)
        return [(s.index, s.rest_time(), s.layout) for s in section.scenes]
    timeline = manifest["timeline"]
    fps = Fraction(timeline["fps"])
    first = timeline.get("fade_in_frames", 0)
    last = max(first, timeline["total_frames"] - timeline.get("fade_out_frames", 0) - 1)
    layouts = [s.get("layout") or "" for s in manifest.get("spec", {}).get("scenes", [])]
    found = []
    for slot in timeline["scenes"]:
        clear_start = slot["start"] + slot["transition_in"]
        clear_end = slot["start"] + slot["frames"] - slot["transition_out"]
        frame = min(last, max(first, (clear_start + clear_end) // 2))
        index = slot["index"]
        found.append((index, float(frame / fps), layouts[index] if index < len(layouts) else ""))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="output folder, or video.mp4")
    parser.add_argument("manifest", type=Path, nargs="?", help="manifest.json (with a video)")
    args = parser.parse_args(argv)
    if args.source.is_dir():
        video, manifest_path = args.source / "video.mp4", args.source / "manifest.json"
    else:
        video, manifest_path = args.source, args.manifest
        if manifest_path is None:
            parser.error("give the manifest.json that goes with the video")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    stream = probe(video).video
    if stream is None or not stream.width or not stream.height or not stream.r_frame_rate:
        print(f"{video}: no video stream", file=sys.stderr)
        return 1
    width, height, fps = stream.width, stream.height, stream.r_frame_rate
    points = rest_times(manifest)
    numbers = [int(at * fps) for _, at, _ in points]
    started = time.perf_counter()
    frames = analyse_video(video, grab_frames=numbers, frame_size=(width, height)).frames
    decode_s = time.perf_counter() - started

    print(f"{video} ({width}x{height}, {len(points)} scenes, one decode {decode_s:.2f} s)")
    shares: list[float] = []
    for (scene, at, layout), number in zip(points, numbers, strict=True):
        frame = frames.get(number)
        share = emptiness(frame) if frame is not None else None
        if share is not None:
            shares.append(share)
        shown = f"{share:6.1%}" if share is not None else "   n/a"
        print(f"  scene {scene:>2} at {at:6.2f} s  empty {shown}  {layout}")
    median = statistics.median(shares) if shares else None
    print(f"emptiness_median={median:.1%}" if median is not None else "emptiness_median=n/a")

    design = manifest.get("design")
    if not design:
        print("headline_min_pct=n/a alike_share=n/a contrast_min=n/a (no design section)")
        return 0
    section = DesignSection.from_dict(design)
    heads = headline_shares(section)
    for scene, share in heads.items():
        print(f"  scene {scene:>2} largest text {share:.2%} of the height")
    pairs = max(1, len(section.scenes) - 1)
    alike = alike_pairs(section)
    scene_frames = [frames.get(n) for n in numbers]
    findings, unmeasured = contrast_findings(section, scene_frames, [at for _, at, _ in points])
    worst = min(findings, key=lambda f: f.ratio, default=None)
    head = f"{min(heads.values()):.2%}" if heads else "n/a"
    contrast = (
        f"{worst.ratio:.2f}:1 ({worst.box.id}, needs {worst.required:g}:1)" if worst else "n/a"
    )
    print(
        f"headline_min_pct={head} alike_share={len(alike) / pairs:.1%} "
        f"({len(alike)} of {len(section.scenes) - 1}) contrast_min={contrast} "
        f"contrast_unmeasured={unmeasured}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
