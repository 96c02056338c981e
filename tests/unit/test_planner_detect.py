"""What the planner reads in a line, English and French: figures, offers, lists, quotes,
comparisons — each case with its known answer."""

from __future__ import annotations

import pytest

from aiprod.planner.figures import find_figure, parse_number
from aiprod.planner.offers import OfferFound, find_offer
from aiprod.planner.structure import find_comparison, find_list, find_quote

# line, language, (value, decimals, prefix, unit, label)
FIGURES = [
    ("80 km battery range", "en", (80, 0, "", "km", "battery range")),
    ("48 h delivery", "en", (48, 0, "", "h", "delivery")),
    ("We ship within 48 hours", "en", (48, 0, "", "hours", "We ship within")),
    ("10 % de réduction", "fr", (10, 0, "", "%", "réduction")),
    ("12 €", "fr", (12, 0, "", "€", "")),
    ("$19.99 a month", "en", (19.99, 2, "$", "", "a month")),
    ("it saves 5 hours a month", "en", (5, 0, "", "hours", "a month")),
    ("économisez 2 heures par jour", "fr", (2, 0, "", "heures", "par jour")),
    ("48 h d'autonomie", "fr", (48, 0, "", "h", "autonomie")),
    ("2x faster checkout", "en", (2, 0, "", "x", "faster checkout")),
    ("x2 speed", "en", (2, 0, "", "x", "speed")),
    ("Livraison en 48 heures", "fr", (48, 0, "", "heures", "Livraison")),
    ("autonomie de 4,5 heures", "fr", (4.5, 1, "", "heures", "autonomie")),
    ("99.99% uptime", "en", (99.99, 2, "", "%", "uptime")),
    ("24/7 support", "en", (24, 0, "", "/7", "support")),
    ("30-day returns", "en", (30, 0, "", "days", "returns")),
    ("brighter skin in 7 days", "en", (7, 0, "", "days", "brighter skin")),
    ("40 hours of story", "en", (40, 0, "", "hours", "story")),
    ("Over 10,000 happy customers", "en", (10000, 0, "", "", "happy customers")),
    ("Plus de 10 000 clients satisfaits", "fr", (10000, 0, "", "", "clients satisfaits")),
    ("20 percent more energy", "en", (20, 0, "", "%", "energy")),
    ("10 pour cent d'économies", "fr", (10, 0, "", "%", "économies")),
    ("prices from 9.99 dollars", "en", (9.99, 2, "$", "", "prices")),
    ("Charge in 4h", "en", (4, 0, "", "h", "Charge")),
    ("up to 1.5 kg lighter", "en", (1.5, 1, "", "kg", "lighter")),
    ("Un poids de 1,2 kg", "fr", (1.2, 1, "", "kg", "poids")),
    ("1 299 €", "fr", (1299, 0, "", "€", "")),
    ("€12 only", "en", (12, 0, "€", "", "")),
    ("Ouvert 7j/7", "fr", (7, 0, "", "j/7", "Ouvert")),
    ("Un service client 24h/24", "fr", (24, 0, "", "h/24", "service client")),
    ("Livraison 7 jours sur 7", "fr", (7, 0, "", "j/7", "Livraison")),
]
NO_FIGURE = [
    ("SOC 2 compliance", "en"),
    ("since 1998", "en"),
    ("iPhone 15 case", "en"),
    ("code BEAN10", "en"),
    ("3D printing for everyone", "en"),
    ("1st place", "en"),
    ("Notre savoir-faire depuis toujours", "fr"),
]


@pytest.mark.parametrize(("line", "language", "expected"), FIGURES)
def test_figure(line: str, language: str, expected: tuple[float, int, str, str, str]) -> None:
    figure = find_figure(line, language)
    assert figure is not None
    value, decimals, prefix, unit, label = expected
    assert figure.value == pytest.approx(value)
    assert (figure.decimals, figure.prefix, figure.unit, figure.label) == (
        decimals,
        prefix,
        unit,
        label,
    )


@pytest.mark.parametrize(("line", "language"), NO_FIGURE)
def test_no_figure(line: str, language: str) -> None:
    assert find_figure(line, language) is None


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("1,299", "en", (1299.0, 0)),
        ("1,299", "fr", (1.299, 3)),
        ("4,5", "en", (4.5, 1)),
        ("1.299", "fr", (1299.0, 0)),
        ("1 299,50", "fr", (1299.5, 2)),
        ("1,299.50", "en", (1299.5, 2)),
        ("1.000.000", "fr", (1_000_000.0, 0)),
    ],
)
def test_number_separators(text: str, language: str, expected: tuple[float, int]) -> None:
    assert parse_number(text, language) == expected


# line, language, (badge, price, was, code)
OFFERS = [
    ("20% off this week with code VOLT20", "en", ("-20%", None, None, "VOLT20")),
    ("Use code BEAN10 at checkout", "en", (None, None, None, "BEAN10")),
    ("Promo code: SPRING", "en", (None, None, None, "SPRING")),
    ("Free delivery on every order", "en", ("Free delivery", None, None, None)),
    ("Livraison gratuite dès 30 €", "fr", ("Livraison gratuite", "30 €", None, None)),
    ("Prices from $9.99 a meal", "en", (None, "$9.99", None, None)),
    ("Was $49, now $29", "en", (None, "$29", "$49", None)),
    ("$49 → $29", "en", (None, "$29", "$49", None)),
    ("Seulement 29 € au lieu de 49 €", "fr", (None, "29 €", "49 €", None)),
    ("10 % de réduction avec le code NUAGE10", "fr", ("-10%", None, None, "NUAGE10")),
    ("À partir de 1 299 €", "fr", (None, "1 299 €", None, None)),
    ("Save 15% on your first order", "en", ("-15%", None, None, None)),
    ("-30 % sur tout le site", "fr", ("-30%", None, None, None)),
    ("Essai gratuit de 14 jours", "fr", ("Essai gratuit", None, None, None)),
]
NO_OFFER = [
    ("80 km battery range", "en"),
    ("99.99% uptime", "en"),
    ("The code is simple to read", "en"),
    ("Un service client aux petits soins", "fr"),
]


