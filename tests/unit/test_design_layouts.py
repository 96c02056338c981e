"""The layout engine as data: every layout x aspect x short/long/CJK/RTL text stays inside
the safe zone and its own box, with no unintended overlaps."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest

from aiprod.design.boxes import aspect_name, outside_safe_zone, unintended_overlaps
from aiprod.design.engine import SceneTimes, choose_layouts, plan_design
from aiprod.design.layouts import TextElement
from aiprod.qa.design import MAX_ALIKE_SHARE, DesignSection, alike_pairs, variety_check
from aiprod.spec.model import LAYOUT_KINDS, VideoSpec

SIZES = {
    "9:16": (1080, 1920, "social"),
    "1:1": (1080, 1080, "social"),
    "16:9": (1920, 1080, "clean"),
}
TEXTS = {
    "short": {
        "title": "Go",
        "items": ["Fast", "Free"],
        "quote": "Great.",
        "label": "km range",
    },
    "long": {
        "title": "Donaudampfschifffahrtsgesellschaftskapitän: the longest headline we "
        "could think of, with far too many words to fit on three lines at full size",
        "items": [
            "Organic beans from small farms roasted every single week in our own roastery",
            "Free delivery to your door, anywhere in the country, every time you order",
            "Cancel or pause your subscription whenever you like, no questions asked",
            "Rechtsschutzversicherungsgesellschaften",
        ],
        "quote": "Honestly the best coffee I have had in years, and it arrives before I "
        "even run out, which never happened with any other service I tried before.",
        "label": "kilometres on one charge, even in winter, even uphill with a full load",
    },
    "cjk": {
        "title": "每天早上都有新鲜烘焙的有机咖啡豆送到您家门口",
        "items": ["有机咖啡豆", "免费送货上门服务", "每周新鲜烘焙"],
        "quote": "这是我多年来喝过的最好的咖啡。",
        "label": "公里续航",
    },
    "rtl": {
        "title": "قهوة عضوية طازجة تصل إلى بابك كل صباح",
        "items": ["حبوب عضوية", "توصيل مجاني", "משלוח חינם עד הבית"],
        "quote": "أفضل قهوة شربتها منذ سنوات.",
        "label": "كيلومتر بشحنة واحدة",
    },
}


def scene_for(kind: str, text: dict[str, Any]) -> dict[str, Any]:
    scene: dict[str, Any] = {
        "title": text["title"],
        "narration": "Some narration for this scene.",
        "layout": kind,
        "illustration": {"emoji": "☕"},
        "text": text["label"],
    }
    if kind == "stat":
        scene["stat"] = {"value": 80, "unit": "km", "label": text["label"]}
    if kind in ("list", "comparison"):
        scene["items"] = text["items"][: 2 if kind == "comparison" else 4]
    if kind == "quote":
        scene["quote"] = {"text": text["quote"], "author": "Ada, customer"}
    if kind == "offer":
        scene["offer"] = {"badge": "-20%", "price": "12 €", "was": "15 €", "code": "FIRSTCUP"}
    return scene


def spec_for(scenes: list[dict[str, Any]], logo: bool = False) -> VideoSpec:
    brand: dict[str, Any] = {
        "name": "Bean There",
        "tagline": "Coffee worth the trip",
        "call_to_action": "Order at beanthere.coffee",
        "url": "beanthere.coffee",
    }
    if logo:
        brand["logo"] = "logo.png"
    return VideoSpec.model_validate({"brand": brand, "scenes": scenes})


def times(count: int) -> list[SceneTimes]:
    return [SceneTimes(i * 5.0 + 0.3, i * 5.0 + 4.7) for i in range(count)]


@pytest.mark.parametrize("aspect", list(SIZES))
@pytest.mark.parametrize("variant", list(TEXTS))
@pytest.mark.parametrize("kind", LAYOUT_KINDS)
def test_every_layout_stays_in_its_zone_and_boxes(kind: str, variant: str, aspect: str) -> None:
    width, height, look = SIZES[aspect]
    spec = spec_for([scene_for(kind, TEXTS[variant])])
    plan = plan_design(spec, width, height, times(1), caption_look=look)
    assert plan.aspect == aspect == aspect_name(width, height)
    (scene,) = plan.scenes
    assert scene.layout == kind
    boxes = list(scene.boxes)
    assert [b.id for b in outside_safe_zone(boxes, plan.zone)] == []
    assert [(a.id, b.id) for a, b in unintended_overlaps(boxes)] == []
    texts = [e for e in scene.elements if isinstance(e, TextElement)]
    assert texts, "every layout shows some text"
    for element in texts:
        box, typeset = element.box, element.text
        assert typeset.width <= box.w + 0.5 and typeset.height <= box.h + 0.5, box.id
        assert box.text_px == round(typeset.em_px)
        assert plan.grid.band is None or box.bottom <= plan.grid.band.y, "above the captions"
    ids = [b.id for b in boxes]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("aspect", list(SIZES))
def test_short_headlines_are_big(aspect: str) -> None:
    """A headline a phone viewer reads at arm's length: >= 6 % of the height in 9:16,
    7-10 % in 16:9 (em size)."""
    width, height, look = SIZES[aspect]
    spec = spec_for(
        [scene_for(k, TEXTS["short"] | {"title": "Fresh beans"}) for k in ("hook", "benefit")]
    )
    plan = plan_design(spec, width, height, times(2), caption_look=look)
    for scene in plan.scenes:
        sizes = [b.text_px or 0 for b in scene.boxes if b.role == "headline"]
        assert sizes, scene.layout
        low = 0.06 if aspect == "9:16" else 0.07
        assert max(sizes) >= low * height


def test_a_logo_corner_and_no_captions_are_respected() -> None:
    spec = spec_for([scene_for(k, TEXTS["long"]) for k in LAYOUT_KINDS], logo=True)
    plan = plan_design(spec, 1080, 1080, times(len(LAYOUT_KINDS)), caption_look=None)
    assert plan.grid.band is None
    for scene in plan.scenes:
        assert all(b.role != "caption" for b in scene.boxes)
        assert [b.id for b in outside_safe_zone(list(scene.boxes), plan.zone)] == []


def test_default_layouts_open_with_a_hook_close_with_an_end_card_and_vary() -> None:
    plain = {"title": "A point", "narration": "A point.", "illustration": {"emoji": "☕"}}
    spec = spec_for([plain] * 6)
    kinds = choose_layouts(list(spec.scenes))
    assert kinds[0] == "hook" and kinds[-1] == "end_card"
    assert all(a != b for a, b in pairwise(kinds))
    content = [
        plain,
        {**plain, "stat": {"value": 48, "unit": "h"}},
        {**plain, "items": ["a", "b", "c"]},
        {**plain, "offer": {"price": "12 €"}},
        plain,
    ]
    assert choose_layouts(list(spec_for(content).scenes)) == [
        "hook",
        "stat",
        "list",
        "offer",
        "end_card",
    ]


def test_the_manifest_section_has_the_agreed_shape() -> None:
    spec = spec_for([scene_for(k, TEXTS["short"]) for k in ("hook", "stat", "end_card")])
    plan = plan_design(spec, 1080, 1920, times(3), caption_look="social")
    section = plan.section()
    assert set(section) == {"aspect", "width", "height", "safe_zone", "stage_s", "scenes"}
    assert section["aspect"] == "9:16" and section["width"] == 1080
    assert set(section["safe_zone"]) == {"platform", "left", "top", "right", "bottom"}
    first = section["scenes"][0]
    assert set(first) == {"index", "layout", "background", "start_s", "end_s", "boxes"}
    assert first["background"] == "gradient"
    assert section["scenes"][1]["background"] == "split"  # a stat is framed by two colours
    assert {b["role"] for b in first["boxes"]} >= {"headline", "picture", "caption"}
    assert section["scenes"][1]["layout"] == "stat"
    assert any(b["role"] == "stat" for b in section["scenes"][1]["boxes"])


@pytest.mark.parametrize("kind", LAYOUT_KINDS)
def test_every_9x16_headline_reads_at_arms_length(kind: str) -> None:
    spec = spec_for([scene_for(kind, TEXTS["short"] | {"title": "Fresh beans weekly"})])
    plan = plan_design(spec, 1080, 1920, times(1), caption_look="social")
    sizes = [b.text_px or 0 for b in plan.scenes[0].boxes if b.role in ("headline", "stat")]
    if kind != "quote":  # a quote scene's largest text is the quote itself
        assert sizes and max(sizes) >= 0.06 * 1920, (kind, sizes)


@pytest.mark.parametrize("kind", ["hook", "benefit"])
def test_a_long_headline_takes_room_from_the_picture_in_9x16(kind: str) -> None:
    # 5.89 % (hook) and 5.78 % (benefit) of the frame before: QA failed the render
    title = "Everything your team needs in one place"
    spec = spec_for([scene_for(kind, TEXTS["short"] | {"title": title})])
    plan = plan_design(spec, 1080, 1920, times(1), caption_look="social")
    (scene,) = plan.scenes
    head = next(b for b in scene.boxes if b.role == "headline")
    assert (head.text_px or 0) >= 0.06 * 1920
    assert any(b.role == "picture" for b in scene.boxes)
    assert unintended_overlaps(list(scene.boxes)) == []
    assert [b.id for b in outside_safe_zone(list(scene.boxes), plan.zone)] == []


def test_an_offer_headline_takes_room_from_the_badge_in_9x16() -> None:
    # 'Vélo électrique urbain pour la ville' was set at 5.36 % of the frame: QA failed
    title = "Vélo électrique urbain pour la ville"
    spec = spec_for([scene_for("offer", TEXTS["short"] | {"title": title})])
    plan = plan_design(spec, 1080, 1920, times(1), caption_look="social")
    (scene,) = plan.scenes
    head = next(b for b in scene.boxes if b.role == "headline")
    assert (head.text_px or 0) >= 0.06 * 1920
    assert unintended_overlaps(list(scene.boxes)) == []


def test_a_list_headline_takes_the_rows_it_needs_in_9x16() -> None:
    # at 30 % of the content its floor did not fit: set at 5.73 % of the frame, QA failed
    title = "Everything your team needs in one place"
    spec = spec_for([scene_for("list", TEXTS["short"] | {"title": title})])
    plan = plan_design(spec, 1080, 1920, times(1), caption_look="social")
    (scene,) = plan.scenes
    head = next(b for b in scene.boxes if b.role == "headline")
    assert (head.text_px or 0) >= 0.06 * 1920
    items = [b for b in scene.boxes if b.role == "list_item"]
    assert len(items) >= 2 and all(b.y > head.y + head.h for b in items)
    assert unintended_overlaps(list(scene.boxes)) == []


@pytest.mark.parametrize("size", [(1080, 1080), (540, 540)])
def test_a_benefit_headline_with_long_words_takes_width_from_the_picture(
    size: tuple[int, int],
) -> None:
    # in a square frame 'Bookkeeping' did not fit the text column at the floor, and a
    # mirrored scene (the second) gave its picture the text's width: 3.5 %, a word cut
    width, height = size
    title = "Bookkeeping App for Freelancers"
    scenes = [scene_for("benefit", TEXTS["short"] | {"title": title}) for _ in range(2)]
    plan = plan_design(spec_for(scenes), width, height, times(2), caption_look="social")
    for scene in plan.scenes:
        head = next(
            e for e in scene.elements if isinstance(e, TextElement) and e.box.role == "headline"
        )
        assert head.text.em_px >= 0.06 * height, scene.index
        assert not any(line.endswith("-") for line in head.text.lines)
        assert unintended_overlaps(list(scene.boxes)) == []
    # the mirrored scene is laid out otherwise (the picture above the text), not alike
    first, second = (next(b for b in s.boxes if b.role == "headline") for s in plan.scenes)
    assert abs(first.y - second.y) > height * 0.05 or abs(first.x - second.x) > width * 0.05


# short and medium headlines in scripts whose faces declare a very tall line (Noto Sans CJK
# 1.45 em, Noto Sans Arabic 2.11 em): their boxes are the glyphs' real extent, so they read
# at arm's length too, in the layouts where a Latin headline of that length does
TALL_LINE_HEADLINES = {
    "cjk_short": "新鲜咖啡豆每周送达",
    "cjk_medium": "每天早上都有新鲜烘焙的咖啡豆",
    "arabic_short": "قهوة طازجة كل أسبوع",
    "arabic_medium": "قهوة طازجة تصل إلى بابك كل صباح",
}


@pytest.mark.parametrize("kind", ["hook", "benefit", "offer", "end_card", "product", "comparison"])
@pytest.mark.parametrize("variant", list(TALL_LINE_HEADLINES))
def test_cjk_and_arabic_headlines_reach_six_percent_in_9x16(kind: str, variant: str) -> None:
    head = TALL_LINE_HEADLINES[variant]
    spec = spec_for([scene_for(kind, TEXTS["short"] | {"title": head})])
    if kind == "end_card":  # the end card's headline is the brand's tagline
        spec = spec.model_copy(update={"brand": spec.brand.model_copy(update={"tagline": head})})
    plan = plan_design(spec, 1080, 1920, times(1), caption_look="social")
    (scene,) = plan.scenes
    heads = [e for e in scene.elements if isinstance(e, TextElement) and e.box.role == "headline"]
    assert heads
    for element in heads:
        # 6 % to within the fitter's search step (it finds the largest size to 0.4 %)
        assert element.text.em_px >= 0.06 * 1920 * 0.99, (kind, element.text.em_px)
        assert element.text.height <= element.box.h + 0.5
    assert [b.id for b in outside_safe_zone(list(scene.boxes), plan.zone)] == []
    assert [(a.id, b.id) for a, b in unintended_overlaps(list(scene.boxes))] == []


# headlines of 36-52 characters, EN and FR, the longest the planner writes: before the
# layouts gave them room, 9:16 set them at 4.5 % (comparison), 4.7 % (product), 5.5 %
# (offer), and a square list at 3.8 %; QA failed those renders. At 48-52 characters 9:16
# benefit, comparison, product and offer still fell to 5-5.9 %, and square hook, product
# and offer to 5.4-5.9 %
LONG_HEADLINES = (
    "Everything your team needs in one place",
    "Vélo électrique urbain pour la ville",
    "Invoices, receipts and taxes handled for you",
    "Fresh organic beans delivered to your door",
    "Le vélo électrique urbain qui change vos trajets",
    "Everything your growing team needs, all in one place",
    "Des factures, reçus et impôts enfin gérés pour vous.",
    "Une batterie qui tient toute une semaine en ville !",
    "Fresh organic coffee beans, delivered to your door",
)


@pytest.mark.parametrize("aspect", list(SIZES))
@pytest.mark.parametrize("kind", [k for k in LAYOUT_KINDS if k != "quote"])
def test_long_headlines_reach_six_percent_in_every_layout(kind: str, aspect: str) -> None:
    width, height, look = SIZES[aspect]
    scenes = [scene_for(kind, TEXTS["short"] | {"title": t}) for t in LONG_HEADLINES]
    plan = plan_design(spec_for(scenes), width, height, times(len(scenes)), caption_look=look)
    assert max(len(t) for t in LONG_HEADLINES) == 52
    for scene in plan.scenes:  # scenes alternate sides: both variants are checked
        sizes = [b.text_px or 0 for b in scene.boxes if b.role in ("headline", "stat")]
        assert max(sizes) >= 0.06 * height, (scene.index, sizes)
        assert [b.id for b in outside_safe_zone(list(scene.boxes), plan.zone)] == []
        assert [(a.id, b.id) for a, b in unintended_overlaps(list(scene.boxes))] == []


@pytest.mark.parametrize("aspect", list(SIZES))
def test_an_offer_without_a_badge_draws_no_empty_disc(aspect: str) -> None:
    # a code-only offer drew 'badge_disc' and 'badge_ring' around nothing: an empty circle
    width, height, look = SIZES[aspect]
    with_badge = scene_for("offer", TEXTS["short"] | {"title": "Your first box, half price"})
    code_only = with_badge | {"offer": {"code": "FIRSTCUP"}}
    bare_code = code_only | {"text": None}  # no price and no support line: the code alone
    scenes = [with_badge, code_only, bare_code]
    plan = plan_design(spec_for(scenes), width, height, times(3), caption_look=look)
    badge, bare, _ = ({b.id.split(".")[1]: b for b in s.boxes} for s in plan.scenes)
    assert {"badge", "badge_disc", "badge_ring"} <= badge.keys()
    assert not {"badge", "badge_disc", "badge_ring"} & bare.keys()
    # its room goes to the headline and the code: both larger than beside a badge
    assert (bare["headline"].text_px or 0) >= (badge["headline"].text_px or 0)
    assert bare["chip"].h >= badge["chip"].h
    # and no hole is left where the disc (or an empty price row) was: no empty band between
    # the scene's parts as tall as the badge's disc
    for scene in plan.scenes[1:]:
        parts = [b for b in scene.boxes if b.role not in ("shape", "caption")]
        assert {"badge", "badge_disc", "badge_ring"}.isdisjoint(
            b.id.split(".")[1] for b in scene.boxes
        )
        spans = sorted((b.y, b.bottom) for b in parts)
        holes = [nxt[0] - max(e for _, e in spans[: n + 1]) for n, nxt in enumerate(spans[1:])]
        assert max(holes) < badge["badge_disc"].h * 0.7, (scene.index, holes)
        assert [b.id for b in outside_safe_zone(list(scene.boxes), plan.zone)] == []
        assert unintended_overlaps(list(scene.boxes)) == []


# five scenes whose headlines are all 40-52 characters: the room-finding made different
# layouts converge on one arrangement (a tall headline block, a small picture), so that
# benefit -> product -> benefit read alike (content IoU 0.53-0.61), two pairs of four
LONG_PLANS = {
    "en": (
        "Everything your growing team needs, all in one place",
        "Invoices, receipts and taxes handled for you",
        "Fresh organic coffee beans delivered to your door",
        "Bookkeeping made simple for every freelancer",
        "Start your free trial today and see the difference",
    ),
    "fr": (
        "Le vélo électrique urbain qui change vos trajets",
        "Des factures, reçus et impôts gérés pour vous",
        "Une batterie qui tient toute une semaine en ville !",
        "Rechargez votre vélo en deux heures seulement",
        "Essayez-le gratuitement pendant trente jours",
    ),
}


@pytest.mark.parametrize("size", [(1080, 1920), (540, 960)])
@pytest.mark.parametrize("language", list(LONG_PLANS))
def test_a_plan_of_long_headlines_still_varies_its_layouts(
    language: str, size: tuple[int, int]
) -> None:
    width, height = size
    heads = LONG_PLANS[language]
    assert all(40 <= len(h) <= 52 for h in heads)
    scenes = [
        {"title": h, "narration": "Some narration for this scene.", "illustration": {"emoji": "☕"}}
        for h in heads
    ]
    plan = plan_design(spec_for(scenes), width, height, times(5), caption_look="social")
    section = DesignSection.from_dict(plan.section())
    alike = alike_pairs(section)
    assert len(alike) / (len(scenes) - 1) <= MAX_ALIKE_SHARE, alike
    assert variety_check(section).passed
    for scene in plan.scenes:  # still read at arm's length, in the zone, apart
        sizes = [b.text_px or 0 for b in scene.boxes if b.role in ("headline", "stat")]
        assert max(sizes) >= 0.06 * height, (scene.index, sizes)
        assert [b.id for b in outside_safe_zone(list(scene.boxes), plan.zone)] == []
        assert [(a.id, b.id) for a, b in unintended_overlaps(list(scene.boxes))] == []
