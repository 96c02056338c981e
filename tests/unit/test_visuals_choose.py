"""One picture per scene: the user's assets first, then the icon nearest in meaning; never
twice in a row. A small icon set keeps the real model fast here."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiprod.visuals.choose import VisualChoice, choose_visuals, scene_line
from aiprod.visuals.icon_index import IconIndex, build_index, parse_choices
from aiprod.visuals.library import AssetLibrary

SMALL_SET = """
coffee | coffee, espresso, coffee shop | café, expresso
truck | delivery, free delivery, shipping | livraison, livraison gratuite
calendar | booking, appointment, test ride date | rendez-vous, réserver
wrench | repair, servicing, free first service | réparation, révision
users | team, community, customers | équipe, communauté
"""

VOCABULARY = [
    "coffee", "café", "delivery", "livraison", "team", "équipe", "zzz", "", "beach",
    "Book a test ride", "Réservez votre essai", "free first service", "coffee shop",
]  # fmt: skip


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> IconIndex:
    return build_index(parse_choices(SMALL_SET), cache=tmp_path_factory.mktemp("index"))


def assert_no_consecutive_repeats(choices: list[VisualChoice]) -> None:
    for before, after in itertools.pairwise(choices):
        assert before.identity != after.identity, (before, after)


def make_library(root: Path) -> AssetLibrary:
    root.mkdir(parents=True, exist_ok=True)
    for name in ("coffee_cup.png", "coffee_beans.jpg", "beach.mp4"):
        (root / name).write_bytes(b"x")
    (root / "IMG_7.webp").write_bytes(b"x")
    (root / "IMG_7.webp.json").write_text(json.dumps({"tags": ["équipe", "team"]}), "utf-8")
    return AssetLibrary(root)


def test_icon_per_scene_by_meaning_in_english_and_french(index: IconIndex) -> None:
    lines = [
        "Your morning espresso",
        "Book a test ride today",
        "Free first service after 500 km",
        "Livraison offerte dès 20 euros",
        "Réservez votre essai gratuit",
    ]
    choices = choose_visuals(lines, index=index)
    assert [c.icon for c in choices] == ["coffee", "calendar", "wrench", "truck", "calendar"]
    assert all(c.kind == "icon" and c.path is None for c in choices)
    assert all(c.score is not None and 0 < c.score <= 1 for c in choices)
    assert "nearest in meaning" in choices[0].reason


def test_the_previous_icon_is_skipped(index: IconIndex) -> None:
    choices = choose_visuals(["Book a test ride", "Book your appointment"], index=index)
    assert choices[0].icon == "calendar"
    assert choices[1].icon != "calendar" and "would repeat" in choices[1].reason


def test_library_assets_come_first_and_do_not_repeat(tmp_path: Path, index: IconIndex) -> None:
    library = make_library(tmp_path / "lib")
    keywords = [["coffee"], ["coffee"], ["coffee"], ["équipe"], ["delivery"]]
    lines = ["Coffee", "More coffee", "Coffee again", "Notre équipe", "Free delivery"]
    choices = choose_visuals(lines, keywords, library=library, index=index)
    assert [c.kind for c in choices] == ["asset", "asset", "asset", "asset", "icon"]
    names = [Path(c.path).name if c.path else c.icon for c in choices]
    assert names == [
        "coffee_beans.jpg",
        "coffee_cup.png",
        "coffee_beans.jpg",
        "IMG_7.webp",
        "truck",
    ]
    assert choices[0].matched_keyword == "coffee" and choices[0].icon is None
    assert choices[3].matched_keyword == "équipe" and choices[3].score is None


def test_a_single_matching_asset_is_not_shown_twice_in_a_row(
    tmp_path: Path, index: IconIndex
) -> None:
    library = make_library(tmp_path / "lib")
    choices = choose_visuals(["beach", "beach"], library=library, index=index)
    assert choices[0].kind == "asset" and choices[1].kind == "icon"


def test_lines_and_keywords_must_pair_up(index: IconIndex) -> None:
    assert choose_visuals([], index=index) == []
    with pytest.raises(ValueError, match="one keyword list per scene"):
        choose_visuals(["a", "b"], [["a"]], index=index)


def test_scene_line_joins_headline_and_narration() -> None:
    assert (
        scene_line("Book a test ride", "Come and try it.") == "Book a test ride. Come and try it."
    )
    assert scene_line("Book a test ride", "Book a test ride today!") == "Book a test ride today!"
    assert scene_line(None, "  ") == "" and scene_line("x" * 500, None) == "x" * 300
    assert scene_line("Meet Ledgerly", "This is Ledgerly.", "invoicing software") == (
        "Meet Ledgerly. This is Ledgerly. invoicing software."
    )


scenes = st.lists(
    st.one_of(st.sampled_from(VOCABULARY), st.text(max_size=12)), min_size=1, max_size=6
)


@given(scenes)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_property_never_the_same_picture_twice_in_a_row(
    tmp_path: Path, index: IconIndex, lines: list[str]
) -> None:
    library = make_library(tmp_path / "lib")
    keywords = [[line] for line in lines]
    choices = choose_visuals(lines, keywords, library=library, index=index)
    assert len(choices) == len(lines)
    assert_no_consecutive_repeats(choices)
    assert choices == choose_visuals(lines, keywords, library=library, index=index)
    for choice in choices:
        assert (choice.icon is None) != (choice.path is None)
