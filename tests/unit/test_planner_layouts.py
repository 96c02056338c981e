"""Scene layouts chosen by content: briefs in, layouts and their content out; the user's
choices kept; consecutive scenes varied; the spec round-trips through YAML and JSON."""

from __future__ import annotations

import json
import re
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from aiprod.config import Settings
from aiprod.errors import InvalidSpec
from aiprod.intake import load_spec
from aiprod.pipeline.plan import PlanRequest, draft_spec
from aiprod.planner.layouts import assign_layouts, repeated_pairs
from aiprod.spec.layout_check import layout_problems
from aiprod.spec.load import parse_spec
from aiprod.spec.model import Scene, VideoSpec

VOLT = (
    "30s ad for Volt e-bikes: 80 km battery range, charges in 4 hours, 20% off this week "
    "with code VOLT20. Book a test ride at volt.bike"
)
NUAGE = (
    "Publicité de 45 secondes pour Vélo Nuage : autonomie de 80 km, recharge en 3 heures, "
    "10 % de réduction avec le code NUAGE10."
)
GLOWUP = (
    "Square 15s promo for GlowUp serum, playful. Key points:\n- brighter skin in 7 days\n"
    '- vegan formula\n- dermatologist tested\nEnd with "Try GlowUp today"'
)
IRON_PEAK = (
    "An epic, cinematic 60s trailer for Iron Peak Games' new RPG. Showcase the open world, "
    "40 hours of story and co-op mode. Pre-order now on ironpeak.gg"
)
WECOOK = (
    "60s ad for a meal kit, WeCook. 'Best dinner I've had all week' says Sarah. "
    "Prices from $9.99 a meal, free delivery, 3 recipes a week."
)


@pytest.fixture(scope="module")
def plan_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("data"))


def planned(brief: str, settings: Settings) -> VideoSpec:
    return draft_spec(PlanRequest(brief=brief), settings)


def layouts(spec: VideoSpec) -> list[str | None]:
    return [scene.layout for scene in spec.scenes]


def the(spec: VideoSpec, layout: str) -> Scene:
    found = [scene for scene in spec.scenes if scene.layout == layout]
    assert found, f"no {layout} scene in {layouts(spec)}"
    return found[0]


def test_brief_with_numbers_gets_a_stat_scene(plan_settings: Settings) -> None:
    spec = planned(VOLT, plan_settings)
    stat = the(spec, "stat").stat
    assert stat is not None
    assert (stat.value, stat.decimals, stat.prefix, stat.unit) == (80, 0, "", "km")
    assert stat.label == "Battery range"


def test_french_brief_with_numbers_gets_a_stat_scene(plan_settings: Settings) -> None:
    spec = planned(NUAGE, plan_settings)
    stat = the(spec, "stat").stat
    assert stat is not None
    assert (stat.value, stat.unit, stat.label) == (80, "km", "Autonomie")


def test_promo_code_gets_an_offer_scene(plan_settings: Settings) -> None:
    for brief, code, badge in ((VOLT, "VOLT20", "-20%"), (NUAGE, "NUAGE10", "-10%")):
        offer = the(planned(brief, plan_settings), "offer").offer
        assert offer is not None
        assert (offer.code, offer.badge) == (code, badge)


def test_brief_with_a_list_gets_a_list_scene(plan_settings: Settings) -> None:
    items = the(planned(GLOWUP, plan_settings), "list").items
    assert items == ["Brighter skin in 7 days", "Vegan formula", "Dermatologist tested"]


def test_key_points_in_separate_scenes_are_recapped_as_a_list(plan_settings: Settings) -> None:
    spec = planned(IRON_PEAK, plan_settings)
    assert the(spec, "list").items == ["Open world", "40 hours of story", "Co-op mode"]
    assert layouts(spec).count("list") == 1


