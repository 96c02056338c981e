"""The end card's brand reveal: the logo fitted to its box (aspect kept, never on the text)
and popping in, or the brand's name as a wordmark; the corner logo leaves for it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from aiprod.design.boxes import outside_safe_zone, unintended_overlaps
from aiprod.design.engine import SceneTimes, plan_design
from aiprod.design.grid import Rect
from aiprod.design.layouts import TextElement
from aiprod.design.logo import fit_logo, logo_aspect, logo_is_light
from aiprod.media.compose import InputList, RenderPlan, build_filtergraph
from aiprod.media.timeline import build_timeline
from aiprod.spec.model import VideoSpec
from aiprod.spec.presets import resolve_preset

SIZES = {
    "9:16": (1080, 1920, "social"),
    "1:1": (1080, 1080, "social"),
    "16:9": (1920, 1080, "clean"),
}


def logo_file(path: Path, size: tuple[int, int], colour: tuple[int, int, int, int]) -> Path:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    image.paste(colour, (size[0] // 10, size[1] // 10, size[0] * 9 // 10, size[1] * 9 // 10))
    image.save(path)
    return path


def end_card_spec(brand: dict[str, Any]) -> VideoSpec:
    scenes = [
        {"title": "Meet Volt", "narration": "Meet Volt.", "illustration": {"emoji": "🚲"}},
        {"title": "Book a ride", "narration": "Book a test ride.", "illustration": {"emoji": "📅"}},
    ]
    return VideoSpec.model_validate({"brand": brand, "scenes": scenes})


BRAND = {
    "name": "Volt",
    "tagline": "The city at full speed",
    "call_to_action": "Book a test ride",
    "url": "volt-velo.fr",
}
TIMES = [SceneTimes(0.3, 3.7), SceneTimes(4.3, 7.7)]


@pytest.mark.parametrize("aspect", list(SIZES))
@pytest.mark.parametrize("shape", [(900, 300), (200, 400), (4000, 200)])
def test_the_logo_keeps_its_shape_in_its_own_box(
    tmp_path: Path, aspect: str, shape: tuple[int, int]
) -> None:
    width, height, look = SIZES[aspect]
    logo = logo_file(tmp_path / "logo.png", shape, (20, 33, 61, 255))
    spec = end_card_spec(BRAND | {"logo": str(logo)})
    plan = plan_design(spec, width, height, TIMES, caption_look=look)
    end = plan.scenes[1]
    assert end.layout == "end_card"
    element = end.logo
    assert element is not None and end.pictures == []  # the logo takes the picture's place
    box = element.box
    assert box.role == "logo"
    want = min(6.0, shape[0] / shape[1])
    assert abs(box.w / box.h - want) < 0.05 * want + 2 / box.h
    assert box.w >= 0.2 * min(width, height) or box.h >= 0.12 * min(width, height)
    boxes = list(end.boxes)
    assert [b.id for b in outside_safe_zone(boxes, plan.zone)] == []
    assert [(a.id, b.id) for a, b in unintended_overlaps(boxes)] == []
    texts = {e.box.id.split(".")[1] for e in end.elements if isinstance(e, TextElement)}
    assert {"headline", "cta", "url"} <= texts
    assert "wordmark" not in texts  # the logo says the name
    section = plan.section()["scenes"][1]
    assert any(b["role"] == "logo" for b in section["boxes"])


@pytest.mark.parametrize("aspect", list(SIZES))
def test_without_a_logo_the_name_is_a_wordmark_that_pops(aspect: str) -> None:
    width, height, look = SIZES[aspect]
    plan = plan_design(end_card_spec(BRAND), width, height, TIMES, caption_look=look)
    end = plan.scenes[1]
    assert end.logo is None
    marks = [
        e for e in end.elements if isinstance(e, TextElement) and e.box.id.endswith("wordmark")
    ]
    assert len(marks) == 1 and marks[0].reveal == "pop"
    assert marks[0].text.lines == ("Volt",)
    head = next(
        e for e in end.elements if isinstance(e, TextElement) and e.box.id.endswith("headline")
    )
    assert head.text.lines[0] != "Volt"  # the tagline, not the name a second time
    assert marks[0].box.text_px is not None and head.box.text_px is not None
    assert marks[0].box.text_px >= head.box.text_px  # the brand is the biggest thing
    boxes = list(end.boxes)
    assert [b.id for b in outside_safe_zone(boxes, plan.zone)] == []
    assert [(a.id, b.id) for a, b in unintended_overlaps(boxes)] == []


def test_fit_logo_and_reading_the_logo(tmp_path: Path) -> None:
    area = Rect(10.5, 20.0, 300.0, 100.0)
    wide = fit_logo(area, 5.0)
    assert wide.w == 300 and wide.h == 60 and wide.y == 40
    tall = fit_logo(area, 0.5)
    assert tall.h == 100 and tall.w == 50 and area.x <= tall.x and tall.right <= area.right
    dark = logo_file(tmp_path / "dark.png", (300, 100), (20, 20, 20, 255))
    light = logo_file(tmp_path / "light.png", (300, 100), (250, 250, 250, 255))
    assert logo_aspect(str(dark)) == 3.0 and logo_aspect(str(tmp_path / "none.png")) is None
    assert not logo_is_light(str(dark)) and logo_is_light(str(light))


def test_the_corner_logo_leaves_when_the_end_card_reveals_it(tmp_path: Path) -> None:
    spec = end_card_spec(BRAND | {"logo": str(tmp_path / "logo.png")})
    preset = resolve_preset(spec.preset)
    timeline = build_timeline(spec, preset, [2.0, 2.0])
    plan = RenderPlan(
        spec=spec,
        preset=preset,
        timeline=timeline,
        audio=tmp_path / "mix.wav",
        overlay_ass=None,
        output=tmp_path / "video.mp4",
        corner_logo_until=3.5,
    )
    rendered = build_filtergraph(plan, InputList()).render()
    chain = next(c for c in rendered.split(";") if c.endswith("[logoed]"))
    assert "enable=lt(t\\,3.5000)" in chain or "enable='lt(t,3.5000)'" in chain, chain


def test_the_logo_grows_into_its_box_rather_than_bobbing_out_of_its_plate(tmp_path: Path) -> None:
    logo = logo_file(tmp_path / "logo.png", (900, 300), (20, 33, 61, 255))
    plan = plan_design(
        end_card_spec(BRAND | {"logo": str(logo)}), 1080, 1920, TIMES, caption_look="social"
    )
    end = plan.scenes[1]
    assert end.logo is not None and end.logo.motion == "push"
    plate = next(b for b in end.boxes if b.id.endswith("logo_plate"))
    box = end.logo.box
    assert plate.x < box.x and plate.y < box.y
    assert box.x + box.w < plate.x + plate.w and box.y + box.h < plate.y + plate.h


def _texts(spec: VideoSpec) -> dict[str, str]:
    plan = plan_design(spec, 1080, 1920, TIMES, caption_look="social")
    end = plan.scenes[-1]
    return {
        e.box.id.split(".")[1]: " ".join(e.text.lines)
        for e in end.elements
        if isinstance(e, TextElement)
    }


def test_without_a_call_to_action_the_button_says_the_url_not_the_name() -> None:
    # a brand kit without a call to action put the brand's name in the button: "Volt"
    # under the "Volt" wordmark
    spec = end_card_spec({"name": "Volt", "url": "volt-velo.fr"})
    spec = spec.model_copy(
        update={"scenes": [spec.scenes[0], spec.scenes[1].model_copy(update={"title": "VOLT"})]}
    )
    texts = _texts(spec)
    assert texts["wordmark"] == "Volt"
    assert texts["cta"] == "volt-velo.fr"
    assert "headline" not in texts and "url" not in texts  # the name and the URL once each


def test_with_nothing_to_click_there_is_no_button() -> None:
    spec = end_card_spec({"name": "Volt"})
    spec = spec.model_copy(
        update={"scenes": [spec.scenes[0], spec.scenes[1].model_copy(update={"title": "Volt!"})]}
    )
    texts = _texts(spec)
    assert texts == {"wordmark": "Volt"}
