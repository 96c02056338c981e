"""Picture layers: a floating picture drawn in three parts (entrance, rest, exit) gives the
same frames as the one stream scaled, padded and converted on every frame."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from aiprod.media.ffmpeg.graph import Graph, f
from aiprod.media.ffmpeg.run import run_ffmpeg
from aiprod.media.layers import PictureLayer, _phases, add_layers, layer_chain
from aiprod.media.timeline import Timeline


def timeline(frames: int) -> Timeline:
    return Timeline(width=320, height=240, fps=Fraction(30), scenes=(), total_frames=frames)


def icon(path: Path, size: tuple[int, int]) -> Path:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((4, 4, size[0] - 5, size[1] - 5), fill=(250, 200, 60, 230))
    image.save(path)
    return path


def frames_of(graph: Graph, label: str, png: Path, frames: int, out: Path) -> bytes:
    run_ffmpeg(
        [
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"color=c=0x223344:s=320x240:r=30:d={frames / 30 + 0.2},format=yuv420p",
            "-i",
            str(png),
            "-filter_complex",
            graph.render(),
            "-map",
            f"[{label}]",
            "-frames:v",
            str(frames),
            "-f",
            "rawvideo",
            str(out),
        ]
    )
    return out.read_bytes()


@pytest.mark.parametrize("shape", [(90, 90), (90, 60)])
def test_a_floating_picture_in_parts_gives_the_frames_of_the_whole_stream(
    tmp_path: Path, shape: tuple[int, int]
) -> None:
    png = icon(tmp_path / "icon.png", shape)
    item = PictureLayer(scene=0, png=png, x=101, y=63, size=96, start=5, frames=50)
    tl = timeline(60)
    assert _phases(item, tl.fps) == (14, 42)  # a 0.45 s pop, a 0.25 s fade at the end

    parts = Graph()
    parts.add(["0:v"], [f("null")], ["bg"])
    assert add_layers([item], "bg", tl, parts, lambda _: 1) == "pictured0"
    assert "eval=frame" in parts.render()

    whole = Graph()  # the same picture as one stream, as every layer was drawn before
    whole.add(["1:v"], layer_chain(item, tl), ["pic"])
    x, y = f"{item.x + item.size / 2:.1f}-w/2", f"{item.y + item.size / 2:.1f}-h/2"
    bob = f"+{round(item.size * 0.035, 1)}*sin(2*PI*(t-0.1667)/3.2)"
    whole.add(["0:v", "pic"], [f("overlay", x=x, y=y + bob, eof_action="pass")], ["out"])

    a = frames_of(parts, "pictured0", png, 60, tmp_path / "parts.yuv")
    b = frames_of(whole, "out", png, 60, tmp_path / "whole.yuv")
    size = 320 * 240 * 3 // 2
    assert len(a) == len(b) == 60 * size
    exit_at = (item.start + 42) * size
    assert a[:exit_at] == b[:exit_at]  # the entrance and the rest: the same bytes
    # the exit fade: the same to within one level (alpha rounding of the fade)
    assert max(abs(p - q) for p, q in zip(a[exit_at:], b[exit_at:], strict=True)) <= 1


def test_a_short_or_pushed_picture_stays_one_stream() -> None:
    tl = timeline(30)
    short = PictureLayer(scene=0, png=Path("p.png"), x=0, y=0, size=64, start=0, frames=16)
    push = PictureLayer(0, Path("p.png"), 0, 0, 64, 0, 90, motion="push")
    assert _phases(short, tl.fps) is None
    assert _phases(push, tl.fps) is None
