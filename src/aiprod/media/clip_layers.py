"""The user's clip as the hero of a product/asset scene: played sharp inside its box, over
the scene's background (that clip's first frame, blurred once: ``scene_backgrounds``).

Measured on a 30 s 1080x1920 render (veryfast), CPU seconds: the clip cover-fitted to the
whole frame 20.3; blurred in the graph (a 1/8 copy, gblur, scaled back) under the clip in
its box 25.9 (boxblur 26.4); the first frame blurred once as a still under the clip in its
box 16.8. The still is what we use: the clip is only scaled down to its box.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from aiprod.media.backgrounds import CLIP_SCALE
from aiprod.media.ffmpeg.graph import Filter, Graph, f
from aiprod.media.timeline import Timeline, frames_for

FADE_S = 0.3


@dataclass(frozen=True)
class ClipLayer:
    scene: int
    path: Path
    x: int  # the box the clip fits in (aspect kept, centred), frame pixels
    y: int
    w: int
    h: int
    start: int  # first frame shown
    frames: int
    loop: bool = True
    offset_s: float = 0.0  # where in the clip to start


def input_options(item: ClipLayer) -> list[str]:
    args = ["-stream_loop", "-1"] if item.loop else []
    if item.offset_s:
        args += ["-ss", f"{item.offset_s:.3f}"]
    return args


def clip_chain(item: ClipLayer, timeline: Timeline) -> list[Filter]:
    fps = timeline.fps
    fade = min(frames_for(FADE_S, fps), max(1, item.frames // 3))
    hold = [] if item.loop else [f("tpad", stop=-1, stop_mode="clone")]
    return [
        f("fps", fps),
        *hold,
        f("trim", end_frame=item.frames),
        f(
            "scale",
            w=item.w,
            h=item.h,
            force_original_aspect_ratio="decrease",
            force_divisible_by=2,
            **CLIP_SCALE,  # into the compose's matrix
        ),
        f("setsar", 1),
        f("format", "yuva420p"),
        f("settb", expr=f"{fps.denominator}/{fps.numerator}"),
        f("setpts", f"N+{item.start}"),
        f("fade", t="in", s=0, n=fade, alpha=1),
        f("fade", t="out", s=item.frames - fade, n=fade, alpha=1),
    ]


def add_clip_layers(
    items: Sequence[ClipLayer],
    video: str,
    timeline: Timeline,
    graph: Graph,
    add_input: Callable[[Path, list[str]], int],
) -> str:
    """Overlay each clip in its box on ``video``; ``add_input(path, options) -> index``."""
    for item in items:
        k = add_input(item.path, input_options(item))
        label, out = f"clip{item.scene}", f"clipped{item.scene}"
        graph.add([f"{k}:v"], clip_chain(item, timeline), [label])
        cx, cy = item.x + item.w / 2, item.y + item.h / 2
        graph.add(
            [video, label],
            [f("overlay", x=f"{cx:.1f}-w/2", y=f"{cy:.1f}-h/2", eof_action="pass")],
            [out],
        )
        video = out
    return video
