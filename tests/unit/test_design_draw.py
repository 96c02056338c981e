"""What the design stage hands libass: user text never becomes markup; shapes are drawings."""

from __future__ import annotations

import re
from typing import Any

from aiprod.captions.ass import WORD_JOINER
from aiprod.design.draw import circle_path, rect_path
from aiprod.design.engine import DesignPlan, SceneTimes, plan_design
from aiprod.design.motion import count_steps, spring
from aiprod.spec.model import LAYOUT_KINDS, VideoSpec

EVIL = "Cheap {\\pos(7,7)\\c&H0000FF&}beans\\N now {\\p1}m 0 0 l 9 9{\\p0}\nnext"
TAG_BLOCK = re.compile(r"(?<!\\)\{([^}]*)\}")


def evil_spec() -> VideoSpec:
    scenes: list[dict[str, Any]] = []
    for kind in LAYOUT_KINDS:
        scenes.append(
            {
                "title": EVIL,
                "text": EVIL,
                "narration": "x",
                "layout": kind,
                "items": [EVIL[:80], "b {\\b1}"],
                "quote": {"text": EVIL, "author": "{\\fscx333}x"},
                "offer": {"badge": "{\\i1}", "price": "{\\fs9}1", "was": "\\N2", "code": "{A}"},
                "stat": {"value": 12, "unit": "{\\x}", "prefix": "\\", "label": EVIL[:100]},
            }
        )
    return VideoSpec.model_validate(
        {
            "brand": {"name": "{\\frz77}", "tagline": EVIL[:100], "url": "a.b/{\\q}"},
            "scenes": scenes,
        }
    )


def test_user_text_never_becomes_an_override_tag() -> None:
    plan = plan_design(
        evil_spec(),
        1080,
        1920,
        [SceneTimes(i * 4 + 0.2, i * 4 + 3.8) for i in range(len(LAYOUT_KINDS))],
        caption_look="social",
    )
    assert plan.front
    for event in (*plan.front, *plan.backdrop):
        for block in TAG_BLOCK.findall(event.text):
            # every override block is ours: none holds what the user typed
            for marker in ("pos(7,7)", "fscx333", "frz77", "\\i1", "0000FF", "\\q" + WORD_JOINER):
                assert marker not in block, (marker, event.text)
        assert "\n" not in event.text
        # user backslashes are broken by a word joiner, braces escaped
        if "Cheap" in event.text:
            assert "\\{" in event.text or "beans" not in event.text


def test_shapes_are_closed_drawings_in_frame_pixels() -> None:
    assert rect_path(100, 40) == "m 0 0 l 100 0 100 40 0 40"
    rounded = rect_path(100, 40, 10)
    assert rounded.startswith("m 10 0") and rounded.count(" b ") == 4
    circle = circle_path(50, 50, 50)
    assert circle.startswith("m 50 0") and circle.endswith("50 0")


def test_motion_springs_overshoot_a_little_and_counts_land_on_the_value() -> None:
    peak = max(spring(i / 100) for i in range(101))
    assert 1.05 <= peak <= 1.10
    assert spring(0) == 0 and spring(1) == 1
    steps = count_steps(80, 0)
    values = [float(v) for _, v in steps]
    assert values == sorted(values) and steps[-1][1] == "80" and steps[0][0] == 0
    assert count_steps(4.5, 1)[-1][1] == "4.5"


NNBSP = "\u202f"


def test_count_up_values_are_written_like_the_final_value() -> None:
    english = [shown for _, shown in count_steps(10_000, 0)]
    assert english[-1] == "10,000"
    assert all(re.fullmatch(r"\d{1,3}(,\d{3})*", v) for v in english), english
    assert any("," in v for v in english[1:-1]), english  # '2,500', '7,431' on the way
    french = [shown for _, shown in count_steps(10_000, 0, "fr")]
    assert french[-1] == f"10{NNBSP}000"
    assert all(re.fullmatch(rf"\d{{1,3}}({NNBSP}\d{{3}})*", v) for v in french), french
    decimals = [shown for _, shown in count_steps(2.5, 1, "fr")]
    assert decimals[-1] == "2,5" and all(re.fullmatch(r"\d,\d", v) for v in decimals)
    assert count_steps(2.5, 1)[-1][1] == "2.5"
    small = [shown for _, shown in count_steps(1_250, 0)]
    assert small[-1] == "1250" and all(v.isdigit() for v in small)  # small numbers ungrouped


def french_stat_design(stat: dict[str, Any], width: int = 1080, height: int = 1920) -> DesignPlan:
    """The design of a French spec whose middle scene is ``stat``."""
    spec = VideoSpec.model_validate(
        {
            "language": "fr",
            "scenes": [
                {"narration": "Bonjour."},
                {"narration": "x", "layout": "stat", "stat": stat},
                {"narration": "À bientôt."},
            ],
        }
    )
    times = [SceneTimes(i * 4, i * 4 + 3.8) for i in range(3)]
    return plan_design(spec, width, height, times, caption_look=None)


def test_a_french_stat_counts_up_in_french() -> None:
    plan = french_stat_design({"value": 10000, "label": "clients"})
    texts = " ".join(event.text for event in plan.front)
    assert f"10{NNBSP}000" in texts and "10,000" not in texts
    assert re.search(rf"}}\d{{1,3}}{NNBSP}\d{{3}}", texts)  # intermediate values grouped too


def test_a_short_stat_number_stays_inside_its_disc() -> None:
    # '3 h' filled its disc's square edge to edge: the box's corners (and the ring QA reads
    # the background in) reached past the circle onto the accent ring, failing contrast
    for width, height in ((1080, 1920), (1920, 1080), (1080, 1080)):
        plan = french_stat_design({"value": 3, "unit": "h"}, width, height)
        boxes = {b.id: b for b in plan.scenes[1].boxes}
        disc, stat = boxes["s1.disc"], boxes["s1.stat"]
        cx, cy, radius = disc.x + disc.w / 2, disc.y + disc.h / 2, disc.w / 2
        ring = max(4, round(min(stat.h, stat.text_px or stat.h) / 4))
        dx = max(abs(stat.x - ring - cx), abs(stat.x + stat.w + ring - cx))
        dy = max(abs(stat.y - ring - cy), abs(stat.y + stat.h + ring - cy))
        assert (dx**2 + dy**2) ** 0.5 <= radius, (width, height, stat, disc)
