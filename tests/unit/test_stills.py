"""Static decor baked into per-scene stills: the design plan hands them over instead of
per-frame libass events, and the render graph lays each still over its scene; backdrop
shapes are pictures too, brought in by an entrance the graph plays on them."""

from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from PIL import Image

from aiprod.design.draw import mask_event, shape_colour
from aiprod.design.engine import SceneTimes, plan_design
from aiprod.media.compose import InputList, RenderPlan, build_filtergraph, rests_at_slow_rate
from aiprod.media.raw_pictures import RawPicture
from aiprod.media.stills import (
    Decor,
    ShapeStill,
    SlidingStill,
    Still,
    StillBook,
    StillJob,
    batches,
    build_still_command,
    build_stills_command,
    merge_decor,
)
from aiprod.media.timeline import build_timeline
from aiprod.spec.model import VideoSpec
from aiprod.spec.presets import resolve_preset


def spec() -> VideoSpec:
    return VideoSpec.model_validate(
        {
            "preset": "brand_campaign",
            "brand": {"name": "Northwind"},
            "scenes": [
                {"title": "Plan calmly", "narration": "one", "background": {"type": "gradient"}},
                {"title": "Save time", "narration": "two", "background": {"type": "gradient"}},
            ],
        }
    )


def two_scene_plan(tmp_path: Path, **parts: Any) -> RenderPlan:
    """The render plan of ``spec()`` (two 2 s scenes) with ``parts`` of the design."""
    s = spec()
    preset = resolve_preset(s.preset)
    return RenderPlan(
        spec=s,
        preset=preset,
        timeline=build_timeline(s, preset, [2.0, 2.0]),
        audio=tmp_path / "mix.wav",
        overlay_ass=None,
        output=tmp_path / "video.mp4",
        **parts,
    )


def test_halftone_is_baked_not_animated() -> None:
    times = [SceneTimes(0.3, 4.7), SceneTimes(5.3, 9.7)]
    plan = plan_design(spec(), 1920, 1080, times, caption_look="clean")
    assert len(plan.stills) == 2
    for shapes in plan.stills:
        assert any(s.shape.startswith("halftone") for s in shapes)
    # every backdrop shape settles, so libass draws none of them
    assert plan.backdrop == ()
    shape = plan.stills[0][0]
    event = mask_event(shape)
    assert r"\1c&HFFFFFF&\1a&H00&" in event.text and r"\fad" not in event.text
    colour, opacity = shape_colour(shape)
    assert colour.startswith("#") and len(colour) == 7 and 0 < opacity < 1


def test_still_command_colours_the_mask(tmp_path: Path) -> None:
    args = build_still_command(
        Still(tmp_path / "m.ass", "#1E3A5F", 0.72), 640, 360, tmp_path / "o.png"
    )
    text = " ".join(args)
    assert "color=c=0x1E3A5F:s=640x360" in text
    assert "alphamerge,colorchannelmixer=aa=0.72" in text
    assert args[-1] == str(tmp_path / "o.png")


def test_each_scene_decor_is_overlaid_on_its_background(tmp_path: Path) -> None:
    plan = two_scene_plan(tmp_path, scene_stills=(Decor(tmp_path / "a.png", 640, 120), None))
    inputs = InputList()
    rendered = build_filtergraph(plan, inputs).render()
    assert str(tmp_path / "a.png") in inputs.args
    assert "[s0lo][0:v]overlay=x=640:y=120:eof_action=repeat" in rendered
    # laid on the slow gradient (10 fps), before its frames are repeated up to 30 fps
    assert "gradients=s=480x270:r=10:" in rendered
    assert rendered.index("[s0lo][0:v]overlay") < rendered.index("[s0lod]fps=30")
    assert "[s1lo][" not in rendered and "[s1][" not in rendered


