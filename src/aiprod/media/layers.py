"""Raster layers of a designed scene (icons, emoji, the user's pictures): decoded once,
scaled once to their display size, then moved by overlay expressions inside the one render
graph: a spring pop on entry, then a slow float (or a camera push for photos).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from aiprod.media.ffmpeg.graph import Filter, Graph, f
from aiprod.media.timeline import Timeline, frames_for, seconds_at

POP_S = 0.45  # entrance: scale from 55 % with a small overshoot
FADE_S = 0.25
FLOAT_PERIOD_S = 3.2
FLOAT_AMPLITUDE = 0.035  # of the picture's size
PUSH_ZOOM = 0.08  # a photo grows 8 % over its scene


@dataclass(frozen=True)
class PictureLayer:
    scene: int
    png: Path
    x: int  # the box the picture fits in, frame pixels
    y: int
    size: int
    start: int  # first frame shown
    frames: int
    motion: Literal["float", "push"] = "float"


def _progress(start_s: float, seconds: float) -> str:
    return f"clip((t-{start_s:.4f})/{seconds:.4f},0,1)"


def _pop_scale(start_s: float) -> str:
    """Ease-out-back from 0.55 to 1 (about 6 % overshoot), as an expression of t."""
    x = _progress(start_s, POP_S)
    return f"(0.55+0.45*(1+2.2*pow({x}-1,3)+1.2*pow({x}-1,2)))"


def layer_chain(item: PictureLayer, timeline: Timeline) -> list[Filter]:
    fps = timeline.fps
    start_s = float(seconds_at(item.start, fps))
    fade = min(frames_for(FADE_S, fps), max(1, item.frames // 3))
    if item.motion == "push":  # grows into its box by the end of the scene
        side = max(2, int(item.size / (1 + PUSH_ZOOM)) // 2 * 2)
        duration = max(0.1, item.frames / float(fps))
        scale = f"(1+{PUSH_ZOOM}*{_progress(start_s, duration)})*{_pop_scale(start_s)}"
        canvas = int(side * (1 + PUSH_ZOOM) * 1.08) // 2 * 2 + 2
    else:
        side = max(2, item.size // 2 * 2)
        scale = _pop_scale(start_s)
        canvas = int(side * 1.08) // 2 * 2 + 2
    return [
        f("scale", w=side, h=side, force_original_aspect_ratio="decrease", flags="lanczos"),
        f("format", "rgba"),
        f("loop", loop=item.frames - 1, size=1, start=0),
        f("settb", expr=f"{fps.denominator}/{fps.numerator}"),
        f("setpts", f"N+{item.start}"),
        f("scale", w=f"max(2,trunc(iw*{scale}/2)*2)", h=-2, eval="frame", flags="bicubic"),
        f(
            "pad",
            w=canvas,
            h=canvas,
            x="(ow-iw)/2",
            y="(oh-ih)/2",
            color="black@0",
            eval="frame",
        ),
        f("fade", t="in", s=0, n=fade, alpha=1),
        f("fade", t="out", s=item.frames - fade, n=fade, alpha=1),
    ]


def add_layers(
    items: Sequence[PictureLayer],
    video: str,
    timeline: Timeline,
    graph: Graph,
    add_input: Callable[[Path], int],
) -> str:
    """Overlay each picture layer on ``video``; ``add_input(path) -> index`` adds an input."""
    for item in items:
        k = add_input(item.png)
        label, out = f"pic{item.scene}", f"pictured{item.scene}"
        graph.add([f"{k}:v"], layer_chain(item, timeline), [label])
        start_s = float(seconds_at(item.start, timeline.fps))
        amp = round(item.size * FLOAT_AMPLITUDE, 1) if item.motion == "float" else 0
        cx, cy = item.x + item.size / 2, item.y + item.size / 2
        bob = f"+{amp}*sin(2*PI*(t-{start_s:.4f})/{FLOAT_PERIOD_S})" if amp else ""
        graph.add(
            [video, label],
            [
                f(
                    "overlay",
                    x=f"{cx:.1f}-w/2",
                    y=f"{cy:.1f}-h/2{bob}",
                    eof_action="pass",
                )
            ],
            [out],
        )
        video = out
    return video