def test_testimonial_gets_a_quote_scene_and_price_an_offer(plan_settings: Settings) -> None:
    spec = planned(WECOOK, plan_settings)
    quote = the(spec, "quote").quote
    assert quote is not None
    assert (quote.text, quote.author) == ("Best dinner I've had all week", "Sarah")
    offer = the(spec, "offer").offer
    assert offer is not None and offer.price == "$9.99/meal"


@pytest.mark.parametrize("brief", [VOLT, NUAGE, GLOWUP, IRON_PEAK, WECOOK])
def test_hook_first_end_card_last_and_brand_url(brief: str, plan_settings: Settings) -> None:
    spec = planned(brief, plan_settings)
    assert spec.scenes[0].layout == "hook"
    assert spec.scenes[-1].layout == "end_card"
    assert all(scene.layout is not None for scene in spec.scenes)
    assert layout_problems(spec) == []


def test_end_card_url_comes_from_the_brief(plan_settings: Settings) -> None:
    assert planned(VOLT, plan_settings).brand.url == "volt.bike"


def spec_of(*scenes: dict[str, Any], **extra: Any) -> VideoSpec:
    return assign_layouts(parse_spec({"scenes": list(scenes), **extra}))


def test_user_layout_is_never_overridden() -> None:
    spec = spec_of(
        {"narration": "Welcome."},
        {"narration": "80 km battery range.", "layout": "benefit"},
        {"narration": "Use code BEAN10.", "layout": "hook"},
        {"narration": "Bye.", "layout": "quote", "quote": {"text": "Great", "author": "Ann"}},
    )
    assert layouts(assign_layouts(spec)) == ["hook", "benefit", "hook", "quote"]


def test_user_content_is_kept_and_chooses_the_layout() -> None:
    spec = spec_of(
        {"narration": "Welcome."},
        {"narration": "80 km battery range.", "stat": {"value": 5, "unit": "kg"}},
        {"narration": "Our beans are organic, fair-trade and roasted by hand."},
        {"narration": "Bye."},
    )
    done = assign_layouts(spec)
    assert layouts(done) == ["hook", "stat", "list", "end_card"]
    assert done.scenes[1].stat is not None and (
        done.scenes[1].stat.value,
        done.scenes[1].stat.unit,
    ) == (5, "kg")


def test_user_layout_gets_its_content_filled() -> None:
    spec = spec_of(
        {"narration": "Ship within 48 hours.", "layout": "stat"},
        {"narration": "Cloud vs on-premise", "layout": "comparison"},
    )
    done = assign_layouts(spec)
    assert (
        done.scenes[0].stat is not None and done.scenes[0].stat.unit == "h"
    )  # shown short on the card
    assert done.scenes[1].items == ["Cloud", "On-premise"]


def test_user_picture_makes_a_product_scene(tmp_path: Path) -> None:
    spec = spec_of(
        {"narration": "Welcome."},
        {"narration": "Meet the bike.", "illustration": {"path": "bike.png"}},
        {"narration": "Bye."},
    )
    assert layouts(assign_layouts(spec)) == ["hook", "product", "end_card"]


def test_assigning_twice_changes_nothing(plan_settings: Settings) -> None:
    spec = planned(WECOOK, plan_settings)
    assert assign_layouts(spec) == spec


def test_a_benefit_run_alternates_with_a_headline_card() -> None:
    plain = [{"narration": f"Plain line number {word}."} for word in ("one", "two", "three")]
    spec = spec_of({"narration": "Hi."}, *plain, {"narration": "Bye."})
    assert layouts(assign_layouts(spec)) == ["hook", "benefit", "hook", "benefit", "end_card"]