def test_a_scene_decor_is_its_pictures_merged_and_cropped(tmp_path: Path) -> None:
    veil, corner = tmp_path / "veil.png", tmp_path / "corner.png"
    image = Image.new("RGBA", (64, 36))
    image.paste((0, 0, 0, 128), (10, 5, 30, 20))
    image.save(veil)
    image = Image.new("RGBA", (64, 36))
    image.paste((255, 0, 0, 255), (25, 15, 50, 30))
    image.save(corner)
    decor = merge_decor([veil, corner], 64, 36, tmp_path / "decor.png")
    assert decor is not None and (decor.x, decor.y) == (10, 4)  # even: yuv420p's grid
    with Image.open(decor.png) as merged:
        assert merged.size == (50 - 10, 30 - 4)
        assert merged.getpixel((0, 0))[3] == 0  # the row added to reach an even top
        assert merged.getpixel((5, 5)) == (0, 0, 0, 128)  # the veil alone
        assert merged.getpixel((20, 15)) == (255, 0, 0, 255)  # the corner over the veil
    empty = tmp_path / "empty.png"
    Image.new("RGBA", (64, 36)).save(empty)
    assert merge_decor([empty], 64, 36, tmp_path / "none.png") is None
    assert merge_decor([], 64, 36, tmp_path / "none.png") is None


def test_brand_band_is_a_baked_strip_not_a_moving_event() -> None:
    times = [SceneTimes(0.3, 4.7), SceneTimes(5.3, 9.7)]
    plan = plan_design(spec(), 1920, 1080, times, caption_look="clean")
    assert len(plan.bands) == 2
    assert all("NORTHWIND" not in e.text for e in plan.backdrop)
    band = plan.bands[0][0]
    assert "NORTHWIND" in band.mask.text
    assert r"\move" not in band.mask.text and r"\3c&HFFFFFF&" in band.mask.text
    assert band.strip_w > 1920 and 0 < band.strip_h < 1080
    assert band.x0 != band.x1 and band.start_s == 0.3
    # the band travels the opposite way in the next scene
    nxt = plan.bands[1][0]
    assert (band.x1 - band.x0) * (nxt.x1 - nxt.x0) < 0


def test_each_band_slides_over_its_scene(tmp_path: Path) -> None:
    band = SlidingStill(tmp_path / "band.png", -200, -900, 900, 0.3, 2.1)
    plan = two_scene_plan(tmp_path, scene_overlays=((), (band,)))
    inputs = InputList()
    rendered = build_filtergraph(plan, inputs).render()
    assert str(tmp_path / "band.png") in inputs.args
    assert "[s1][0:v]overlay=x=-200+(-700)*clip((t-0.3000)/1.8000\\,0\\,1):y=900" in rendered


def test_backdrop_shapes_are_pictures_with_their_entrance() -> None:
    times = [SceneTimes(0.3, 4.7), SceneTimes(5.3, 9.7)]
    plan = plan_design(spec(), 1920, 1080, times, caption_look="clean")
    rests = [r for scene in plan.rests for r in scene]
    assert rests, "every scene has backdrop shapes"
    for rest in rests:
        assert r"\1c&HFFFFFF&\1a&H00&" in rest.mask.text and r"\t(" not in rest.mask.text
        assert rest.canvas_w > 8 and rest.canvas_h > 8 and 0 < rest.opacity <= 1
        assert rest.layer in (0, 1) and rest.start_s >= 0.3
        assert rest.entrance in ("grow_x", "grow_y", "pop", "slide", "fade", "none")
        assert (rest.entrance == "none") == (rest.enter_s == 0)
    assert {r.entrance for r in rests} >= {"pop", "slide"}


