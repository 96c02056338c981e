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


def test_sound_cues_are_edited_by_kind_and_sound_files_kept() -> None:
    base = {
        **BASE,
        "scenes": [
            {**BASE["scenes"][0], "sfx": [{"kind": "pop", "at": 1.5}, {"path": "/u/a.wav"}]},
            BASE["scenes"][1],
        ],
    }
    first, second = storyboard.cards_of(base)
    assert (first.sfx, first.sfx_files, second.sfx) == (["pop"], 1, [])
    items = [("base", json.dumps(base)), ("version", "3"), ("op", "save")]
    for source in ("0", "1"):
        items += list(
            zip(
                ("scene", "narration", "title", "layout", "icon", "transition"),
                (source, "Text.", "", "", "", "fade"),
                strict=True,
            )
        )
    items += [("picture_path", ""), ("picture_path", "")]
    items += [
        ("sfx-0", ""),
        ("sfx-0", "whoosh"),
        ("sfx-0", "pop"),
        ("sfx-1", ""),
        ("sfx-1", "ambience"),
    ]
    edit = storyboard.read_form(FormData(items))
    assert [c.sfx for c in edit.cards] == [["whoosh", "pop"], ["ambience"]]
    one, two = storyboard.manifest_of(edit, edit.cards)["scenes"]
    assert one["sfx"] == [{"kind": "pop", "at": 1.5}, {"path": "/u/a.wav"}, {"kind": "whoosh"}]
    assert two["sfx"] == [{"kind": "ambience"}]
    unticked = FormData([(k, v) for k, v in items if not (k == "sfx-0" and v)])
    edit = storyboard.read_form(unticked)
    assert storyboard.manifest_of(edit, edit.cards)["scenes"][0]["sfx"] == [{"path": "/u/a.wav"}]


def test_a_form_without_the_cue_boxes_keeps_the_cues() -> None:
    edit = storyboard.read_form(form(("0", "Un.", "", "", "coffee", "fade")))
    assert storyboard.manifest_of(edit, edit.cards)["scenes"][0]["sfx"] == [
        {"kind": "pop", "at": 0.0}
    ]


def test_a_picture_file_replaces_the_icon_until_an_icon_is_typed() -> None:
    edit = storyboard.read_form(
        form(("0", "Un.", "", "", "", "fade"), ("1", "Deux.", "", "", "", "fade"))
    )
    edit.cards[0].picture_path = "/srv/uploads/me/pic.png"
    edit.cards[1].picture_path = "/srv/uploads/me/other.png"
    edit.cards[1].icon = "leaf"  # an icon typed wins over the file
    first, second = storyboard.manifest_of(edit, edit.cards)["scenes"]
    assert first["illustration"] == {
        "icon": None,
        "emoji": None,
        "path": "/srv/uploads/me/pic.png",
        "size": 0.4,
    }
    assert second["illustration"] == {"emoji": None, "icon": "leaf"}
    again = storyboard.cards_of({**BASE, "scenes": [first]})
    assert again[0].picture_path == "/srv/uploads/me/pic.png" and again[0].icon == ""


@pytest.mark.parametrize(
    ("music", "choice", "expected"),
    [
        ({"mood": "calm", "seed": 7}, "dramatic", {"mood": "dramatic", "seed": 7}),
        ({"mood": "calm", "seed": 7}, "calm", {"mood": "calm", "seed": 7}),
        ({"mood": "calm"}, "none", None),
        (
            {"path": "/u/song.mp3", "volume_db": -9},
            "keep",
            {"path": "/u/song.mp3", "volume_db": -9},
        ),
        ({"path": "/u/song.mp3", "volume_db": -9}, "upbeat", {"volume_db": -9, "mood": "upbeat"}),
        (None, "playful", {"mood": "playful"}),
    ],
)
def test_the_music_is_a_mood_none_or_the_plans_file(
    music: dict[str, object] | None, choice: str, expected: dict[str, object] | None
) -> None:
    base = {**BASE, "music": music}
    items = [("base", json.dumps(base)), ("version", "3"), ("op", "save"), ("music", choice)]
    items += list(
        zip(
            ("scene", "narration", "title", "layout", "icon", "transition"),
            ("0", "Un.", "", "", "coffee", "fade"),
            strict=True,
        )
    )
    edit = storyboard.read_form(FormData(items))
    assert storyboard.manifest_of(edit, edit.cards)["music"] == expected
    assert storyboard.music_of({"music": {"mood": "calm"}}) == "calm"
    assert storyboard.music_of({"music": {"path": "/u/song.mp3"}}) == "keep"
    assert storyboard.music_of({"music": None}) == "none"


def test_an_unknown_music_choice_is_a_damaged_form() -> None:
    with pytest.raises(InvalidSpec):
        storyboard.read_form(form(("0", "Un.", "", "", "", "fade"), music="loud"))