@pytest.mark.parametrize(("line", "language", "expected"), OFFERS)
def test_offer(line: str, language: str, expected: tuple[str | None, ...]) -> None:
    assert find_offer(line, language) == OfferFound(*expected)


@pytest.mark.parametrize(("line", "language"), NO_OFFER)
def test_no_offer(line: str, language: str) -> None:
    assert find_offer(line, language) is None


LISTS = [
    (
        "Our beans are organic, fair-trade and roasted by hand.",
        ["Organic", "Fair-trade", "Roasted by hand"],
    ),
    (
        "Mention 99.99% uptime, SOC 2 compliance, and 24/7 support.",
        ["99.99% uptime", "SOC 2 compliance", "24/7 support"],
    ),
    (
        "Key points:\n- brighter skin\n- vegan formula\n- dermatologist tested",
        ["Brighter skin", "Vegan formula", "Dermatologist tested"],
    ),
    ("Two things matter: taste and speed.", ["Taste", "Speed"]),
    (
        "Des grains bio, une livraison rapide et un service soigné.",
        ["Grains bio", "Livraison rapide", "Service soigné"],
    ),
    ("Au menu : fraîcheur et simplicité.", ["Fraîcheur", "Simplicité"]),
    ("1. Choose\n2. Cook\n3. Enjoy", ["Choose", "Cook", "Enjoy"]),
    ("Fast, simple, secure.", ["Fast", "Simple", "Secure"]),
]
NO_LIST = [
    "Book a test ride and save.",
    "We roast by hand and ship within 24 hours.",
    "You asked, and we listened: co-op mode, just for you.",
    "Tired of coffee that tastes like cardboard? Meet Bean There.",
    "Vous l'avez demandé, nous l'avons fait.",
    "- one\n- two\n- three\n- four\n- five",
]


@pytest.mark.parametrize(("line", "expected"), LISTS)
def test_list(line: str, expected: list[str]) -> None:
    assert find_list(line) == expected


@pytest.mark.parametrize("line", NO_LIST)
def test_no_list(line: str) -> None:
    assert find_list(line) is None


QUOTES = [
    (
        "« Le meilleur café du quartier » — Julie, Lyon",
        ("Le meilleur café du quartier", "Julie, Lyon"),
    ),
    ("“Best coffee in town,” says Mark T.", ("Best coffee in town", "Mark T.")),
    ("'Best dinner I've had all week' says Sarah", ("Best dinner I've had all week", "Sarah")),
    ("Julie dit : « Un vrai bonheur »", ("Un vrai bonheur", "Julie")),
    (
        "Sarah: “I finally sleep through the night.”",
        ("I finally sleep through the night.", "Sarah"),
    ),
    ('"Absolutely love this serum."', ("Absolutely love this serum.", None)),
]
NO_QUOTE = [
    'End with "Try GlowUp today"',
    "It's the little things that make a big difference.",
    "C'est « top » !",
]


@pytest.mark.parametrize(("line", "expected"), QUOTES)
def test_quote(line: str, expected: tuple[str, str | None]) -> None:
    assert find_quote(line) == expected


@pytest.mark.parametrize("line", NO_QUOTE)
def test_no_quote(line: str) -> None:
    assert find_quote(line) is None


COMPARISONS = [
    ("Before: 2 hours of admin. After: 10 minutes.", ["2 hours of admin", "10 minutes"]),
    ("Avant : 2 heures de paperasse. Après : 10 minutes.", ["2 heures de paperasse", "10 minutes"]),
    ("Cloud vs on-premise", ["Cloud", "On-premise"]),
    ("From 2 hours to 10 minutes", ["2 hours", "10 minutes"]),
    ("De 3 jours à 24 heures", ["3 jours", "24 heures"]),
    ("Fresh coffee instead of instant", ["Instant", "Fresh coffee"]),
]


@pytest.mark.parametrize(("line", "expected"), COMPARISONS)
def test_comparison(line: str, expected: list[str]) -> None:
    assert find_comparison(line) == expected


@pytest.mark.parametrize("line", ["Try Bean There today.", "Here's what sets Volt apart: 80 km."])
def test_no_comparison(line: str) -> None:
    assert find_comparison(line) is None


def test_a_cue_table_is_one_case_insensitive_pattern_between_its_edges() -> None:
    from aiprod.planner.textutil import any_of

    cues = any_of(["instead of", "au lieu de"], after=r"\s*:?\s*$")
    assert cues.search("Only $29 instead of:") and cues.search("29 € AU LIEU DE")
    assert not cues.search("instead of it") and not any_of(["free"]).search("freedom")


def test_a_clause_cut_before_another_key_point_leaves_no_lone_article_as_label() -> None:
    # 'la recharge en 3 heures et l'entretien gratuit…': the other point taken out leaves
    # "et l'", whose stripped "l" was the stat's label ("L" on the card)
    figure = find_figure("recharge en 3 heures et l'", "fr")
    assert figure is not None and figure.label == "recharge"
    assert find_figure("autonomie de 80 km", "fr").label == "autonomie"  # type: ignore[union-attr]