def test_a_popping_shape_enters_then_rests_as_its_own_picture(tmp_path: Path) -> None:
    disc = ShapeStill(tmp_path / "disc.png", 400, 120, 200, 200, 0.5, "pop", 0.46)
    plan = two_scene_plan(tmp_path, scene_overlays=((disc,), ()))
    rendered = build_filtergraph(plan, InputList()).render()
    # 15 frames from frame 15 (the last one at rest) and a spare one, scaled on a canvas
    # with room for the overshoot, placed by its centre
    assert "loop=loop=15:size=1:start=0,settb=expr=1/30,setpts=N+15,scale=" in rendered
    assert "pad=w=218:h=218:x=(ow-iw)/2:y=(oh-ih)/2:color=black@0:eval=frame" in rendered
    # cut by the clock (frames 15 to 29), not by the stream's end
    assert (
        "overlay=x=500.0-w/2:y=220.0-h/2:eof_action=pass:enable=between(t\\,0.4833\\,0.9833)"
        in rendered
    )
    # then the tight picture, held, from the frame after the entrance's last
    assert "overlay=x=400:y=120:eof_action=repeat:enable=gte(t\\,0.9833)" in rendered
    assert disc.rest_from(plan.timeline.fps) == 1.0


def test_a_slide_moves_and_fades_in_and_a_still_shape_just_appears(tmp_path: Path) -> None:
    slide = ShapeStill(tmp_path / "p.png", 300, 0, 400, 1080, 0.2, "slide", 0.42, slide_dx=-100)
    chain = ",".join(flt.render() for flt in slide.entrance_chain(Fraction(30)))
    assert "fade=t=in:st=0.2000:d=0.42:alpha=1" in chain and "scale" not in chain
    x, y = slide.position()
    assert x == "300+(-100)*(1-pow(clip((t-0.2000)/0.4200,0,1),0.45))" and y == 0
    still = ShapeStill(tmp_path / "p.png", 300, 0, 400, 1080, 0.2)
    assert not still.animated and still.frames(Fraction(30)) == 0


def test_pictures_are_drawn_in_batches_of_bounded_size(tmp_path: Path) -> None:
    def job(name: str, width: int, height: int) -> StillJob:
        return StillJob(Still(tmp_path / f"{name}.ass", "#FFFFFF", 1.0), width, height, tmp_path)

    jobs = [job("a", 1920, 1080), job("b", 1920, 1080), job("c", 700, 700), job("d", 4000, 2000)]
    groups = batches(jobs, max_pixels=5_000_000)
    assert [[j.still.mask_ass.stem for j in g] for g in groups] == [["a", "b", "c"], ["d"]]
    args = build_stills_command(groups[0])
    assert args.count("-map") == 3 and args.count("-frames:v") == 3
    rendered = args[args.index("-filter_complex") + 1]
    assert rendered.count("alphamerge") == 3 and "color=c=black:s=700x700:r=1:d=1" in rendered


def test_a_picture_repeated_in_another_scene_is_drawn_once(tmp_path: Path) -> None:
    book = StillBook(tmp_path)
    band = "[Events]\nDialogue: 0,0:00:00.00,0:00:01.00,D,,0,0,0,,{\\p1}m 0 0 l 9 0 9 9{\\p0}"
    first = book.add("band0_0", band, (900, 60), "#FF5500", 0.8)
    again = book.add("band3_0", band, (900, 60), "#FF5500", 0.8)
    assert again == first and len(book.jobs) == 1
    assert (tmp_path / "band0_0.ass").read_text(encoding="utf-8") == band
    assert not (tmp_path / "band3_0.ass").exists()
    # any difference in what is drawn is another picture
    others = [
        book.add("a", band, (900, 62), "#FF5500", 0.8),
        book.add("b", band, (900, 60), "#FF5501", 0.8),
        book.add("c", band, (900, 60), "#FF5500", 0.7),
        book.add("d", band.replace("9 9", "9 8"), (900, 60), "#FF5500", 0.8),
    ]
    assert len(set(others) | {first}) == 5 and len(book.jobs) == 5
    assert [job.out for job in book.jobs] == [first, *others]