@pytest.mark.parametrize(
    ("scene", "path", "words"),
    [
        ({"layout": "stat"}, "scenes.1.stat", "layout 'stat' needs a 'stat'"),
        ({"layout": "list", "items": ["one"]}, "scenes.1.items", "2 to 4 'items'"),
        ({"layout": "comparison", "items": ["a", "b", "c"]}, "scenes.1.items", "exactly 2"),
        ({"layout": "offer", "offer": {}}, "scenes.1.offer", "badge, price or code"),
        ({"layout": "quote"}, "scenes.1.quote", "needs a 'quote'"),
        ({"layout": "product"}, "scenes.1.layout", "needs a picture"),
    ],
)
def test_a_layout_without_its_content_is_a_clear_error(
    scene: dict[str, Any], path: str, words: str, tmp_path: Path
) -> None:
    data = {"scenes": [{"narration": "Hi."}, {"id": "middle", "narration": "Plain.", **scene}]}
    file = tmp_path / "spec.yaml"
    file.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(InvalidSpec) as caught:
        load_spec(file)
    problems = {problem.path: problem.message for problem in caught.value.problems}
    assert words in problems[path]
    assert problems[path].startswith("scene 2 ('middle'): ")


@pytest.mark.parametrize("brief", [VOLT, NUAGE, GLOWUP, WECOOK])
def test_planned_spec_round_trips_through_yaml_and_json(
    brief: str, plan_settings: Settings, tmp_path: Path
) -> None:
    spec = planned(brief, plan_settings)
    data = spec.model_dump(mode="json")
    assert parse_spec(yaml.safe_load(yaml.safe_dump(data, allow_unicode=True))) == spec
    assert parse_spec(json.loads(json.dumps(data, ensure_ascii=False))) == spec
    for suffix, text in ((".yaml", yaml.safe_dump(data)), (".json", json.dumps(data))):
        file = tmp_path / f"spec{suffix}"
        file.write_text(text, encoding="utf-8")
        loaded, _ = load_spec(file)
        assert layouts(loaded) == layouts(spec)
        assert [s.stat for s in loaded.scenes] == [s.stat for s in spec.scenes]
        assert [s.offer for s in loaded.scenes] == [s.offer for s in spec.scenes]


BRANDS = ["Volt", "Bean There", "Café Lumière", "Northwind", "GlowUp", "Vélo Nuage"]
POINTS_EN = [
    "80 km battery range",
    "charges in 4 hours",
    "20% off with code SAVE20",
    "free delivery",
    "organic beans",
    "24/7 support",
    "prices from $9.99",
    "lightweight foam",
    "recycled materials",
    "30-day returns",
    "2x faster checkout",
    "vegan formula",
]
POINTS_FR = [
    "autonomie de 80 km",
    "livraison en 48 heures",
    "10 % de réduction avec le code NUAGE10",
    "livraison gratuite",
    "grains bio",
    "service client",
    "à partir de 12 €",
    "matériaux recyclés",
    "retours sous 30 jours",
    "formule vegan",
]


@st.composite
def briefs(draw: st.DrawFn) -> str:
    french = draw(st.booleans())
    brand = draw(st.sampled_from(BRANDS))
    pool = POINTS_FR if french else POINTS_EN
    points = draw(st.lists(st.sampled_from(pool), min_size=0, max_size=6, unique=True))
    seconds = draw(st.sampled_from([10, 15, 20, 30, 45, 60]))
    bullets = draw(st.booleans())
    body = "\n".join(f"- {p}" for p in points) if bullets else ", ".join(points)
    if french:
        return f"Publicité de {seconds} secondes pour {brand} : {body}."
    return f"{seconds}-second ad for {brand}: {body}."


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(brief=briefs())
def test_variety_bound_holds_for_many_briefs(brief: str, plan_settings: Settings) -> None:
    spec = planned(brief, plan_settings)
    pairs = len(spec.scenes) - 1
    assert repeated_pairs(spec) * 3 <= pairs, layouts(spec)
    assert spec.scenes[0].layout == "hook" and spec.scenes[-1].layout == "end_card"
    assert layout_problems(spec) == []


