"""Background variety: which scenes get a split colour or their blurred asset, the pictures
made for them, and how the render graph shows them (a looped still, no per-frame blur)."""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from PIL import Image

from aiprod.design.backgrounds import choose_backgrounds, decor_kind, legible, split_look
from aiprod.design.engine import BACKDROPS, SceneTimes, plan_design
from aiprod.design.layouts import contrast
from aiprod.media.compose import InputList, RenderPlan, build_filtergraph
from aiprod.media.scene_backgrounds import blurred_png, split_png, split_polygon
from aiprod.media.timeline import build_timeline
from aiprod.spec.model import BrandColours, VideoSpec
from aiprod.spec.presets import resolve_preset


def spec(scenes: list[dict[str, Any]]) -> VideoSpec:
    brand = {"name": "Volt", "colors": {"primary": "#14213D", "secondary": "#FCA311"}}
    return VideoSpec.model_validate({"brand": brand, "scenes": scenes})


def times(count: int) -> list[SceneTimes]:
    return [SceneTimes(i * 4.0 + 0.3, i * 4.0 + 3.7) for i in range(count)]


def photo(path: Path, size: tuple[int, int] = (400, 300)) -> Path:
    """A busy test picture: a pattern with fine detail, so blurring has work to do."""
    image = Image.new("RGB", size)
    image.putdata(
        [
            ((x * 37) % 256, (y * 53) % 256, ((x ^ y) * 7) % 256)
            for y in range(size[1])
            for x in range(size[0])
        ]
    )
    image.save(path)
    return path


def test_split_for_stat_and_comparison_blur_for_an_asset_hero_user_choices_kept(
    tmp_path: Path,
) -> None:
    asset = str(photo(tmp_path / "bike.png"))
    video = spec(
        [
            {"title": "Meet Volt", "narration": "Meet Volt."},
            {"title": "80 km", "narration": "80 km.", "stat": {"value": 80, "unit": "km"}},
            {"title": "Before and after", "narration": "x", "items": ["Car", "Bike"]},
            {
                "title": "The bike",
                "narration": "x",
                "illustration": {"path": asset},
                "layout": "product",
            },
            {
                "title": "Set",
                "narration": "x",
                "layout": "stat",
                "background": {"type": "color", "color": "#223344"},
            },
            {"title": "Ride", "narration": "Ride."},
        ]
    )
    plan = plan_design(video, 1080, 1920, times(6), caption_look="social")
    kinds = [s.background for s in plan.scenes]
    assert [s.layout for s in plan.scenes][:4] == ["hook", "stat", "comparison", "product"]
    # the user's flat colour stays, even on a stat layout
    # consecutive scenes vary: the comparison after a split stat keeps the gradient
    assert kinds == ["gradient", "split", "gradient", "asset_blur", "colour", "gradient"]
    assert [s["background"] for s in plan.section()["scenes"]] == kinds
    assert plan.scenes[1].split is not None and plan.scenes[0].split is None
    # never a split decor over a split background
    assert decor_kind(BACKDROPS, 1, "split") != "split"


def test_two_split_layouts_in_a_row_do_not_both_split() -> None:
    scenes = spec(
        [
            {"title": "a", "narration": "x", "layout": "stat"},
            {"title": "b", "narration": "x", "layout": "comparison", "items": ["A", "B"]},
            {"title": "c", "narration": "x", "layout": "stat"},
        ]
    ).scenes
    assert choose_backgrounds(list(scenes), ["stat", "comparison", "stat"]) == [
        "split",
        "gradient",
        "split",
    ]


