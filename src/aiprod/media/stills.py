"""Static decor baked once per scene: a shape's coverage mask drawn by libass into one
picture, coloured and made translucent, then laid over the scene's background with
``overlay`` (eof_action=repeat holds the single frame for the whole scene).

libass blending a frame-sized drawing (a halftone texture, a veil) on every frame was most of
the render's cost; ``overlay`` of a still costs a fraction of that and looks the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aiprod.media.ffmpeg.graph import Graph, f


@dataclass(frozen=True)
class Still:
    """One baked shape: its mask document (white, opaque), fill colour and opacity."""

    mask_ass: Path
    colour: str  # #RRGGBB
    opacity: float


@dataclass(frozen=True)
class SlidingStill:
    """A baked picture laid over part of its scene: a strip (the brand band) slid by an
    ``overlay`` x expression, its left edge going from ``x0`` to ``x1`` between ``t0`` and
    ``t1`` (seconds of the scene's own clock); or a shape at rest (``x0 == x1``) shown from
    ``shown_from`` on, once libass has drawn its entrance."""

    png: Path
    x0: int
    x1: int
    y: int
    t0: float = 0.0
    t1: float = 0.0
    shown_from: float = 0.0

    def x_expr(self) -> str | int:
        if self.x0 == self.x1:
            return self.x0
        span = max(0.001, self.t1 - self.t0)
        return f"{self.x0}+({self.x1 - self.x0})*clip((t-{self.t0:.4f})/{span:.4f},0,1)"


def build_still_command(still: Still, width: int, height: int, out: Path) -> list[str]:
    """ffmpeg arguments drawing ``still`` into an RGBA PNG of the frame's size."""
    hexcolour = "0x" + still.colour.lstrip("#")[:6]
    graph = Graph()
    graph.add(
        ["0:v"],
        [f("ass", filename=str(still.mask_ass)), f("extractplanes", "r")],
        ["mask"],
    )
    graph.add(
        ["1:v", "mask"],
        [f("alphamerge"), f("colorchannelmixer", aa=round(still.opacity, 4))],
        ["still"],
    )
    size = f"{width}x{height}"
    return [
        "-y",
        "-f",
        "lavfi",
        "-i",
        f("color", c="black", s=size, d=1).render() + ",format=rgb24",
        "-f",
        "lavfi",
        "-i",
        f("color", c=hexcolour, s=size, d=1).render() + ",format=rgba",
        "-filter_complex",
        graph.render(),
        "-map",
        "[still]",
        "-frames:v",
        "1",
        str(out),
    ]


__all__ = ["SlidingStill", "Still", "build_still_command"]
