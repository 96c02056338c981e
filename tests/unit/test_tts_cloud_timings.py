"""Vendor timings (ElevenLabs characters, Google marks, a Whisper transcript) to one ordered,
non-empty span per displayed word."""

from __future__ import annotations

import pytest

from aiprod.providers.tts.cloud_timings import (
    ScenePlan,
    finish_spans,
    spans_from_characters,
    spans_from_marks,
    spans_from_transcript,
)
from aiprod.providers.tts.google import ssml

RATE = 1000  # one sample a millisecond: spans read as milliseconds


def characters(text: str, per_char: float = 0.05) -> tuple[list[str], list[float], list[float]]:
    chars = list(text)
    starts = [round(i * per_char, 3) for i in range(len(chars))]
    return chars, starts, [round(s + per_char, 3) for s in starts]


def test_scene_plan_applies_the_glossary_and_keeps_displayed_words() -> None:
    plan = ScenePlan.of("AIPROD makes videos — fast!", {"aiprod": "ay prod"})
    assert plan.words == ("AIPROD", "makes", "videos", "—", "fast!")
    assert plan.text == "ay prod makes videos — fast!"
    assert plan.offsets == ((0, 7), (8, 13), (14, 20), None, (23, 28))


def test_characters_give_each_word_its_first_to_last_character() -> None:
    plan = ScenePlan.of("Hello big world.", None)
    slots = spans_from_characters(plan, *characters(plan.text), RATE)
    assert slots == [(0, 250), (300, 450), (500, 800)]
    assert finish_spans(plan, slots, 900, (0, 900)) == slots


def test_characters_survive_a_vendor_that_normalised_the_text() -> None:
    plan = ScenePlan.of("It costs 5 dollars", None)
    heard = "It costs five dollars"  # the vendor spelled the number out
    slots = spans_from_characters(plan, *characters(heard), RATE)
    assert slots[0] == (0, 100) and slots[1] == (150, 400)
    assert slots[3] == (700, 1050)  # "dollars" still found, after the longer "five"
    spans = finish_spans(plan, slots, 1100, (0, 1100))
    assert [b > a for a, b in spans] == [True] * 4 and spans[2][0] >= spans[1][1]


def test_characters_of_mismatched_lengths_fall_back_to_word_lengths() -> None:
    plan = ScenePlan.of("One two", None)
    slots = spans_from_characters(plan, ["O", "n"], [0.0], [0.1, 0.2], RATE)
    assert slots == [None, None]
    assert finish_spans(plan, slots, 700, (100, 600)) == [(100, 350), (350, 600)]


def test_marks_start_words_and_the_next_mark_ends_them() -> None:
    plan = ScenePlan.of("Fresh beans — today.", None)
    assert ssml(plan) == (
        '<speak><mark name="w0"/>Fresh <mark name="w1"/>beans — <mark name="w3"/>today.</speak>'
    )
    slots = spans_from_marks(plan, {"w0": 0.1, "w1": 0.5, "w3": 1.2}, RATE, voiced_end=1700)
    assert slots == [(100, 500), (500, 1200), None, (1200, 1700)]
    spans = finish_spans(plan, slots, 1800, (100, 1700))
    assert spans[2][0] >= spans[1][1] and spans[2][1] <= spans[3][0]  # the dash: a silence
    assert len(spans) == 4


def test_ssml_escapes_the_script() -> None:
    assert ssml(ScenePlan.of("R&D <fast>", None)) == (
        '<speak><mark name="w0"/>R&amp;D <mark name="w1"/>&lt;fast&gt;</speak>'
    )


def test_transcript_words_are_matched_by_their_letters() -> None:
    plan = ScenePlan.of("AIPROD makes 3D videos.", {"aiprod": "ay prod"})
    heard = [("A", 0.0, 0.2), ("prod", 0.2, 0.5), ("makes", 0.6, 0.9), ("three", 1.0, 1.2),
             ("D", 1.2, 1.3), ("videos.", 1.4, 1.9)]  # fmt: skip
    slots = spans_from_transcript(plan, heard, RATE)
    assert slots[0] == (0, 500) and slots[1] == (600, 900) and slots[3] == (1400, 1900)
    assert slots[2] is not None and slots[2][0] >= 900  # "3D" took what was heard for it
    spans = finish_spans(plan, slots, 2000, (0, 1900))
    assert all(b > a for a, b in spans)
    assert all(spans[i][1] <= spans[i + 1][0] for i in range(3))


def test_nothing_heard_shares_the_voiced_part_by_length() -> None:
    plan = ScenePlan.of("a bbb", None)
    slots = spans_from_transcript(plan, [], RATE)
    assert finish_spans(plan, slots, 1000, (200, 600)) == [(200, 300), (300, 600)]


@pytest.mark.parametrize("total", [3, 50])
def test_finished_spans_are_ordered_non_empty_and_inside_the_clip(total: int) -> None:
    plan = ScenePlan.of("one two three", None)
    overlapping = [(0, 40), (10, 30), (20, 90)]
    spans = finish_spans(plan, overlapping, total, (0, total))
    assert len(spans) == 3
    assert all(0 <= a < b <= total for a, b in spans)
    assert all(spans[i][1] <= spans[i + 1][0] for i in range(2))