def test_the_split_edge_runs_between_the_comparison_cards() -> None:
    video = spec(
        [
            {
                "title": "Car or bike",
                "narration": "x",
                "layout": "comparison",
                "items": ["Car", "Bike"],
            }
        ]
    )
    plan = plan_design(video, 1080, 1920, times(1), caption_look="social")
    (scene,) = plan.scenes
    look = scene.split
    assert look is not None and not look.vertical and look.lean == 0  # stacked cards: a level edge
    card0, card1 = (b for b in scene.boxes if b.id.endswith(("card0", "card1")))
    edge_y = look.at * 1920
    assert card0.y + card0.h <= edge_y <= card1.y
    wide = plan_design(video, 1920, 1080, times(1), caption_look="clean").scenes[0].split
    assert wide is not None and wide.vertical


def test_split_colours_keep_the_text_legible() -> None:
    pale = BrandColours(primary="#F4F4F4", secondary="#FFE8A0", accent="#FF5500", text="#FFFFFF")
    look = split_look(pale, 0, "stat", [], 1080, 1920)
    assert contrast("#FFFFFF", look.first) >= 7 and contrast("#FFFFFF", look.second) >= 7
    brown = split_look(
        BrandColours(primary="#2B1B17", secondary="#8C5A3C", accent="#FFC857", text="#FFFFFF"),
        0,
        "stat",
        [],
        1080,
        1920,
    )
    assert contrast("#FFFFFF", brown.second) >= 7 and brown.second != "#8C5A3C"  # darkened
    assert contrast(brown.first, brown.second) >= 1.3  # the edge still shows
    assert legible("#101010", pale, "#000000") == "#101010"


def test_split_png_has_both_colours_on_their_sides(tmp_path: Path) -> None:
    look = split_look(
        BrandColours(primary="#14213D", secondary="#9A3B00", accent="#FCA311", text="#FFFFFF"),
        0,
        "stat",
        [],
        108,
        192,
    )
    look = replace(look, at=0.5, lean=0.2)
    out = split_png(look, 108, 192, tmp_path / "split.png")
    with Image.open(out) as image:
        assert image.size == (108, 192)
        top, bottom = image.getpixel((54, 10)), image.getpixel((54, 182))
    assert "#{:02X}{:02X}{:02X}".format(*top) == look.first
    assert "#{:02X}{:02X}{:02X}".format(*bottom) == look.second
    (x0, y0), (x1, y1), *_ = split_polygon(look, 108, 192)
    assert (x0, x1) == (0, 108) and abs(y0 - y1 - 0.2 * 192) < 1e-6  # diagonal: lower on the left


def test_blurred_asset_is_cover_fitted_smooth_darker_and_cached(tmp_path: Path) -> None:
    source = photo(tmp_path / "wide.png", (400, 300))  # wider than the tall frame: cropped
    cache = tmp_path / "cache"
    out = blurred_png(source, 108, 192, "#14213D", cache)
    assert out.parent == cache / "backgrounds"
    with Image.open(out) as image, Image.open(source) as original:
        assert image.size == (108, 192)
        got = image.convert("L")
        src = original.convert("L").resize((108, 192))

        def roughness(img: Image.Image) -> float:
            px = list(img.get_flattened_data())
            return sum(abs(a - b) for a, b in itertools.pairwise(px)) / len(px)

        assert roughness(got) < roughness(src) / 5  # blurred
        mean = sum(got.get_flattened_data()) / (108 * 192)
        assert mean < sum(src.get_flattened_data()) / (108 * 192) * 0.7  # darkened
    stamp = out.stat().st_mtime_ns
    assert blurred_png(source, 108, 192, "#14213D", cache) == out  # same content: cached
    assert out.stat().st_mtime_ns == stamp
    assert blurred_png(source, 192, 108, "#14213D", cache) != out  # another frame: another file


