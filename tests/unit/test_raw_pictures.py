"""Baked pictures as raw yuva420p frames: the compose reads them as it read the PNGs, and
lays them over a frame to the same pixels."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from aiprod.errors import FFmpegError
from aiprod.media.compose import InputList
from aiprod.media.ffmpeg.run import run_ffmpeg, run_ffmpeg_all
from aiprod.media.raw_pictures import (
    RawPicture,
    build_raw_command,
    plan_raw_pictures,
    split_raw,
)


def picture(path: Path, size: tuple[int, int]) -> Path:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((2, 2, size[0] - 3, size[1] - 3), fill=(255, 200, 87, 200))
    draw.rectangle((size[0] // 3, 1, size[0] // 2, size[1] - 2), fill=(20, 90, 200, 255))
    image.save(path)
    return path


def test_a_plan_names_each_distinct_picture_once_with_its_size(tmp_path: Path) -> None:
    a, b = picture(tmp_path / "a.png", (64, 40)), picture(tmp_path / "b.png", (31, 17))
    planned = plan_raw_pictures([a, b, a])
    assert planned == {
        a: RawPicture(tmp_path / "a.yuva", 64, 40),
        b: RawPicture(tmp_path / "b.yuva", 31, 17),
    }
    command = build_raw_command(planned)
    assert command.count("-i") == 2 and command.count("rawvideo") == 2
    assert planned[b].input_options() == [
        "-f",
        "rawvideo",
        "-pixel_format",
        "yuva420p",
        "-video_size",
        "31x17",
    ]


def test_inputs_with_a_raw_frame_are_read_from_it() -> None:
    raw = {Path("/w/decor0.png"): RawPicture(Path("/w/decor0.yuva"), 1920, 1080)}
    inputs = InputList(raw=raw)
    assert inputs.add("/w/decor0.png") == 0
    assert inputs.add("/w/logo.png") == 1
    assert inputs.args == [
        *raw[Path("/w/decor0.png")].input_options(),
        "-i",
        "/w/decor0.yuva",
        "-i",
        "/w/logo.png",
    ]


@pytest.mark.parametrize("size", [(96, 64), (75, 43)])  # odd sizes: chroma rounds up
def test_a_raw_frame_is_laid_over_a_frame_to_the_same_pixels_as_its_png(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    png = picture(tmp_path / "p.png", size)
    planned = plan_raw_pictures([png])
    run_ffmpeg(build_raw_command(planned))
    raw = planned[png]
    w, h = size
    chroma = ((w + 1) // 2) * ((h + 1) // 2)
    assert raw.path.stat().st_size == 2 * w * h + 2 * chroma  # Y and A, U and V

    def laid(source: list[str], out: Path) -> bytes:
        run_ffmpeg(
            [
                "-y",
                "-f",
                "lavfi",
                "-i",
                "color=c=0x334455:s=128x96:d=0.1,format=yuv420p",
                *source,
                "-filter_complex",
                "[0:v][1:v]overlay=x=10:y=12:eof_action=repeat,format=yuv420p[v]",
                "-map",
                "[v]",
                "-frames:v",
                "1",
                "-f",
                "rawvideo",
                str(out),
            ]
        )
        return out.read_bytes()

    from_png = laid(["-i", str(png)], tmp_path / "png.yuv")
    from_raw = laid([*raw.input_options(), "-i", str(raw.path)], tmp_path / "raw.yuv")
    assert from_png == from_raw


def test_conversions_split_into_groups_of_about_the_same_pixels(tmp_path: Path) -> None:
    sizes = [(1920, 1080), (5574, 310), (670, 670), (722, 722), (1918, 1080), (816, 1090)]
    planned = {
        tmp_path / f"p{n}.png": RawPicture(tmp_path / f"p{n}.yuva", w, h)
        for n, (w, h) in enumerate(sizes)
    }
    groups = split_raw(planned, 2)
    assert len(groups) == 2
    assert sorted(p for g in groups for p in g) == sorted(planned)  # each once
    loads = [sum(r.width * r.height for r in g.values()) for g in groups]
    assert max(loads) - min(loads) <= 1920 * 1080  # no group more than one picture ahead
    assert split_raw(planned, 9)[0] and len(split_raw(planned, 9)) == len(planned)
    assert split_raw({}, 2) == []


def test_side_by_side_conversions_all_run_and_a_failure_is_raised(tmp_path: Path) -> None:
    pngs = [picture(tmp_path / f"p{n}.png", (64 + n * 2, 40)) for n in range(4)]
    planned = plan_raw_pictures(pngs)
    run_ffmpeg_all([build_raw_command(g) for g in split_raw(planned, 2)], workers=2)
    for raw in planned.values():  # one yuva420p frame each: w*h luma, alpha; chroma quarters
        assert raw.path.stat().st_size == raw.width * raw.height * 2 + 2 * (
            (raw.width + 1) // 2
        ) * ((raw.height + 1) // 2)
    made = tmp_path / "made.png"
    good = ["-y", "-f", "lavfi", "-i", "color=c=red:s=8x8:d=1", "-frames:v", "1", str(made)]
    with pytest.raises(FFmpegError):
        run_ffmpeg_all([["-i", str(tmp_path / "missing.png"), str(tmp_path / "x.png")], good])
    assert made.is_file()  # the other one still ran to its end