def test_a_picture_only_the_compose_reads_is_drawn_as_its_raw_frame(tmp_path: Path) -> None:
    book = StillBook(tmp_path)
    rest = "[Events]\nDialogue: 0,0:00:00.00,0:00:01.00,D,,0,0,0,,{\\p1}m 0 0 l 9 0 9 9{\\p0}"
    name = book.add("rest0_0", rest, (300, 200), "#FFFFFF", 0.5, raw=True)
    assert book.add("rest2_0", rest, (300, 200), "#FFFFFF", 0.5, raw=True) == name
    png = book.add("still0_0", rest, (300, 200), "#FFFFFF", 0.5)  # merged later: a PNG
    assert png != name and len(book.jobs) == 2
    raw_job, png_job = book.jobs
    assert raw_job.raw and raw_job.out == tmp_path / "rest0_0.yuva" and not png_job.raw
    assert book.raw == {name: RawPicture(tmp_path / "rest0_0.yuva", 300, 200)}
    args = build_stills_command(book.jobs)
    assert args[args.index(str(raw_job.out)) - 2 : args.index(str(raw_job.out))] == [
        "-f",
        "rawvideo",
    ]
    assert "yuva420p" in args and str(png_job.out) in args
    # a decor piece, merged in Python: a raw RGBA frame, returned as the file to read
    piece = book.add("still0_1", rest, (300, 200), "#FFFFFF", 0.5, rgba=True)
    assert piece == tmp_path / "still0_1.rgba" and book.jobs[-1].rgba and piece not in book.raw
    args = build_stills_command(book.jobs[-1:])
    assert args[-5:] == ["-pix_fmt", "rgba", "-f", "rawvideo", str(piece)]


def test_shapes_at_rest_go_on_the_slow_background_only_where_no_pixel_changes(
    tmp_path: Path,
) -> None:
    fps = Fraction(30)
    band = SlidingStill(tmp_path / "band.png", 0, -400, 900, ink_rows=(940, 1075))
    panel = ShapeStill(tmp_path / "panel.png", 60, 20, 700, 860, 0.2, "slide", 0.42,
                       slide_dx=-100, ink=(64, 24, 756, 876))  # fmt: skip
    low = ShapeStill(tmp_path / "low.png", 900, 700, 300, 300, 0.3, "pop", 0.46,
                     ink=(904, 704, 1196, 996))  # fmt: skip
    unknown = ShapeStill(tmp_path / "unknown.png", 1300, 100, 200, 200, 0.3, "pop", 0.46)
    # the panel clears the band's rows; the low disc crosses them; one never drawn, unknown
    settled = rests_at_slow_rate((band, panel, low, unknown), fps, 3)
    assert settled == {1: 7}  # at rest from frame 6 + 14 = 20: slow frame 7 (frame 21)
    # a shape under a later entrance stays drawn frame by frame where the entrance reaches
    late = ShapeStill(tmp_path / "late.png", 700, 100, 300, 300, 1.5, "pop", 0.46,
                      ink=(704, 104, 996, 396))  # fmt: skip
    early = ShapeStill(tmp_path / "early.png", 720, 120, 260, 260, 0.2, "pop", 0.46,
                       ink=(724, 124, 976, 376))  # fmt: skip
    assert rests_at_slow_rate((late, early), fps, 3) == {0: 20}
    assert rests_at_slow_rate((early, late), fps, 3) == {0: 7, 1: 20}


def test_a_shape_on_the_slow_background_is_held_until_its_slow_frame(tmp_path: Path) -> None:
    panel = ShapeStill(tmp_path / "panel.png", 60, 20, 700, 860, 0.2, "slide", 0.42,
                       slide_dx=-100, ink=(64, 24, 756, 876))  # fmt: skip
    plan = two_scene_plan(tmp_path, scene_overlays=((panel,), ()))
    rendered = build_filtergraph(plan, InputList()).render()
    # at rest from frame 20: the slow background shows it from its slow frame 7 (frame
    # 21, stamped 0.7 s at 10 fps); frame 20 is held as before
    assert "overlay=x=60:y=20:eof_action=repeat:enable=gte(t\\,0.6500)" in rendered
    assert "overlay=x=60:y=20:eof_action=repeat:enable=between(t\\,0.6500\\,0.6833)" in rendered
    every = build_filtergraph(replace(plan, slow_rests=False), InputList()).render()
    assert "between(t\\,0.6500" not in every and "enable=gte(t\\,0.6500)" in every
