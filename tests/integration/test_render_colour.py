"""The colours a viewer sees are the colours we drew: the MP4's colour tags name the matrix
the compose's RGB->YUV conversions actually used, so a decoder honouring them (ffmpeg's
``format=rgb24`` reads them, as do browsers) gets the drawn RGB back.

The compose is driven directly (the design stage would lay textures and veils over the
backgrounds): solid colour backgrounds, a picture background, a baked decor picture read as
a raw ``yuva420p`` frame, a box drawn by libass, and a clip encoded and tagged BT.709 (as
most HD footage is) as a background and as a clip layer, each of one known colour.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image

from aiprod.media.clip_layers import ClipLayer
from aiprod.media.compose import RenderPlan, build_render_command
from aiprod.media.ffmpeg.probe import probe
from aiprod.media.ffmpeg.run import run_ffmpeg
from aiprod.media.measure import frames_by_seeking
from aiprod.media.raw_pictures import build_raw_command, plan_raw_pictures
from aiprod.media.stills import Decor
from aiprod.media.thumbnail import extract_thumbnail
from aiprod.media.timeline import build_timeline
from aiprod.spec.model import VideoSpec
from aiprod.spec.presets import Preset

BRAND = (0x1E, 0x3A, 0x5F)  # #1E3A5F, the brand primary
GREEN = (0x00, 0xC0, 0x00)  # a saturated primary: BT.601 and BT.709 differ by ~30 levels
RED = (0xD0, 0x10, 0x10)  # the picture background
AMBER = (0xF5, 0xA6, 0x23)  # the baked decor (a raw yuva frame)
BLUE = (0x10, 0x30, 0xE0)  # the libass box
TEAL = (0x00, 0xA0, 0xB0)  # the BT.709 clip's
TOLERANCE = 2  # levels per channel

# a box drawn by libass (colours are &HBBGGRR&) over the whole video, at (20, 20), 80x80
ASS = """[Script Info]
ScriptType: v4.00+
PlayResX: 288
PlayResY: 512

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, \
Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, \
Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Box,DejaVu Sans,20,&H00{b:02X}{g:02X}{r:02X},&H00000000,&H00000000,&H00000000,\
0,0,0,0,100,100,0,0,1,0,0,7,0,0,0,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:00.00,0:00:09.00,Box,,0,0,0,,{{\\pos(20,20)\\p1}}m 0 0 l 80 0 80 80 0 80{{\\p0}}
"""


def hex_colour(rgb: tuple[int, int, int]) -> str:
    return "#" + "".join(f"{c:02X}" for c in rgb)


def patch(picture: npt.NDArray[np.uint8], x: int, y: int) -> tuple[int, ...]:
    """The mean colour of a 9x9 patch centred on (x, y) in a flat area."""
    area = picture[y - 4 : y + 5, x - 4 : x + 5].reshape(-1, 3).astype(float)
    return tuple(round(float(v)) for v in area.mean(axis=0))


def off_by(seen: tuple[int, ...], drawn: tuple[int, ...]) -> int:
    return max(abs(a - b) for a, b in zip(seen, drawn, strict=True))


def test_a_decoder_honouring_the_tags_sees_the_drawn_colours(
    tmp_path: Path, tiny_preset: Preset
) -> None:
    picture = tmp_path / "red.png"
    Image.new("RGB", (640, 480), RED).save(picture)
    decor = tmp_path / "decor.png"  # an opaque square in a transparent frame-wide strip
    strip = Image.new("RGBA", (288, 120), (0, 0, 0, 0))
    strip.paste(Image.new("RGBA", (100, 100), (*AMBER, 255)), (20, 10))
    strip.save(decor)
    clip = tmp_path / "clip709.mp4"  # RGB -> YUV by BT.709's matrix, and tagged so
    run_ffmpeg(
        [
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"color=c=0x{hex_colour(TEAL)[1:]}:s=640x360:r=30:d=3",
            "-vf",
            "format=rgb24,scale=w=640:h=360:out_color_matrix=bt709:out_range=tv,format=yuv420p",
            "-c:v",
            "libx264",
            "-crf",
            "10",
            "-colorspace",
            "bt709",
            "-color_primaries",
            "bt709",
            "-color_trc",
            "bt709",
            str(clip),
        ]
    )
    ass = tmp_path / "overlay.ass"
    ass.write_text(ASS.format(r=BLUE[0], g=BLUE[1], b=BLUE[2]), encoding="utf-8")
    spec = VideoSpec.model_validate(
        {
            "brand": {"colors": {"primary": hex_colour(BRAND)}},
            "scenes": [
                {"duration": 2, "background": {"type": "color"}},  # the brand primary
                {"duration": 2, "background": {"type": "color", "color": hex_colour(GREEN)}},
                {
                    "duration": 2,
                    "background": {"type": "image", "path": str(picture), "ken_burns": "none"},
                },
                {"duration": 2, "background": {"type": "video", "path": str(clip)}},
            ],
        }
    )
    timeline = build_timeline(spec, tiny_preset, [None, None, None, None])
    audio = tmp_path / "mix.wav"
    seconds = float(timeline.duration)
    run_ffmpeg(["-y", "-f", "lavfi", "-i", f"sine=f=330:d={seconds}:r=48000", str(audio)])
    raw = plan_raw_pictures([decor])
    run_ffmpeg(build_raw_command(raw))
    middles = [s.start + s.frames // 2 for s in timeline.scenes]
    third = timeline.scenes[2]
    video = tmp_path / "video.mp4"
    plan = RenderPlan(
        spec=spec,
        preset=tiny_preset,
        timeline=timeline,
        audio=audio,
        overlay_ass=ass,
        output=video,
        scene_stills=(None, Decor(decor, 0, 300), None, None),
        raw_pictures=raw,
        clip_layers=(ClipLayer(2, clip, 44, 40, 200, 112, third.start, third.frames),),
    )
    run_ffmpeg(build_render_command(plan))
    info = probe(video)
    assert info.video is not None

    # a clip's colours are what a player shows of the clip itself (its encoding lost a few)
    (shown,) = frames_by_seeking(clip, [15], (640, 360), Fraction(30)).values()
    teal = patch(shown, 320, 180)
    assert off_by(teal, TEAL) <= 5
    size = (timeline.width, timeline.height)
    decoded = frames_by_seeking(video, middles, size, timeline.fps)  # as QA grabs them
    expected = [  # (frame, x, y, colour)
        (middles[0], 144, 300, BRAND),
        (middles[0], 60, 60, BLUE),
        (middles[1], 144, 250, GREEN),
        (middles[1], 70, 360, AMBER),
        (middles[2], 144, 300, RED),
        (middles[2], 144, 96, teal),  # the clip layer
        (middles[3], 144, 300, teal),  # the clip background
    ]
    seen = [(colour, patch(decoded[frame], x, y)) for frame, x, y, colour in expected]
    assert [(drawn, got) for drawn, got in seen if off_by(got, drawn) > TOLERANCE] == []
    # the thumbnail when no grabbed frame is at hand: ffmpeg's JPEG of the file, the same
    for frame, x, y, colour in expected[::2]:
        jpeg = extract_thumbnail(video, frame / 30, tmp_path / f"thumb{frame}.jpg")
        with Image.open(jpeg) as thumb:
            got = patch(np.asarray(thumb.convert("RGB")), x, y)
        assert off_by(got, colour) <= TOLERANCE, (frame, colour, got)