LINES = [
    "Welcome to the show.",
    "80 km battery range.",
    "Ship within 48 hours.",
    "Use code BEAN10 today.",
    "Free delivery on every order.",
    "Our beans are organic, fair-trade and roasted by hand.",
    "“Best coffee in town,” says Mark.",
    "Cloud vs on-premise",
    "Livraison gratuite.",
    "Autonomie de 4,5 heures.",
    "A plain line with nothing to show.",
    "Une phrase toute simple.",
]


@hypothesis_settings(max_examples=80, deadline=None)
@given(lines=st.lists(st.sampled_from(LINES), min_size=1, max_size=12))
def test_variety_bound_holds_for_any_script(lines: list[str]) -> None:
    spec = assign_layouts(spec_of(*({"narration": line} for line in lines)))
    assert repeated_pairs(spec) * 3 <= max(0, len(lines) - 1), layouts(spec)
    assert layout_problems(spec) == []


def test_a_spec_file_gets_layouts_and_its_override_is_filled(tmp_path: Path) -> None:
    data = {
        "scenes": [
            {"narration": "Our e-bike goes further."},
            {
                "id": "range",
                "narration": "Eighty kilometres: 80 km on one charge.",
                "layout": "stat",
            },
            {"narration": "Use code VOLT20 at checkout.", "layout": "offer"},
            {"narration": "Plain words."},
            {"narration": "See you soon."},
        ]
    }
    file = tmp_path / "spec.yaml"
    file.write_text(yaml.safe_dump(data), encoding="utf-8")
    spec, _ = load_spec(file)
    assert layouts(spec) == ["hook", "stat", "offer", "benefit", "end_card"]
    assert spec.scenes[1].stat is not None and (
        spec.scenes[1].stat.value,
        spec.scenes[1].stat.unit,
    ) == (80, "km")
    assert spec.scenes[2].offer is not None and spec.scenes[2].offer.code == "VOLT20"


@hypothesis_settings(max_examples=40, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("ab 12,.:;'\"«»“”-/%€$\nxX")), max_size=3000))
def test_any_text_gives_a_valid_spec(text: str) -> None:
    scenes = (
        {"narration": "Hi."},
        {"narration": text if text.strip() else "x"},
        {"narration": "Bye."},
    )
    spec = assign_layouts(spec_of(*scenes))
    assert layout_problems(spec) == []
    assert all(scene.layout is not None for scene in spec.scenes)


VOLT_FR = (
    "Publicité verticale de 30 secondes pour Volt, le vélo électrique urbain. Ton dynamique. "
    "Autonomie de 80 km, recharge en 3 heures, premier entretien offert. Code promo VOLT20 : "
    "20 % de réduction jusqu'à dimanche. Réservez un essai sur volt-velo.fr."
)
BLOOM = (
    "20-second ad for Bloom, the plant delivery service. Fresh plants delivered weekly. "
    "Use code SPRING15 for 15% off your first order. Order at bloom.shop"
)
BEAN_THERE = Path(__file__).parents[2].joinpath("examples", "brief.txt").read_text("utf-8")
LEDGERLY = (
    "30-second vertical ad for Ledgerly, the bookkeeping app for freelancers. Confident tone. "
    "10,000 freelancers already use it, it saves 5 hours a month, and plans start at 12 € a "
    "month. Try it free at ledgerly.app."
)


def folded_words(text: str | None) -> set[str]:
    return {w for w in re.findall(r"\w+", (text or "").casefold())}


@pytest.mark.parametrize(
    ("brief", "code", "badge"),
    [(VOLT_FR, "VOLT20", "-20%"), (BLOOM, "SPRING15", "-15%"), (VOLT, "VOLT20", "-20%")],
)
def test_a_promo_code_said_with_its_discount_is_the_offer_chip(
    brief: str, code: str, badge: str, plan_settings: Settings
) -> None:
    offer = the(planned(brief, plan_settings), "offer").offer
    assert offer is not None
    assert (offer.code, offer.badge) == (code, badge)


