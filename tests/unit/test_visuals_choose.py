"""One visual per scene: library first, then emoji, then fallbacks; never twice in a row."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiprod.visuals.choose import DEFAULT_FALLBACK, VisualChoice, choose_visuals
from aiprod.visuals.library import AssetLibrary

VOCABULARY = [
    "coffee", "café", "cafés", "tea", "thé", "delivery", "livraison", "fast", "rapide",
    "recycling", "recyclage", "team", "équipe", "zzz", "", "love", "amour", "idea", "idée",
    "coffee shop", "free delivery", "plage", "beach", "the", "car",
]  # fmt: skip


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


def test_emoji_per_scene_with_reasons() -> None:
    choices = choose_visuals([["coffee"], ["free delivery"], ["nothing here"]])
    assert [c.emoji for c in choices] == ["☕", "🚚", DEFAULT_FALLBACK[2]]
    assert [c.kind for c in choices] == ["emoji"] * 3
    assert choices[0].matched_keyword == "coffee" and choices[0].path is None
    assert choices[2].matched_keyword is None and "no keyword matched" in choices[2].reason


def test_repeated_emoji_moves_to_the_next_keyword_then_to_a_fallback() -> None:
    choices = choose_visuals([["coffee"], ["café", "tea"], ["tea"], ["tea"]], language="fr")
    assert [c.emoji for c in choices] == ["☕", "🍵", DEFAULT_FALLBACK[2], "🍵"]
    assert "would repeat" in choices[2].reason


def test_fallbacks_rotate_and_skip_the_previous_emoji() -> None:
    choices = choose_visuals([["x"]] * 6, fallback=("A", "B", "C"))
    assert [c.emoji for c in choices] == ["A", "B", "C", "A", "B", "C"]
    choices = choose_visuals([["recycling"], ["zzz"]], fallback=("♻", "🎯"))
    assert [c.emoji for c in choices] == ["♻️", "🎯"]  # VS16 does not make them differ


def test_fallback_needs_two_different_emoji() -> None:
    with pytest.raises(ValueError, match="two different"):
        choose_visuals([["x"]], fallback=("✨", "✨\ufe0f"))
    with pytest.raises(ValueError):
        choose_visuals([["x"]], fallback=())


def test_library_assets_come_first_and_do_not_repeat(tmp_path: Path) -> None:
    library = make_library(tmp_path / "lib")
    choices = choose_visuals(
        [["coffee"], ["coffee"], ["coffee"], ["équipe"], ["pizza"]], library=library
    )
    assert [c.kind for c in choices] == ["asset", "asset", "asset", "asset", "emoji"]
    names = [Path(c.path).name if c.path else c.emoji for c in choices]
    assert names == ["coffee_beans.jpg", "coffee_cup.png", "coffee_beans.jpg", "IMG_7.webp", "🍕"]
    assert choices[0].matched_keyword == "coffee" and choices[0].emoji is None
    assert choices[3].matched_keyword == "équipe"


def test_single_matching_asset_is_not_shown_twice_in_a_row(tmp_path: Path) -> None:
    library = make_library(tmp_path / "lib")
    choices = choose_visuals([["beach"], ["beach"]], library=library)
    assert choices[0].kind == "asset"
    assert (choices[1].kind, choices[1].emoji) == ("emoji", "🏖️")


def test_a_bare_string_scene_is_one_keyword() -> None:
    assert choose_visuals(["coffee shop"])[0].emoji == "☕"


def test_empty_input() -> None:
    assert choose_visuals([]) == []


scenes = st.lists(
    st.lists(st.one_of(st.sampled_from(VOCABULARY), st.text(max_size=8)), max_size=4),
    max_size=25,
)


@given(scenes, st.sampled_from(["en", "fr"]))
@settings(max_examples=200, deadline=None)
def test_property_never_the_same_visual_twice_in_a_row(
    scene_keywords: list[list[str]], language: str
) -> None:
    choices = choose_visuals(scene_keywords, language=language)
    assert len(choices) == len(scene_keywords)
    assert_no_consecutive_repeats(choices)
    assert choices == choose_visuals(scene_keywords, language=language)  # deterministic
    for choice in choices:
        assert (choice.emoji is None) != (choice.path is None)


@given(scenes)
@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_property_with_a_library(tmp_path: Path, scene_keywords: list[list[str]]) -> None:
    library = make_library(tmp_path / "lib")
    choices = choose_visuals(scene_keywords, library=library)
    assert len(choices) == len(scene_keywords)
    assert_no_consecutive_repeats(choices)
