"""The storyboard editor's pure parts: cards from a manifest, the manifest a form stands
for, moves, adds and deletes, problems placed on their cards."""

from __future__ import annotations

import json

import pytest
from starlette.datastructures import FormData

from aiprod.errors import InvalidSpec, SpecProblem
from aiprod.studio import storyboard

BASE = {
    "version": 1,
    "title": None,
    "scenes": [
        {
            "narration": "One.",
            "title": "First",
            "layout": "hook",
            "illustration": {"icon": "coffee", "emoji": None, "path": None, "size": 0.4},
            "transition": {"type": "wipeleft", "duration": 0.8},
            "sfx": [{"kind": "pop", "at": 0.0}],
        },
        {"narration": "Two.", "illustration": {"emoji": "☕"}, "transition": None},
    ],
}


def form(*cards: tuple[str, str, str, str, str, str], op: str = "save", **extra: str) -> FormData:
    items = [("base", json.dumps(BASE)), ("version", "3"), ("op", op)]
    for card in cards:
        names = ("scene", "narration", "title", "layout", "icon", "transition")
        items += list(zip(names, card, strict=True))
    items += list(extra.items())
    return FormData(items)


def test_cards_show_what_the_editor_edits() -> None:
    first, second = storyboard.cards_of(BASE)
    assert (first.source, first.title, first.icon, first.transition) == (
        "0",
        "First",
        "coffee",
        "wipeleft",
    )
    assert second.transition == storyboard.NO_TRANSITION and second.other_picture == "emoji ☕"
    assert second.words == 1


def test_the_manifest_keeps_what_the_editor_does_not_show() -> None:
    edit = storyboard.read_form(
        form(("1", "Deux.", "", "", "", "fade"), ("0", "Un.", "", "benefit", "leaf", "cut"))
    )
    manifest = storyboard.manifest_of(edit, edit.cards)
    second, first = manifest["scenes"]
    assert second == {
        "narration": "Deux.",
        "illustration": {"emoji": "☕"},
        "transition": {"type": "fade"},
    }
    assert first["sfx"] == [{"kind": "pop", "at": 0.0}] and first["transition"] is None
    assert first["illustration"] == {"icon": "leaf", "emoji": None, "path": None, "size": 0.4}
    assert first["title"] is None and first["layout"] == "benefit"
    assert manifest["version"] == 1 and manifest["title"] is None


def test_an_unchanged_form_is_the_same_manifest() -> None:
    cards = storyboard.cards_of(BASE)
    fields = [(c.source, c.narration, c.title, c.layout, c.icon, c.transition) for c in cards]
    edit = storyboard.read_form(form(*fields))
    assert storyboard.manifest_of(edit, edit.cards) == BASE


def test_unknown_icons_and_damaged_forms_are_refused() -> None:
    edit = storyboard.read_form(form(("0", "One.", "", "", "no-such-icon", "fade")))
    with pytest.raises(InvalidSpec) as refused:
        storyboard.manifest_of(edit, edit.cards)
    assert refused.value.problems[0].path == "scenes.0.illustration.icon"
    with pytest.raises(InvalidSpec, match="damaged"):
        storyboard.read_form(FormData([("base", "{not json"), ("version", "1")]))
    with pytest.raises(InvalidSpec, match="damaged"):  # one narration too many
        storyboard.read_form(form(("0", "One.", "", "", "", "fade"), narration="extra"))
    with pytest.raises(InvalidSpec, match="unknown action"):
        storyboard.read_form(form(op="explode-1"))
    forged = storyboard.read_form(form(("99", "x", "", "", "", "fade")))
    assert forged.cards[0].source == storyboard.NEW  # an index outside the plan: a new scene


def test_moves_adds_and_deletes() -> None:
    cards = storyboard.cards_of(BASE)
    moved, note = storyboard.apply_op(cards, "down-0")
    assert [c.source for c in moved] == ["1", "0"] and note == "Scene 1 moved down."
    added, _ = storyboard.apply_op(cards, "add-0")
    assert [c.source for c in added] == ["0", storyboard.NEW, "1"]
    kept, note = storyboard.apply_op(cards[:1], "delete-0")
    assert len(kept) == 1 and "at least one scene" in note
    same, note = storyboard.apply_op(cards, "up-0")  # the first cannot go up
    assert same == cards and note == ""
    assert storyboard.apply_op(cards, "delete-7") == (cards, "")


def test_problems_go_on_their_cards() -> None:
    cards = storyboard.cards_of(BASE)
    general = storyboard.place_problems(
        cards,
        [
            SpecProblem("scenes.1.narration", "too long"),
            SpecProblem("scenes.0.transition.type", "bad"),
            SpecProblem("preset", "unknown preset"),
        ],
    )
    assert cards[1].problems == ["narration: too long"]
    assert cards[0].problems == ["transition: bad"]
    assert general == ["preset: unknown preset"]
