"""Raster layers of a designed scene (icons, emoji, the user's pictures): decoded once,
scaled once to their display size, then moved by overlay expressions inside the one render
graph: a spring pop on entry, then a slow float (or a camera push for photos).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
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


def _geometry(item: PictureLayer, fps: Fraction) -> tuple[int, str, int]:
    """The picture's side before its entrance scaling, that scale (an expression of t),
    and the even canvas every frame is padded to (room for the overshoot)."""
    start_s = float(seconds_at(item.start, fps))
    if item.motion == "push":  # grows into its box by the end of the scene
        side = max(2, int(item.size / (1 + PUSH_ZOOM)) // 2 * 2)
        duration = max(0.1, item.frames / float(fps))
        scale = f"(1+{PUSH_ZOOM}*{_progress(start_s, duration)})*{_pop_scale(start_s)}"
        return side, scale, int(side * (1 + PUSH_ZOOM) * 1.08) // 2 * 2 + 2
    side = max(2, item.size // 2 * 2)
    return side, _pop_scale(start_s), int(side * 1.08) // 2 * 2 + 2


def _pad(canvas: int, per_frame: bool) -> Filter:
    options: dict[str, str | int] = {"eval": "frame"} if per_frame else {}
    return f("pad", w=canvas, h=canvas, x="(ow-iw)/2", y="(oh-ih)/2", color="black@0", **options)


def _fade_frames(item: PictureLayer, fps: Fraction) -> int:
    return min(frames_for(FADE_S, fps), max(1, item.frames // 3))


def layer_chain(item: PictureLayer, timeline: Timeline) -> list[Filter]:
    """The whole layer as one moving stream: scaled and padded on every frame."""
    fps = timeline.fps
    side, scale, canvas = _geometry(item, fps)
    fade = _fade_frames(item, fps)
    return [
        f("scale", w=side, h=side, force_original_aspect_ratio="decrease", flags="lanczos"),
        f("format", "rgba"),
        f("loop", loop=item.frames - 1, size=1, start=0),
        f("settb", expr=f"{fps.denominator}/{fps.numerator}"),
        f("setpts", f"N+{item.start}"),
        f("scale", w=f"max(2,trunc(iw*{scale}/2)*2)", h=-2, eval="frame", flags="bicubic"),
        _pad(canvas, per_frame=True),
        f("fade", t="in", s=0, n=fade, alpha=1),
        f("fade", t="out", s=item.frames - fade, n=fade, alpha=1),
    ]


def _phases(item: PictureLayer, fps: Fraction) -> tuple[int, int] | None:
    """For a floating picture: the frames its entrance takes (the spring pop) and the frame
    its exit fade starts at, counted from its first frame; None when the two overlap."""
    if item.motion != "float":
        return None
    pop = frames_for(POP_S, fps)
    exit_from = item.frames - _fade_frames(item, fps)
    return (pop, exit_from) if exit_from >= pop + 2 else None


def _add_floating(
    item: PictureLayer,
    k: int,
    video: str,
    timeline: Timeline,
    graph: Graph,
    phases: tuple[int, int],
) -> str:
    """A floating picture in three parts, each drawn only while it shows: its entrance
    (scaled on every frame), its rest (one picture, converted once, moved by the overlay's
    expression) and its exit fade. Scaling, padding and converting the picture on every
    frame of its scene cost about a sixth of the compose's filter graph."""
    fps = timeline.fps
    pop, exit_from = phases
    side, scale, canvas = _geometry(item, fps)
    fade = _fade_frames(item, fps)
    tb = f"{fps.denominator}/{fps.numerator}"
    name = f"pic{item.scene}"
    graph.add(
        [f"{k}:v"],
        [
            f("scale", w=side, h=side, force_original_aspect_ratio="decrease", flags="lanczos"),
            f("format", "rgba"),
            f("split", 3),
        ],
        [f"{name}in_", f"{name}rest_", f"{name}out_"],
    )
    graph.add([f"{name}rest_"], [_pad(canvas, per_frame=False)], [f"{name}rest"])
    graph.add(
        [f"{name}in_"],
        [
            f("loop", loop=pop - 1 + SPARE, size=1, start=0),
            f("settb", expr=tb),
            f("setpts", f"N+{item.start}"),
            f("scale", w=f"max(2,trunc(iw*{scale}/2)*2)", h=-2, eval="frame", flags="bicubic"),
            _pad(canvas, per_frame=True),
            f("fade", t="in", s=0, n=fade, alpha=1),
        ],
        [f"{name}in"],
    )
    graph.add(
        [f"{name}out_"],
        [
            _pad(canvas, per_frame=False),
            f("loop", loop=fade - 1 + SPARE, size=1, start=0),
            f("settb", expr=tb),
            f("setpts", f"N+{item.start + exit_from}"),
            f("fade", t="out", s=0, n=fade, alpha=1),
        ],
        [f"{name}out"],
    )
    x, y = _position(item, timeline)
    start, rest, leave = item.start, item.start + pop, item.start + exit_from
    # each part shown on its frames by the clock (the stream is stamped n / fps), not by
    # the frame count ``n``, which overlay counts as it queues frames, ahead of the frame
    # it draws on; the entrance and exit end on a spare frame (see ``SPARE``)
    steps = [(f"{name}in", start, rest, "pass"), (f"{name}rest", rest, leave, "repeat")]
    steps.append((f"{name}out", leave, leave + fade, "pass"))
    for n, (part, first, end, after) in enumerate(steps):
        out = f"pictured{item.scene}" if n == len(steps) - 1 else f"{name}p{n}"
        shown = frames_shown(first, end, fps)
        graph.add([video, part], [f("overlay", x=x, y=y, eof_action=after, enable=shown)], [out])
        video = out
    return video


# A short stream laid over with eof_action=pass ends on one frame more than it shows (cut
# by ``frames_shown``): overlay dropped a stream's last frame whenever the stream's end
# reached it before the frame it belonged on (a picture vanished for a frame). Held with
# eof_action=repeat instead, every stream kept its last frames to the end: 40 MB more at
# 1080p.
SPARE = 1


def frames_shown(first: int, end: int, fps: Fraction) -> str:
    """An overlay's ``enable`` for frames ``first`` to ``end`` (excluded) of a stream
    stamped n / fps: by the frames' own time, half a frame inside each edge."""
    half = Fraction(1, 2)
    return f"between(t,{float((first - half) / fps):.4f},{float((end - half) / fps):.4f})"


def _position(item: PictureLayer, timeline: Timeline) -> tuple[str, str]:
    """The overlay's x and y: centred on the box, bobbing when it floats."""
    start_s = float(seconds_at(item.start, timeline.fps))
    amp = round(item.size * FLOAT_AMPLITUDE, 1) if item.motion == "float" else 0
    cx, cy = item.x + item.size / 2, item.y + item.size / 2
    bob = f"+{amp}*sin(2*PI*(t-{start_s:.4f})/{FLOAT_PERIOD_S})" if amp else ""
    return f"{cx:.1f}-w/2", f"{cy:.1f}-h/2{bob}"


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
        phases = _phases(item, timeline.fps)
        if phases is not None:
            video = _add_floating(item, k, video, timeline, graph, phases)
            continue
        label, out = f"pic{item.scene}", f"pictured{item.scene}"
        graph.add([f"{k}:v"], layer_chain(item, timeline), [label])
        x, y = _position(item, timeline)
        graph.add([video, label], [f("overlay", x=x, y=y, eof_action="pass")], [out])
        video = out
    return video