def test_french_durations_are_stats_with_a_short_unit(plan_settings: Settings) -> None:
    spec = planned(VOLT_FR, plan_settings)
    stats = [(s.stat.value, s.stat.unit, s.stat.label) for s in spec.scenes if s.stat]
    assert (3, "h", "Recharge") in stats
    lines = ["Bonjour.", "Autonomie de 80 km.", "Recharge en 3 heures.", "Au revoir."]
    spec = spec_of(*({"narration": line} for line in lines), language="fr")
    assert layouts(spec) == ["hook", "stat", "stat", "end_card"]
    stats = [(s.stat.value, s.stat.unit, s.stat.label) for s in spec.scenes if s.stat]
    assert stats == [(80, "km", "Autonomie"), (3, "h", "Recharge")]


@pytest.mark.parametrize("brief", [VOLT_FR, BLOOM, VOLT, BEAN_THERE, NUAGE, WECOOK])
def test_an_offer_badge_and_chip_add_to_the_headline(brief: str, plan_settings: Settings) -> None:
    scene = the(planned(brief, plan_settings), "offer")
    assert scene.offer is not None and scene.title
    title = folded_words(scene.title)
    assert scene.offer.badge or scene.offer.code or scene.offer.price
    assert not folded_words(scene.offer.badge) & title, (scene.offer.badge, scene.title)
    assert not folded_words(scene.offer.code) & title, (scene.offer.code, scene.title)
    assert len(title) >= 1 and not title <= {"de", "for", "the", "a", "your", "votre"}


def test_the_demo_offer_badge_says_free_and_the_headline_what_is_free(
    plan_settings: Settings,
) -> None:
    scene = the(planned(BEAN_THERE, plan_settings), "offer")
    assert scene.offer is not None
    assert (scene.offer.badge, scene.title) == ("Free", "Delivery")
    french = the(planned("Publicité pour Café Lune : livraison offerte.", plan_settings), "offer")
    assert french.offer is not None
    assert (french.offer.badge, french.title) == ("Offerte", "Livraison")


@pytest.mark.parametrize(
    ("brief", "shown"),
    [
        (LEDGERLY, ("Ledgerly Plans", "12 €/month", None, "From")),
        (WECOOK, ("WeCook Prices", "$9.99/meal", None, "From")),
        (
            "Ad for Lumo lamps: the desk lamp now $29 instead of $49. Shop at lumo.com",
            ("Desk Lamp", "$29", "$49", "-41%"),
        ),
    ],
)
def test_a_price_offer_badge_says_the_rate_or_the_saving(
    brief: str, shown: tuple[str, str, str | None, str], plan_settings: Settings
) -> None:
    # a price with no discount left its badge disc empty, and the headline said the price;
    # then 'Plans Start at' / 'Per month' / '12 €' read out of order: the lead-in is the
    # badge over the price, the rate follows the price
    scene = the(planned(brief, plan_settings), "offer")
    assert scene.offer is not None
    offer = scene.offer
    assert (scene.title, offer.price, offer.was, offer.badge) == shown


def test_two_offers_are_never_laid_out_in_a_row(plan_settings: Settings) -> None:
    # 'Plans from 9 EUR a month' then 'first month free with code LEDGER20' were two offers in
    # a row; with one more pair alike by its frames, the square render failed QA's variety
    brief = (
        "30-second square ad for Ledgerly, the bookkeeping app for freelancers. Friendly and "
        "confident. Freelancers save 5 hours a week on paperwork. Invoices, receipts and taxes "
        "in one place. Plans from 9 € a month, first month free with code LEDGER20. Start "
        "free at ledgerly.app"
    )
    kinds = layouts(planned(brief, plan_settings))
    assert "offer" in kinds
    assert all(not (a == b == "offer") for a, b in pairwise(kinds)), kinds
