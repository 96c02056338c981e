"""Pixel measurements with known answers on frames made here (numpy and Pillow)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from aiprod.design.boxes import Box, safe_zone
from aiprod.qa.design import SKIPPED, DesignSection
from aiprod.qa.pixels import (
    BODY_CONTRAST,
    LARGE_CONTRAST,
    block_for,
    contrast_check,
    contrast_ratio,
    emptiness,
    emptiness_check,
    relative_luminance,
    required_contrast,
    text_contrast,
)

W, H = 360, 640


def flat(colour: tuple[int, int, int], width: int = W, height: int = H) -> np.ndarray:
    return np.full((height, width, 3), colour, dtype=np.uint8)


def with_text(background: tuple[int, int, int], ink: tuple[int, int, int], box: Box) -> np.ndarray:
    image = Image.fromarray(flat(background))
    draw = ImageDraw.Draw(image)
    for i in range(0, box.w - 10, 24):  # glyph-like bars inside the box, in the ink colour
        draw.rectangle((box.x + i, box.y + 4, box.x + i + 12, box.bottom - 4), fill=ink)
    return np.array(image)


def text_box(colour: str, **kw: Any) -> Box:
    values: dict[str, Any] = {"x": 60, "y": 200, "w": 200, "h": 50, "text_px": 44}
    values.update({"start_s": 0.0, "end_s": 4.0, **kw})
    return Box(id="t", role="headline", colour=colour, **values)


def test_wcag_luminance_and_ratio_known_values() -> None:
    assert float(relative_luminance((255, 255, 255))) == pytest.approx(1.0)
    assert float(relative_luminance((0, 0, 0))) == 0.0
    assert contrast_ratio(1.0, 0.0) == pytest.approx(21.0)
    # #767676 on white is the classic 4.54:1
    grey = float(relative_luminance((0x76, 0x76, 0x76)))
    assert contrast_ratio(1.0, grey) == pytest.approx(4.54, abs=0.01)


def test_white_text_on_white_fails_black_on_white_passes() -> None:
    white, black = text_box("#FFFFFF"), text_box("#000000")
    assert text_contrast(with_text((255, 255, 255), (255, 255, 255), white), white) == 1.0
    ratio = text_contrast(with_text((255, 255, 255), (0, 0, 0), black), black)
    assert ratio == pytest.approx(21.0)


def test_background_is_the_ring_not_the_box() -> None:
    """Light text on a frame that is white only far from the box: the ring decides."""
    frame = flat((20, 20, 20))
    frame[:100] = 255  # far above the box
    box = text_box("#FFFFFF")
    ratio = text_contrast(frame, box)
    assert ratio is not None and ratio > 15


def test_light_text_is_held_to_the_lightest_part_of_a_mixed_background() -> None:
    frame = flat((0, 0, 0))
    box = text_box("#FFFFFF")
    frame[:, box.x + 100 :] = 250  # right half of the ring is near-white
    ratio = text_contrast(frame, box)
    assert ratio is not None and ratio < 1.1


def test_large_text_needs_three_captions_four_and_a_half() -> None:
    big = text_box("#FFFFFF", text_px=80)  # 80 px of 360 → 92 CSS px on a phone
    small = text_box("#FFFFFF", text_px=16)  # 18 CSS px
    caption = Box("c", "caption", 0, 500, 360, 60, 0.0, 4.0, text_px=80, colour="#FFFFFF")
    assert required_contrast(big, W, H) == LARGE_CONTRAST
    assert required_contrast(small, W, H) == BODY_CONTRAST
    assert required_contrast(caption, W, H) == BODY_CONTRAST


def _section(boxes: list[Box]) -> DesignSection:
    return DesignSection.from_dict(
        {
            "aspect": "9:16",
            "width": W,
            "height": H,
            "safe_zone": safe_zone(W, H).to_dict(),
            "scenes": [
                {
                    "index": 0,
                    "layout": "hook",
                    "start_s": 0,
                    "end_s": 4,
                    "boxes": [b.to_dict() for b in boxes],
                }
            ],
        }
    )


def test_contrast_check_fails_with_reasons_and_passes_on_good_text() -> None:
    grey = text_box("#999999", text_px=16)  # body text, grey on white ≈ 2.85:1
    frame = with_text((255, 255, 255), (0x99, 0x99, 0x99), grey)
    check = contrast_check(_section([grey]), [frame], [2.0])
    assert not check.passed
    assert check.measured == pytest.approx(2.85, abs=0.01)
    assert "scene 0 't' (headline) 2.85:1 < 4.5:1" in check.detail
    dark = text_box("#111111", text_px=16)
    ok = contrast_check(_section([dark]), [with_text((255, 255, 255), (17, 17, 17), dark)], [2.0])
    assert ok.passed and isinstance(ok.measured, float) and ok.measured > 17


def test_boxes_off_screen_at_the_sample_time_and_colourless_boxes_are_not_measured() -> None:
    later = text_box("#FFFFFF", start_s=3.0)
    plain = Box("p", "support", 60, 300, 100, 40, 0.0, 4.0, text_px=30)
    check = contrast_check(_section([later, plain]), [flat((255, 255, 255))], [1.0])
    assert check.passed and check.measured == SKIPPED
    assert "1 unmeasured" in check.detail


def test_no_section_skips_contrast() -> None:
    assert contrast_check(None, [], []).measured == SKIPPED


def test_flat_frame_is_all_empty_and_noise_is_none() -> None:
    assert emptiness(flat((30, 60, 90))) == 1.0
    noise = np.random.default_rng(7).integers(0, 256, (H, W, 3), dtype=np.uint8)
    assert emptiness(noise) == 0.0


def test_smooth_gradient_is_empty_and_detail_counts_by_block() -> None:
    ramp = np.linspace(0, 255, H)[:, None, None].repeat(W, axis=1).repeat(3, axis=2)
    assert emptiness(ramp.astype(np.uint8)) == 1.0
    half = flat((0, 0, 0))
    noise = np.random.default_rng(3).integers(0, 256, (H, 176, 3), dtype=np.uint8)
    half[:, :176] = noise  # 22 of the 45 block columns have detail
    assert emptiness(half, block=8) == pytest.approx(23 / 45)
    # at 360x640 the block is 8 * 360 / 1080 = 3 px: 59 of 120 block columns have detail
    assert block_for(half) == 3
    assert emptiness(half) == pytest.approx(61 / 120)


def test_emptiness_check_median_over_scenes() -> None:
    noise = np.random.default_rng(1).integers(0, 256, (H, W, 3), dtype=np.uint8)
    empty = flat((0, 0, 0))
    failing = emptiness_check([empty, empty, noise], [0, 1, 2], enforced=True)
    assert not failing.passed and failing.measured == 100.0
    assert "per scene 0: 100%, 1: 100%, 2: 0%" in failing.detail
    assert emptiness_check([empty, noise, noise], [0, 1, 2], enforced=True).passed
    shown = emptiness_check([empty], [0], enforced=False)
    assert shown.passed and shown.measured == 100.0
    assert "not enforced" in shown.threshold


def test_text_on_its_panel_is_measured_against_the_panel() -> None:
    """White text on a dark panel, the panel on a white frame: legible, the panel decides."""
    frame = flat((255, 255, 255))
    frame[194:256, 54:266] = (20, 20, 60)  # the panel, 6 px around the text
    box = text_box("#FFFFFF")  # x 60-260, y 200-250; its ring is 12 px wide
    panel = Box("panel", "shape", 54, 194, 212, 62, 0.0, 4.0, colour="#14143C")
    assert (text_contrast(frame, box) or 0) < 1.5  # the ring alone reaches the white frame
    ratio = text_contrast(frame, box, panel)
    assert ratio is not None and ratio > 15
    section = _section([panel, box])
    check = contrast_check(section, [frame], [1.0])
    assert check.passed and isinstance(check.measured, float) and check.measured > 15


def test_neighbouring_elements_are_not_the_background() -> None:
    """White text on a dark frame with a bright underline just below it, inside the ring:
    the underline is another element, not what the text is read against."""
    box = text_box("#FFFFFF")  # x 60-260, y 200-250; its ring reaches y 262
    frame = with_text((20, 30, 70), (255, 255, 255), box)
    frame[253:258, 60:200] = (255, 212, 0)  # the accent underline
    underline = Box("underline", "shape", 60, 253, 140, 5, 0.0, 4.0, colour="#FFD400")
    assert (text_contrast(frame, box) or 0) < 3  # measured against the underline
    ratio = text_contrast(frame, box, None, [underline])
    assert ratio is not None and ratio > 10
    check = contrast_check(_section([underline, box]), [frame], [1.0])
    assert check.passed and isinstance(check.measured, float) and check.measured > 10


def test_a_button_is_its_own_plate() -> None:
    frame = flat((255, 255, 255))
    button = Box("cta", "button", 60, 300, 200, 60, 0.0, 4.0, text_px=28, colour="#FFFFFF")
    frame[300:360, 60:260] = (0, 90, 200)  # the button's fill
    frame[320:340, 80:240:20] = 255  # its white letters
    ratio = text_contrast(frame, button)
    assert ratio == pytest.approx(contrast_ratio(1.0, float(relative_luminance((0, 90, 200)))))
    blank = flat((255, 255, 255))  # a white "button" on white: nothing to read
    assert text_contrast(blank, button) == 1.0


def test_boxes_are_scaled_to_a_frame_of_another_size() -> None:
    """A design at 720x1280 checked on a 360x640 frame: the box lands where it was drawn."""
    box = text_box("#000000", x=120, y=400, w=400, h=100, text_px=88)
    frame = flat((0, 0, 0))
    frame[180:270, 40:280] = 255  # white only around the box as drawn at 360x640
    assert text_contrast(frame, box) == pytest.approx(1.0)  # unscaled, it would read black
    design = {
        "aspect": "9:16",
        "width": 720,
        "height": 1280,
        "safe_zone": safe_zone(720, 1280).to_dict(),
        "scenes": [{"index": 0, "layout": "hook", "start_s": 0, "end_s": 4,
                    "boxes": [box.to_dict()]}],
    }  # fmt: skip
    check = contrast_check(DesignSection.from_dict(design), [frame], [1.0])
    assert check.measured == pytest.approx(21.0)


@given(
    st.tuples(*[st.integers(0, 255)] * 3),
    st.tuples(*[st.integers(0, 255)] * 3),
)
def test_contrast_is_symmetric_and_bounded(
    a: tuple[int, int, int], b: tuple[int, int, int]
) -> None:
    la, lb = float(relative_luminance(a)), float(relative_luminance(b))
    ratio = contrast_ratio(la, lb)
    assert ratio == contrast_ratio(lb, la)
    assert 1.0 <= ratio <= 21.0 + 1e-9
    assert (ratio == 1.0) == (la == lb)


@given(st.tuples(*[st.integers(0, 255)] * 3), st.integers(1, 40), st.integers(1, 40))
def test_any_flat_frame_is_empty(colour: tuple[int, int, int], w: int, h: int) -> None:
    assert emptiness(flat(colour, 8 * w, 8 * h)) == 1.0


def test_the_block_scales_with_the_frame() -> None:
    assert block_for(flat((0, 0, 0), 1080, 1920)) == 8
    assert block_for(flat((0, 0, 0), 1920, 1080)) == 8
    assert block_for(flat((0, 0, 0), 2160, 3840)) == 16
    assert block_for(flat((0, 0, 0), 100, 100)) == 2
