"""Illustrations: an icon of the bundled set (drawn in the brand's colours at display size),
a colour emoji (rendered with Pillow) or an image over a scene's
background, fading in with a short rise after the scene's transition and out before the
next one. Overlaid in the one render graph; the picture is decoded once and looped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from aiprod.media.ffmpeg.graph import Filter, Graph, f
from aiprod.media.timeline import SceneSlot, Timeline, frames_for, seconds_at
from aiprod.spec.model import Illustration, VideoSpec

FADE_S = 0.3
RISE = 0.03  # of the frame height: how far the picture rises as it appears
# centre of the picture, as fractions of the frame height, per frame shape
CENTRES = {
    "vertical": {"upper": 0.2, "center": 0.53, "lower": 0.66},
    "other": {"upper": 0.22, "center": 0.64, "lower": 0.7},
}


@dataclass(frozen=True)
class PlacedIllustration:
    scene: int
    png: Path
    size: int  # pixels, the longer side
    centre_y: int
    start: int  # first frame shown
    frames: int


def illustration_size(illustration: Illustration, timeline: Timeline) -> int:
    return max(16, int(min(timeline.width, timeline.height) * illustration.size) // 2 * 2)


def place(
    illustration: Illustration, slot: SceneSlot, timeline: Timeline, png: Path
) -> PlacedIllustration:
    shape = "vertical" if timeline.height > timeline.width else "other"
    centre = round(timeline.height * CENTRES[shape][illustration.position])
    return PlacedIllustration(
        scene=slot.index,
        png=png,
        size=illustration_size(illustration, timeline),
        centre_y=centre,
        start=slot.design_start,
        frames=max(1, slot.design_end - slot.design_start),
    )


def render_illustrations(
    spec: VideoSpec, timeline: Timeline, work: Path
) -> list[PlacedIllustration]:
    """PNG files for every scene's illustration (icons and emoji are drawn here at the size
    they are shown; images are used as they are)."""
    placed = []
    for slot, scene in zip(timeline.scenes, spec.scenes, strict=True):
        art = scene.illustration
        if art is None:
            continue
        if art.icon is not None:
            from aiprod.visuals.icons import brand_icon_colours, render_icon

            stroke, badge = brand_icon_colours(spec.brand.colors.primary, spec.brand.colors.accent)
            png = render_icon(
                art.icon,
                size=illustration_size(art, timeline),
                colour=stroke,
                badge=badge,
                out=work / f"illustration-{slot.index}.png",
            )
        elif art.emoji is not None:
            from aiprod.visuals.emoji_render import render_emoji

            png = render_emoji(
                art.emoji,
                size=illustration_size(art, timeline),
                out=work / f"illustration-{slot.index}.png",
            )
        else:
            assert art.path is not None
            png = Path(art.path)
        placed.append(place(art, slot, timeline, png))
    return placed


def illustration_chain(item: PlacedIllustration, timeline: Timeline) -> list[Filter]:
    fps = timeline.fps
    fade = min(frames_for(FADE_S, fps), max(1, item.frames // 3))
    return [
        f(
            "scale",
            w=item.size,
            h=item.size,
            force_original_aspect_ratio="decrease",
            flags="lanczos",
        ),
        f("format", "rgba"),
        f("loop", loop=item.frames - 1, size=1, start=0),
        f("settb", expr=f"{fps.denominator}/{fps.numerator}"),
        f("setpts", f"N+{item.start}"),  # shown from the scene's first clear frame
        f("fade", t="in", s=0, n=fade, alpha=1),
        f("fade", t="out", s=item.frames - fade, n=fade, alpha=1),
    ]


def add_illustrations(
    items: Sequence[PlacedIllustration],
    video: str,
    timeline: Timeline,
    graph: Graph,
    add_input: Callable[[Path], int],
) -> str:
    """Overlay each illustration on ``video``; ``add_input(path) -> index`` adds an input."""
    for item in items:
        k = add_input(item.png)
        label, out = f"ill{item.scene}", f"illustrated{item.scene}"
        graph.add([f"{k}:v"], illustration_chain(item, timeline), [label])
        start_s = float(seconds_at(item.start, timeline.fps))
        rise = round(timeline.height * RISE)
        y = f"{item.centre_y}-h/2+{rise}*max(0,1-(t-{start_s:.4f})/{FADE_S})"
        graph.add([video, label], [f("overlay", x="(W-w)/2", y=y, eof_action="pass")], [out])
        video = out
    return video
