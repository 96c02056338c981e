"""Design checks from a manifest design section: known answers on hand-made boxes."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from typing import Any

from aiprod.design.boxes import Box, safe_zone
from aiprod.media.timeline import SceneSlot, Timeline
from aiprod.pipeline.render import scene_rest_seconds
from aiprod.qa.design import (
    SECTION_CHECKS,
    SKIPPED,
    DesignSection,
    content_mask,
    crossings,
    design_checks,
    mask_iou,
)
from aiprod.qa.gate import QAExpectations, sample_points

W, H = 1080, 1920
ZONE = safe_zone(W, H)  # 9:16: left 65, top 192, right 950, bottom 1536


def box(id_: str, role: str = "headline", **kw: Any) -> Box:
    values: dict[str, Any] = {
        "x": 100, "y": 300, "w": 600, "h": 200, "start_s": 0.0, "end_s": 4.0,
        "text_px": 130, "colour": "#FFFFFF",
    }  # fmt: skip
    values.update(kw)
    return Box(id=id_, role=role, **values)  # type: ignore[arg-type]


def section(*scenes: tuple[str, list[Box]]) -> dict[str, Any]:
    return {
        "aspect": "9:16",
        "width": W,
        "height": H,
        "safe_zone": ZONE.to_dict(),
        "stage_s": 0.01,
        "scenes": [
            {
                "index": i,
                "layout": layout,
                "start_s": 4.0 * i,
                "end_s": 4.0 * (i + 1),
                "boxes": [b.to_dict() for b in boxes],
            }
            for i, (layout, boxes) in enumerate(scenes)
        ],
    }


def by_name(data: dict[str, Any]) -> dict[str, Any]:
    return {c.name: c for c in design_checks(data)}


def test_no_section_skips_every_check_and_passes() -> None:
    checks = design_checks(None)
    assert [c.name for c in checks] == list(SECTION_CHECKS)
    assert all(c.passed and c.measured == SKIPPED for c in checks)


def test_section_round_trips_boxes() -> None:
    data = section(("hook", [box("h", may_overlap=("p",))]))
    parsed = DesignSection.from_dict(data)
    assert parsed.zone == ZONE
    assert parsed.scenes[0].boxes[0].may_overlap == ("p",)


def test_boxes_inside_the_zone_pass() -> None:
    checks = by_name(section(("hook", [box("h")])))
    assert checks["design_safe_zone"].passed
    assert checks["design_safe_zone"].measured == 0


def test_box_past_the_right_buttons_is_named_with_its_excess() -> None:
    wide = box("title", x=400, w=600)  # right edge 1000, zone's right 950
    check = by_name(section(("hook", [box("h"), wide])))["design_safe_zone"]
    assert not check.passed
    assert check.measured == 1
    assert "scene 0 'title' (headline): 50 px past the right" in check.detail
    assert crossings(wide, ZONE) == [("right", 50)]


def test_box_in_the_bottom_caption_bar_and_top_bar() -> None:
    low = box("cta", role="button", y=1500, h=100)  # bottom 1600 > 1536
    high = box("url", role="url", y=100, h=50)  # top 100 < 192
    check = by_name(section(("end_card", [low, high])))["design_safe_zone"]
    assert check.measured == 2
    assert "64 px past the bottom" in check.detail
    assert "92 px past the top" in check.detail


def test_pictures_shapes_and_captions_may_leave_the_zone() -> None:
    outside = [
        box("bg", role="shape", x=0, y=0, w=W, h=H),
        box("pic", role="picture", x=0, y=0, w=500, h=500),
        box("cap", role="caption", y=1600, h=120),
    ]
    assert by_name(section(("benefit", outside)))["design_safe_zone"].passed


def test_overlapping_text_boxes_are_named_in_pairs() -> None:
    a = box("headline", y=300, h=200)
    b = box("support", role="support", y=450, h=100, text_px=60)
    check = by_name(section(("benefit", [a, b])))["design_overlaps"]
    assert not check.passed
    assert check.measured == 1
    assert "'headline' (headline) x 'support' (support)" in check.detail


def test_may_overlap_and_shapes_are_respected() -> None:
    panel = box("panel", role="shape", x=80, y=280, w=700, h=300)
    text = box("t", y=300, h=200)
    check_mark = box("tick", role="picture", x=100, y=300, w=100, h=100, may_overlap=("t",))
    check = by_name(section(("list", [panel, text, check_mark])))["design_overlaps"]
    assert check.passed, check.detail


def test_boxes_apart_in_time_do_not_overlap() -> None:
    a = box("a", start_s=0.0, end_s=2.0)
    b = box("b", start_s=2.0, end_s=4.0)
    assert by_name(section(("list", [a, b])))["design_overlaps"].passed


def test_same_layout_in_a_row_is_alike() -> None:
    top, bottom = [box("h", y=300)], [box("h", y=1200, h=200)]
    data = section(("hook", top), ("stat", bottom), ("stat", top), ("list", bottom))
    check = by_name(data)["design_layout_variety"]
    assert check.measured == round(1 / 3, 3)  # stat→stat only: 1 of 3
    assert check.passed
    data = section(("hook", top), ("stat", bottom), ("stat", top), ("stat", bottom))
    check = by_name(data)["design_layout_variety"]
    assert not check.passed
    assert "1-2 both stat" in check.detail


def test_different_names_with_the_same_boxes_are_alike() -> None:
    same = [box("h", y=300), box("p", role="picture", y=700, h=500)]
    data = section(("hook", same), ("benefit", same), ("stat", same))
    check = by_name(data)["design_layout_variety"]
    assert check.measured == 1.0
    assert not check.passed
    assert "content IoU 1.00" in check.detail


def test_content_mask_ignores_shapes_and_caption_band() -> None:
    backdrop = [box("bg", role="shape", x=0, y=0, w=W, h=H), box("c", role="caption", y=1600)]
    assert not content_mask(backdrop, W, H).any()
    a = content_mask([box("a", x=0, y=0, w=80, h=80)], W, H)
    b = content_mask([box("b", x=40, y=0, w=80, h=80)], W, H)
    assert mask_iou(a, b) == 40 * 80 / (120 * 80)


def test_headline_size_per_scene() -> None:
    big = box("h", text_px=130)  # 6.8 % of 1920
    small = box("h", text_px=96)  # 5 %
    check = by_name(section(("hook", [big]), ("stat", [small])))["design_headline_size"]
    assert not check.passed
    assert check.measured == 5.0
    assert "too small in scenes [1]" in check.detail
    assert by_name(section(("hook", [big])))["design_headline_size"].passed


def test_single_scene_variety_is_not_applicable() -> None:
    check = by_name(section(("hook", [box("h")])))["design_layout_variety"]
    assert check.passed and check.measured == SKIPPED


def test_an_unreadable_section_fails_with_the_reason() -> None:
    broken = section(("hook", [box("h")]))
    del broken["safe_zone"]
    checks = design_checks(broken)
    assert [c.name for c in checks] == list(SECTION_CHECKS)
    assert not checks[0].passed and "unreadable design section: KeyError" in checks[0].detail
    assert all(c.passed for c in checks[1:])


def test_rest_time_is_when_every_box_is_on_screen() -> None:
    late = box("item3", role="list_item", start_s=2.0, end_s=4.0)
    scene = DesignSection.from_dict(section(("list", [box("h"), late]))).scenes[0]
    assert scene.rest_time() == 3.0
    apart = [box("a", start_s=0.0, end_s=1.0), box("b", start_s=2.0, end_s=4.0)]
    assert DesignSection.from_dict(section(("hook", apart))).scenes[0].rest_time() == 2.0


def test_sample_points_from_the_design_else_the_timeline() -> None:
    expect = QAExpectations(
        width=W,
        height=H,
        fps=Fraction(30),
        total_frames=240,
        loudness_target_lufs=-14,
        scene_rest_s=[1.0, 5.0, 99.0],
    )
    points = sample_points(expect)
    assert [(p.scene, p.frame) for p in points] == [(0, 30), (1, 150), (2, 239)]  # clamped
    designed = replace(expect, design=section(("hook", [box("h")]), ("stat", [box("h")])))
    assert [(p.scene, p.time_s, p.frame) for p in sample_points(designed)] == [
        (0, 2.0, 60),
        (1, 6.0, 180),
    ]


def test_renderer_rest_times_avoid_transitions_and_fades() -> None:
    fps = Fraction(30)
    scenes = (
        SceneSlot(0, 0, 90, 0, 15, "fade", 0, 0),  # clear 0-75
        SceneSlot(1, 75, 90, 15, 0, None, 0, 0),  # clear 90-165
    )
    timeline = Timeline(fps, W, H, 165, scenes, fade_in_frames=9, fade_out_frames=15)
    assert scene_rest_seconds(timeline) == [37 / 30, 127 / 30]
    short = Timeline(fps, W, H, 20, (SceneSlot(0, 0, 20, 0, 0, None, 0, 0),), (), 9, 15)
    assert scene_rest_seconds(short) == [9 / 30]  # the fades leave nothing: after the fade in