def test_a_made_background_is_a_looped_still_in_the_graph(tmp_path: Path) -> None:
    video = spec(
        [
            {"title": "a", "narration": "x", "duration": 2},
            {"title": "b", "narration": "x", "duration": 2},
        ]
    )
    preset = resolve_preset(video.preset)
    timeline = build_timeline(video, preset, [None, None])
    still = tmp_path / "split1.png"
    plan = RenderPlan(
        spec=video,
        preset=preset,
        timeline=timeline,
        audio=tmp_path / "mix.wav",
        overlay_ass=None,
        output=tmp_path / "video.mp4",
        background_stills=(None, still),
    )
    inputs = InputList()
    rendered = build_filtergraph(plan, inputs).render()
    chains = rendered.split(";")
    first = next(c for c in chains if c.endswith("[s0lo]"))
    second = next(c for c in chains if c.endswith("[s1lo]"))
    assert "gradients=" in first
    k = inputs.args.index(str(still))
    index = inputs.args[:k].count("-i") - 1  # the "-i" just before the path is its own
    # converted once, before the loop: never a per-frame RGB -> YUV conversion; looped at
    # the slow rate (it does not move), then its frames repeated up to the timeline's
    assert second.startswith(f"[{index}:v]format=yuv420p,loop=")
    assert "gradients" not in second and "blur" not in second and "scale" not in second
    tail = next(c for c in chains if c.endswith("[s1]"))
    assert re.search(rf"trim=end_frame={timeline.scenes[1].frames}\b", tail)


def test_a_clip_scene_is_an_asset_hero_over_its_own_first_frame_blurred(tmp_path: Path) -> None:
    clip = str(tmp_path / "ride.mp4")
    video = spec(
        [
            {"title": "Meet Volt", "narration": "Meet Volt."},
            {
                "title": "See it ride",
                "narration": "x",
                "background": {"type": "video", "path": clip},
            },
            {"title": "Ride", "narration": "Ride."},
        ]
    )
    plan = plan_design(video, 1080, 1920, times(3), caption_look="social")
    hero = plan.scenes[1]
    assert (hero.layout, hero.background) == ("product", "asset_blur")
    assert len(hero.pictures) == 1  # the clip's box
    assert not any(b.id.endswith("bg_scrim") for b in hero.boxes)  # the still is darkened


def test_a_hero_clip_plays_in_its_box_without_a_full_frame_decode(tmp_path: Path) -> None:
    from aiprod.media.clip_layers import ClipLayer

    video = spec(
        [
            {"title": "a", "narration": "x", "duration": 2},
            {
                "title": "b",
                "narration": "x",
                "duration": 2,
                "background": {"type": "video", "path": str(tmp_path / "c.mp4")},
            },
        ]
    )
    preset = resolve_preset(video.preset)
    timeline = build_timeline(video, preset, [None, None])
    slot = timeline.scenes[1]
    clip = ClipLayer(1, tmp_path / "c.mp4", 300, 500, 480, 480, slot.clear_start, 40, offset_s=1.5)
    plan = RenderPlan(
        spec=video,
        preset=preset,
        timeline=timeline,
        audio=tmp_path / "mix.wav",
        overlay_ass=None,
        output=tmp_path / "video.mp4",
        background_stills=(None, tmp_path / "blurred.png"),
        clip_layers=(clip,),
    )
    inputs = InputList()
    rendered = build_filtergraph(plan, inputs).render()
    # the scene's background is the still; the clip is read once, for its box
    assert inputs.args.count(str(tmp_path / "c.mp4")) == 1
    at = inputs.args.index(str(tmp_path / "c.mp4"))
    assert inputs.args[at - 5 : at] == ["-stream_loop", "-1", "-ss", "1.500", "-i"]
    chain = next(c for c in rendered.split(";") if c.endswith("[clip1]"))
    assert "scale=w=480:h=480:force_original_aspect_ratio=decrease" in chain
    assert "trim=end_frame=40" in chain and f"setpts=N+{slot.clear_start}" in chain
    assert "blur" not in rendered
    overlay = next(c for c in rendered.split(";") if c.endswith("[clipped1]"))
    assert "overlay=x=540.0-w/2:y=740.0-h/2" in overlay
