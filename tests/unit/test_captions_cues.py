"""Cue segmentation and timing: examples for each rule, then properties over random input."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiprod.captions.cues import CaptionWord, Cue, build_cues, word_spans
from aiprod.captions.segment import LEAD_IN_S
from aiprod.captions.text import display_width, is_spaceless, normalise_word_text

EPS = 1e-9


def timed(tokens: Sequence[str], *, per_char: float = 0.06, gap: float = 0.05) -> list[CaptionWord]:
    """Words spoken one after another, each lasting in proportion to its length."""
    words, t = [], 0.0
    for token in tokens:
        duration = 0.1 + per_char * len(token)
        words.append(CaptionWord(token, round(t, 6), round(t + duration, 6)))
        t += duration + gap
    return words


def texts(cues: Sequence[Cue]) -> list[tuple[str, ...]]:
    return [cue.lines for cue in cues]


# ----------------------------------------------------------------------------- segmentation


def test_empty_and_blank_input_give_no_cues() -> None:
    assert build_cues([]) == []
    assert build_cues([CaptionWord("  ", 0, 1), CaptionWord("\n", 1, 2)]) == []


def test_short_sentence_is_one_single_line_cue() -> None:
    words = timed(["Hello", "there,", "my", "friend."])
    (cue,) = build_cues(words)
    assert cue.lines == ("Hello there, my friend.",)
    assert cue.words == tuple(words)
    assert cue.start == words[0].start


def test_sentence_end_always_starts_a_new_cue() -> None:
    cues = build_cues(timed(["It", "works.", "Does", "it?", "Yes!"]))
    assert texts(cues) == [("It works.",), ("Does it?",), ("Yes!",)]


def test_abbreviation_and_lowercase_continuation_are_not_sentence_ends() -> None:
    cues = build_cues(timed(["Mr.", "Smith", "said", "wait...", "what", "is", "that"]))
    assert texts(cues) == [("Mr. Smith said wait... what is that",)]


def test_long_pause_starts_a_new_cue() -> None:
    first = timed(["one", "two"])
    later = [CaptionWord("three", first[-1].end + 0.61, first[-1].end + 1.0)]
    cues = build_cues([*first, *later], max_gap=0.6)
    assert texts(cues) == [("one two",), ("three",)]
    assert len(build_cues([*first, *later], max_gap=0.7)) == 1


def test_long_sentence_breaks_after_a_comma() -> None:
    sentence = (
        "When the weather finally turned warm in the spring, "
        "we packed the car and drove all the way down to the coast to see the sea"
    )
    cues = build_cues(timed(sentence.split()))
    assert cues[0].lines[-1].endswith("spring,")
    assert all(len(cue.lines) <= 2 for cue in cues)


def test_two_lines_are_balanced() -> None:
    words = timed(
        [
            "the",
            "quick",
            "brown",
            "fox",
            "jumps",
            "over",
            "the",
            "lazy",
            "dog",
            "and",
            "runs",
            "far",
            "away",
        ]
    )
    (cue,) = build_cues(words, max_chars_per_line=42)
    top, bottom = cue.lines
    assert abs(len(top) - len(bottom)) <= 8
    assert len(top) <= len(bottom) + 4  # bottom-heavy, or near enough


def test_text_that_fits_stays_on_one_line() -> None:
    (cue,) = build_cues(timed(["a", "short", "line"]), max_chars_per_line=12)
    assert cue.lines == ("a short line",)


def test_single_overlong_word_gets_its_own_line() -> None:
    long_word = "Pneumonoultramicroscopicsilicovolcanoconiosis"
    cues = build_cues(timed(["see", long_word, "there"]), max_chars_per_line=20)
    lines = [line for cue in cues for line in cue.lines]
    assert long_word in lines
    assert all(display_width(line) <= 20 for line in lines if line != long_word)


def test_never_splits_a_latin_word() -> None:
    tokens = ["internationalisation", "responsibilities", "accommodation"]
    for cue in build_cues(timed(tokens), max_chars_per_line=15):
        for line in cue.lines:
            assert all(part in tokens for part in line.split())


def test_glued_punctuation_token_never_starts_a_line_or_cue() -> None:
    tokens = ["hello", ",", "world", "and", "more", "words", "here", "!"]
    cues = build_cues(timed(tokens), max_chars_per_line=12)
    joined = [line for cue in cues for line in cue.lines]
    assert "hello, world" in " ".join(joined)
    assert not any(line[0] in ",!" for line in joined)


def test_cjk_words_are_joined_without_spaces_and_broken_between_characters() -> None:
    text = "今天天气很好，我们一起去公园散步吧。"
    cues = build_cues(timed(list(text), per_char=0.2), max_chars_per_line=16)
    assert "".join(line for cue in cues for line in cue.lines) == text
    for cue in cues:
        assert all(" " not in line for line in cue.lines)
        assert all(display_width(line) <= 16 for line in cue.lines)
        assert all(line[0] not in "，。" for line in cue.lines)  # kinsoku


def test_one_huge_cjk_word_is_split_into_cues_with_interpolated_times() -> None:
    text = "今天天气很好我们一起去公园散步吧然后我们可以在湖边吃午饭看看风景聊聊天"
    cues = build_cues([CaptionWord(text, 10.0, 16.0)], max_chars_per_line=16, max_lines=2)
    assert len(cues) > 1
    assert "".join(w.text for cue in cues for w in cue.words) == text
    assert all(len(cue.lines) <= 2 for cue in cues)
    pieces = [w for cue in cues for w in cue.words]
    assert pieces[0].start == 10.0
    assert pieces[-1].end == pytest.approx(16.0)
    assert all(a.end == pytest.approx(b.start) for a, b in itertools.pairwise(pieces))


def test_korean_keeps_its_spaces() -> None:
    (cue,) = build_cues(timed(["안녕하세요", "여러분", "반갑습니다"]))
    assert cue.lines == ("안녕하세요 여러분 반갑습니다",)


def test_mixed_latin_and_cjk_get_a_space_between() -> None:
    (cue,) = build_cues(timed(["我用", "Python", "写代码"]))
    assert cue.lines == ("我用 Python 写代码",)


def test_right_to_left_text_is_kept_in_logical_order() -> None:
    tokens = ["مرحبا", "بكم", "في", "برنامجنا", "اليوم"]
    (cue,) = build_cues(timed(tokens))
    assert cue.lines == (" ".join(tokens),)
    hebrew = ["שלום", "לכולם", "וברוכים", "הבאים", "לתוכנית", "שלנו", "היום", "בערב"]
    lines = [line for c in build_cues(timed(hebrew), max_chars_per_line=20) for line in c.lines]
    assert " ".join(lines) == " ".join(hebrew)


def test_word_text_is_trimmed_and_inner_whitespace_collapsed() -> None:
    (cue,) = build_cues([CaptionWord("  new\t\nyork ", 0, 1), CaptionWord("city", 1, 2)])
    assert cue.lines == ("new york city",)
    assert normalise_word_text(" a \u00a0 b ") == "a \u00a0 b"  # a no-break space is kept


@pytest.mark.parametrize(
    "words",
    [
        [CaptionWord("a", 1.0, 0.5)],
        [CaptionWord("a", -1.0, 0.5)],
        [CaptionWord("a", math.nan, 1.0)],
        [CaptionWord("a", 2.0, 3.0), CaptionWord("b", 1.0, 3.0)],
    ],
)
def test_invalid_word_times_are_rejected(words: list[CaptionWord]) -> None:
    with pytest.raises(ValueError):
        build_cues(words)


@pytest.mark.parametrize(
    "settings_",
    [{"max_chars_per_line": 0}, {"max_lines": 0}, {"max_cps": 0}, {"min_gap": -1}],
)
def test_invalid_settings_are_rejected(settings_: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        build_cues(timed(["a"]), **settings_)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- timing


def test_short_cue_is_extended_to_min_duration() -> None:
    (cue,) = build_cues([CaptionWord("Hi.", 1.0, 1.2)], min_duration=0.8)
    assert cue.start == pytest.approx(1.0 - LEAD_IN_S)  # shown just before it is said
    assert cue.end == pytest.approx(1.0 - LEAD_IN_S + 0.8)


def test_extension_stops_short_of_the_next_cue_by_min_gap() -> None:
    words = [CaptionWord("Hi.", 1.0, 1.2), CaptionWord("Bye.", 1.5, 1.9)]
    first, second = build_cues(words, min_duration=0.8, min_gap=0.1)
    assert second.start == pytest.approx(1.35)  # leads in by half the 0.3 s pause
    assert first.end == pytest.approx(1.25)


def test_fast_cue_is_extended_to_meet_cps_when_the_gap_allows() -> None:
    text = "This sentence is spoken far too quickly to read."
    words = timed(text.split(), per_char=0.01, gap=0.0)
    (cue,) = build_cues(words, max_cps=15)
    assert cue.end > words[-1].end
    assert cue.cps == pytest.approx(15.0)


def test_cue_is_not_extended_past_a_boundary() -> None:
    (cue,) = build_cues([CaptionWord("Hi.", 1.0, 1.2)], boundaries=[1.5, 0.5])
    assert cue.end == pytest.approx(1.5)
    (cue,) = build_cues([CaptionWord("Hi.", 1.0, 1.2)], boundaries=[1.1])  # inside the word
    assert cue.end == pytest.approx(1.0 - LEAD_IN_S + 0.8)


def test_no_pause_means_no_lead_in_and_no_overlap() -> None:
    words = [CaptionWord("One.", 1.0, 1.2), CaptionWord("Two.", 1.02, 1.3)]
    first, second = build_cues(words, min_gap=0.04)
    assert second.start == pytest.approx(1.02)  # no pause before it: no lead-in
    assert first.end == pytest.approx(0.98)
    assert first.end <= second.start


def test_cue_properties() -> None:
    cue = Cue(1.0, 3.0, ("ab", "cd e"), ())
    assert cue.text == "ab\ncd e"
    assert cue.char_count == 6
    assert cue.cps == pytest.approx(3.0)
    assert Cue(1.0, 1.0, ("a",), ()).cps == math.inf


# ----------------------------------------------------------------------------- helpers


def test_display_width_counts_wide_characters_twice() -> None:
    assert display_width("abc") == 3
    assert display_width("中文") == 4
    assert display_width("e\u0301") == 1  # combining accent takes no column
    assert is_spaceless("中") and is_spaceless("。") and is_spaceless("カ")
    assert not is_spaceless("a") and not is_spaceless("한") and not is_spaceless("م")


def test_word_spans_locate_each_word() -> None:
    cue = Cue(0, 1, ("hello big", "world"), tuple(timed(["hello", "big", "world"])))
    assert word_spans(cue) == (((0, 0, 5),), ((0, 6, 9),), ((1, 0, 5),))


def test_word_spans_follow_a_word_broken_across_lines() -> None:
    cue = Cue(0, 1, ("我们一起", "去公园"), (CaptionWord("我们一起去公园", 0, 1),))
    assert word_spans(cue) == (((0, 0, 4), (1, 0, 3)),)


def test_word_spans_reject_lines_that_do_not_match() -> None:
    with pytest.raises(ValueError):
        word_spans(Cue(0, 1, ("hello",), (CaptionWord("goodbye", 0, 1),)))
    with pytest.raises(ValueError):
        word_spans(Cue(0, 1, (), (CaptionWord("x", 0, 1),)))


# ----------------------------------------------------------------------------- properties

LATIN = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN", min_size=1, max_size=14)
LONG_LATIN = st.text(alphabet="abcdefghij", min_size=30, max_size=50)
# At most 7 wide characters + punctuation (15 columns): always fits one line, so no word
# needs splitting (splitting is covered by test_any_cjk_run_fits_the_limits).
CJK = st.text(alphabet="中文字幕天气很好我们一起去公园散步吧かなカナ", min_size=1, max_size=7)
ARABIC = st.text(alphabet="مرحبابكمفيالعالمשלוםלכולם", min_size=1, max_size=10)
PUNCT = st.sampled_from(["", "", "", ",", ".", "?", "!", "。", "、", "…"])
TOKEN = st.tuples(st.one_of(LATIN, LATIN, CJK, ARABIC, LONG_LATIN), PUNCT).map("".join)


@st.composite
def word_lists(draw: st.DrawFn) -> list[CaptionWord]:
    tokens = draw(st.lists(TOKEN, min_size=1, max_size=40))
    words, t = [], draw(st.floats(0, 100))
    for token in tokens:
        duration = draw(st.floats(0.0, 1.0))
        words.append(CaptionWord(token, t, t + duration))
        t += duration + draw(st.sampled_from([0.0, 0.01, 0.05, 0.2, 0.5, 1.0, 3.0]))
    return words


LIMITS = st.fixed_dictionaries(
    {
        "max_chars_per_line": st.integers(16, 50),
        "max_lines": st.integers(1, 3),
        "max_cps": st.floats(8, 25),
        "min_duration": st.floats(0, 1.5),
        "max_gap": st.floats(0.1, 2),
        "min_gap": st.sampled_from([0.0, 0.04, 0.08]),
    }
)


@settings(max_examples=300, deadline=None)
@given(words=word_lists(), limits=LIMITS)
def test_every_word_appears_in_exactly_one_cue_in_order(
    words: list[CaptionWord], limits: dict[str, float]
) -> None:
    cues = build_cues(words, **limits)  # type: ignore[arg-type]
    assert [w for cue in cues for w in cue.words] == words
    for cue in cues:  # and the text shown is exactly those words
        shown = "".join(cue.lines).replace(" ", "")
        assert shown == "".join(w.text for w in cue.words).replace(" ", "")


@settings(max_examples=300, deadline=None)
@given(words=word_lists(), limits=LIMITS)
def test_lines_respect_the_limits_unless_one_word_is_longer(
    words: list[CaptionWord], limits: dict[str, float]
) -> None:
    max_chars = int(limits["max_chars_per_line"])
    for cue in build_cues(words, **limits):  # type: ignore[arg-type]
        assert 1 <= len(cue.lines) <= limits["max_lines"]
        for line in cue.lines:
            if display_width(line) > max_chars:
                # Only an unbreakable Latin word (plus glued punctuation) may overflow.
                assert " " not in line
                assert any(display_width(w.text) > max_chars for w in cue.words)


@settings(max_examples=300, deadline=None)
@given(words=word_lists(), limits=LIMITS)
def test_cues_are_ordered_and_never_overlap(
    words: list[CaptionWord], limits: dict[str, float]
) -> None:
    cues = build_cues(words, **limits)  # type: ignore[arg-type]
    for cue in cues:
        assert cue.words[0].start - LEAD_IN_S - EPS <= cue.start <= cue.words[0].start
        assert cue.start <= cue.end
    for before, after in itertools.pairwise(cues):
        assert before.end <= after.start + EPS
        if after.start - before.words[-1].end >= limits["min_gap"]:
            assert after.start - before.end >= limits["min_gap"] - EPS


@settings(max_examples=300, deadline=None)
@given(words=word_lists(), limits=LIMITS, boundary=st.floats(0, 150))
def test_reading_speed_and_duration_are_met_whenever_the_gap_allows(
    words: list[CaptionWord], limits: dict[str, float], boundary: float
) -> None:
    cues = build_cues(words, boundaries=[boundary], **limits)  # type: ignore[arg-type]
    for index, cue in enumerate(cues):
        natural_end = max(w.end for w in cue.words)
        # The cue may stop early only at a wall: the boundary after its last word, or
        # min_gap before the next cue.
        walls = [boundary] if boundary >= natural_end else []
        if index + 1 < len(cues):
            walls.append(cues[index + 1].start - limits["min_gap"])
        if cue.end < min(walls, default=math.inf) - EPS:
            assert cue.cps <= limits["max_cps"] * (1 + 1e-9)
            assert cue.duration >= limits["min_duration"] - EPS


@settings(max_examples=200, deadline=None)
@given(words=word_lists(), width=st.integers(16, 50))
def test_word_spans_recover_every_word(words: list[CaptionWord], width: int) -> None:
    for cue in build_cues(words, max_chars_per_line=width):
        for word, spans in zip(cue.words, word_spans(cue), strict=True):
            found = "".join(cue.lines[s.line][s.start : s.end] for s in spans)
            assert found.replace(" ", "") == word.text.replace(" ", "")


@settings(max_examples=100, deadline=None)
@given(
    text=st.text(alphabet="今天天气很好我们一起去公园散步吧。、", min_size=1, max_size=120),
    width=st.integers(8, 30),
)
def test_any_cjk_run_fits_the_limits(text: str, width: int) -> None:
    cues = build_cues([CaptionWord(text, 0.0, 10.0)], max_chars_per_line=width)
    assert "".join(w.text for cue in cues for w in cue.words) == text
    for cue in cues:
        assert len(cue.lines) <= 2
        assert all(display_width(line) <= width for line in cue.lines)
