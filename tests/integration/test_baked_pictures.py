"""Baked pictures drawn many to an ffmpeg process: each comes out at its own size, in its
own colour and opacity, where its mask is."""

from __future__ import annotations

import subprocess
from pathlib import Path

from PIL import Image

from aiprod.captions.ass import AssDocument, AssEvent, AssStyle
from aiprod.media.ffmpeg.run import run_ffmpeg
from aiprod.media.raw_pictures import RawPicture, build_raw_command, plan_raw_pictures
from aiprod.media.stills import (
    SlidingStill,
    Still,
    StillJob,
    batches,
    build_stills_command,
    merge_decor,
    tight_strips,
)

STYLE = AssStyle(name="S", font="Noto Sans", size=20, bold=False, outline=0, shadow=0, alignment=7)


def mask(folder: Path, name: str, width: int, height: int, rect: tuple[int, int, int, int]) -> Path:
    x0, y0, x1, y1 = rect
    tags = r"{\an7\pos(0,0)\bord0\shad0\1c&HFFFFFF&\p1}"
    drawing = f"{tags}m {x0} {y0} l {x1} {y0} {x1} {y1} {x0} {y1}{{\\p0}}"
    document = AssDocument(
        play_res_x=width,
        play_res_y=height,
        styles=[STYLE],
        events=[AssEvent(0.0, 1.0, "S", drawing, 0)],
        title="test",
    )
    path = folder / f"{name}.ass"
    path.write_text(document.render(), encoding="utf-8")
    return path


def test_a_batch_draws_every_picture_in_its_colour_and_place(tmp_path: Path) -> None:
    jobs = [
        StillJob(Still(mask(tmp_path, "a", 64, 36, (8, 4, 40, 20)), "#FF0000", 1.0), 64, 36,
                 tmp_path / "a.png"),
        StillJob(Still(mask(tmp_path, "b", 30, 50, (0, 10, 30, 50)), "#0000FF", 0.5), 30, 50,
                 tmp_path / "b.png"),
    ]  # fmt: skip
    (batch,) = batches(jobs)
    run_ffmpeg(build_stills_command(batch))
    with Image.open(tmp_path / "a.png") as a:
        assert a.size == (64, 36) and a.mode == "RGBA"
        assert a.getpixel((20, 10)) == (255, 0, 0, 255)
        assert a.getpixel((50, 30))[3] == 0
    with Image.open(tmp_path / "b.png") as b:
        assert b.size == (30, 50)
        red, green, blue, alpha = b.getpixel((15, 30))
        assert (red, green, blue) == (0, 0, 255) and abs(alpha - 128) <= 1
        assert b.getpixel((15, 5))[3] == 0


def test_a_picture_drawn_as_a_raw_frame_is_the_png_converted(tmp_path: Path) -> None:
    """Bands and rests go to the compose only: drawn straight into its raw frame, they are
    byte for byte the frame the PNG's conversion made."""
    still = Still(mask(tmp_path, "m", 70, 40, (5, 3, 61, 33)), "#00D4FF", 0.85)
    png, direct = tmp_path / "m.png", tmp_path / "m.direct.yuva"
    run_ffmpeg(build_stills_command([StillJob(still, 70, 40, png)]))
    run_ffmpeg(build_stills_command([StillJob(still, 70, 40, direct, raw=True)]))
    converted = plan_raw_pictures([png])
    run_ffmpeg(build_raw_command(converted))
    assert direct.read_bytes() == converted[png].path.read_bytes()
    assert len(direct.read_bytes()) == 70 * 40 * 5 // 2  # yuva420p: Y, A whole; U, V a quarter


def test_decor_merged_from_raw_rgba_frames_is_the_png_merge(tmp_path: Path) -> None:
    """Decor pieces are drawn as raw RGBA frames and merged without a PNG encode or decode:
    the compose's frame is byte for byte the one the PNGs made."""
    veil = Still(mask(tmp_path, "v", 64, 36, (0, 0, 64, 36)), "#102030", 0.4)
    corner = Still(mask(tmp_path, "c", 64, 36, (30, 10, 60, 30)), "#FFC857", 0.8)
    jobs = [StillJob(s, 64, 36, tmp_path / f"{n}.png") for n, s in (("v", veil), ("c", corner))]
    jobs += [
        StillJob(s, 64, 36, tmp_path / f"{n}.rgba", rgba=True)
        for n, s in (("v", veil), ("c", corner))
    ]
    run_ffmpeg(build_stills_command(jobs))
    as_png = merge_decor([tmp_path / "v.png", tmp_path / "c.png"], 64, 36, tmp_path / "d.png")
    as_raw = merge_decor([tmp_path / "v.rgba", tmp_path / "c.rgba"], 64, 36, tmp_path / "d.rgba")
    assert as_png is not None and as_raw is not None
    assert (as_raw.x, as_raw.y, as_raw.size) == (as_png.x, as_png.y, (64, 36))
    converted = plan_raw_pictures([as_png.source, as_raw.source])
    run_ffmpeg(build_raw_command(converted))
    frames = [converted[d.png].path.read_bytes() for d in (as_png, as_raw)]
    assert frames[0] == frames[1] and len(frames[0]) == 64 * 36 * 5 // 2


def test_a_strip_cut_to_its_inked_rows_slides_to_the_same_frames(tmp_path: Path) -> None:
    """The brand band's strip is drawn with empty rows above and below its letters; cut to
    the rows it inks (and a transparent pair each side), it is blended over far fewer
    pixels on every frame, and the frames are the same, here at an odd y."""
    still = Still(mask(tmp_path, "band", 400, 60, (10, 21, 390, 37)), "#FFD400", 0.5)
    strip = tmp_path / "band.yuva"
    run_ffmpeg(build_stills_command([StillJob(still, 400, 60, strip, raw=True)]))
    raw = {strip: RawPicture(strip, 400, 60)}
    band = SlidingStill(strip, 0, -200, 31, 0.0, 1.0)
    (cut,), pictures = tight_strips(((band,),), raw)
    (moved,) = cut
    assert isinstance(moved, SlidingStill) and moved.y == 31 + 18  # rows 18-40 of 60 kept
    assert pictures[strip].height == 22 and pictures[strip].path != strip

    def frames(item: SlidingStill, picture: RawPicture) -> bytes:
        overlay = f"overlay=x={item.x_expr()}:y={item.y}:eof_action=repeat".replace(",", "\\,")
        return subprocess.run(
            [
                *("ffmpeg", "-v", "error", "-f", "lavfi", "-i"),
                "testsrc2=s=160x90:r=30:d=1,format=yuv420p",
                *picture.input_options(),
                *("-i", str(picture.path)),
                *("-filter_complex", f"[0:v][1:v]{overlay},format=yuv420p"),
                *("-f", "rawvideo", "pipe:1"),
            ],
            capture_output=True,
            check=True,
        ).stdout

    whole, tight = frames(band, raw[strip]), frames(moved, pictures[strip])
    assert len(whole) == 30 * 160 * 90 * 3 // 2 and whole == tight
