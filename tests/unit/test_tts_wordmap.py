"""Pure narration helpers: words, sentences, glossary, phoneme grouping, span mapping."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiprod.errors import ProviderRejectedInput
from aiprod.providers.tts.alignment import (
    align_words_by_phonemes,
    count_phoneme_words,
    distribute,
    distribute_by_length,
    map_spans_to_words,
    phoneme_units,
    phoneme_word_spans,
    spoken_weight,
)
from aiprod.providers.tts.sentences import (
    displayed_words,
    ends_sentence,
    normalize_glossary,
    plan_sentences,
    primary_language,
    split_sentences,
    spoken_form,
)
from aiprod.providers.tts.wav import Segment, assemble, voiced_span, write_wav

# --- words and sentences -------------------------------------------------------------------


def test_displayed_words_keep_punctuation_attached() -> None:
    text = 'In 2024, the "team"  shipped\nbeans, 🙂 — really!'
    assert displayed_words(text) == [
        "In",
        "2024,",
        "the",
        '"team"',
        "shipped",
        "beans,",
        "🙂",
        "—",
        "really!",
    ]


def test_displayed_words_cut_cjk_runs_after_terminators() -> None:
    assert displayed_words("你好。「我很好！」他说 ok") == ["你好。", "「我很好！」", "他说", "ok"]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("end.", True),
        ("really?!", True),
        ('"no."', True),
        ("so…", True),
        ("好。", True),
        ("Dr.", False),
        ("(e.g.", False),
        ("3.5", False),
        ("beans,", False),
    ],
)
def test_ends_sentence(word: str, expected: bool) -> None:
    assert ends_sentence(word) is expected


def test_split_sentences_keeps_every_word_once() -> None:
    words = displayed_words("Dr. Smith came. Did he? Yes! And then")
    sentences = split_sentences(words)
    assert sentences == [["Dr.", "Smith", "came."], ["Did", "he?"], ["Yes!"], ["And", "then"]]
    assert [w for s in sentences for w in s] == words


def test_split_sentences_merges_symbol_only_sentences() -> None:
    assert split_sentences(["Wow.", "...", "🙂", "Great."]) == [["Wow.", "..."], ["🙂", "Great."]]
    assert split_sentences(["Wow.", "🙂!", "Great."]) == [["Wow.", "🙂!"], ["Great."]]
    assert split_sentences(["—", "Hi."]) == [["—", "Hi."]]


def test_primary_language() -> None:
    assert primary_language(" en_US ") == "en"
    assert primary_language("FR-ca") == "fr"


# --- glossary ------------------------------------------------------------------------------


def test_glossary_matches_whole_words_case_insensitively_keeping_punctuation() -> None:
    table = normalize_glossary({"AIPROD": "ay prod", '"GIF"': "jif"})
    assert spoken_form("aiprod,", table) == "ay prod,"
    assert spoken_form('"AiProd"', table) == '"ay prod"'
    assert spoken_form("gif.", table) == "jif."
    assert spoken_form("AIPRODs", table) == "AIPRODs"  # whole words only
    assert spoken_form("beans", table) == "beans"


def test_glossary_ignores_punctuation_only_keys() -> None:
    assert normalize_glossary({"--": "dash", "ok": "okay"}) == {"ok": "okay"}


def test_spoken_form_drops_emoji_and_phoneme_markup() -> None:
    assert spoken_form("🙂", {}) == ""
    assert spoken_form("👍🏽!", {}) == "!"
    assert spoken_form("[[h@loU]]", {}) == "[h@loU]]"


def test_plan_sentences_pairs_displayed_and_spoken_words() -> None:
    plans = plan_sentences("Use AIPROD. It's 🙂 fine!", {"aiprod": "ay prod"})
    assert [p.words for p in plans] == [("Use", "AIPROD."), ("It's", "🙂", "fine!")]
    assert plans[0].spoken_text == "Use ay prod."
    assert plans[1].spoken == ("It's", "", "fine!")
    assert plans[1].spoken_text == "It's fine!"


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_plan_sentences_rejects_empty_text(text: str) -> None:
    with pytest.raises(ProviderRejectedInput):
        plan_sentences(text, None)


# --- phonemes to spans ---------------------------------------------------------------------


def test_phoneme_word_spans_groups_on_spaces_and_skips_markers() -> None:
    alignment = [("^", 10), ("h", 5), ("i", 5), (",", 4), (" ", 3), ("j", 6), ("o", 6), ("$", 8)]
    assert phoneme_word_spans(alignment) == [(10, 24), (27, 39)]
    assert phoneme_word_spans(alignment, offset=100) == [(110, 124), (127, 139)]


def test_punctuation_only_group_extends_previous_word() -> None:
    alignment = [("a", 5), (" ", 2), ("—", 3), (" ", 2), ("b", 4)]
    assert phoneme_word_spans(alignment) == [(0, 10), (12, 16)]
    assert phoneme_word_spans([("!", 3), (" ", 1), ("a", 2)]) == [(4, 6)]


def test_count_phoneme_words_across_sentences() -> None:
    twenty_twenty_four = [list("twɛnti twɛnti fɔːɹ,"), list("ok.")]
    assert count_phoneme_words(twenty_twenty_four) == 4
    assert count_phoneme_words([]) == 0


# --- spans to words ------------------------------------------------------------------------


def test_distribute_is_proportional_and_contiguous() -> None:
    assert distribute([1, 3], 0, 100) == [(0, 25), (25, 100)]
    assert distribute([], 0, 10) == []
    with pytest.raises(ValueError, match="non-empty"):
        distribute([1, 1, 1], 0, 2)


@given(
    weights=st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=40),
    start=st.integers(min_value=0, max_value=10_000),
    extra=st.integers(min_value=0, max_value=100_000),
)
def test_distribute_always_covers_the_span_with_non_empty_parts(
    weights: list[int], start: int, extra: int
) -> None:
    end = start + len(weights) + extra
    spans = distribute(weights, start, end)
    assert spans[0][0] == start
    assert spans[-1][1] == end
    assert all(a < b for a, b in spans)
    assert all(spans[i][1] == spans[i + 1][0] for i in range(len(spans) - 1))


def test_spoken_weight_counts_letters_and_digits_not_punctuation() -> None:
    assert spoken_weight("beans,") == 5
    assert spoken_weight("42") == 8
    assert spoken_weight("—") == 1
    assert distribute_by_length(["a", "bbb"], 0, 40) == [(0, 10), (10, 40)]


def test_map_spans_gives_each_word_its_spoken_words() -> None:
    # "In 2024, now": "2024," is spoken as three words (twenty twenty four).
    spoken = [(10, 20), (22, 30), (32, 40), (42, 48), (52, 60)]
    assert map_spans_to_words([1, 3, 1], spoken, (0, 70)) == [(10, 20), (22, 48), (52, 60)]


def test_map_spans_puts_silent_words_in_the_gaps() -> None:
    spoken = [(10, 20), (30, 40)]
    assert map_spans_to_words([0, 1, 0, 0, 1, 0], spoken, (0, 50)) == [
        (0, 10),
        (10, 20),
        (20, 25),
        (25, 30),
        (30, 40),
        (40, 50),
    ]


def test_map_spans_refuses_mismatched_counts_or_no_room() -> None:
    assert map_spans_to_words([1, 1], [(0, 5)], (0, 10)) is None
    assert map_spans_to_words([1, 0, 1], [(0, 5), (5, 9)], (0, 10)) is None


def test_map_spans_with_only_silent_words_uses_the_whole_sentence() -> None:
    assert map_spans_to_words([0, 0], [], (0, 10)) == [(0, 5), (5, 10)]


def _pairs(spoken: str) -> list[tuple[str, int]]:
    """One sample per phoneme, wrapped in Piper's begin/end markers."""
    return [("^", 1), *((p, 1) for p in spoken), ("$", 1)]


def test_phoneme_units_attach_stress_forward_and_marks_backward() -> None:
    pairs = [("^", 10), ("ˈ", 2), ("a", 3), ("ː", 1), (",", 4), (" ", 2), ("b", 5), ("$", 3)]
    assert phoneme_units(pairs) == [("a", 10, 20), ("b", 22, 27)]


def test_align_by_phonemes_splits_words_the_engine_joined() -> None:
    # espeak says "in the sun" as "ɪnðə sˈʌn": two spoken words for three displayed ones.
    words = [list("ɪn"), list("ðˈə"), list("sˈʌn")]
    pairs = _pairs("ɪnðə sˈʌn")
    assert map_spans_to_words([1, 1, 1], phoneme_word_spans(pairs), (0, 11)) is None
    assert align_words_by_phonemes(words, pairs, (0, 11)) == [(1, 3), (3, 5), (6, 10)]


def test_align_by_phonemes_times_unspoken_words_in_the_gaps() -> None:
    words = [list("haɪ"), [], list("ðɛɹ")]
    assert align_words_by_phonemes(words, _pairs("haɪ ðɛɹ"), (0, 9)) == [(1, 4), (4, 5), (5, 8)]


def test_align_by_phonemes_gives_up_on_unrelated_sounds() -> None:
    assert align_words_by_phonemes([list("abc")], _pairs("xyz"), (0, 5)) is None
    assert align_words_by_phonemes([[]], _pairs("xyz"), (0, 5)) is None


# --- audio ---------------------------------------------------------------------------------


def test_voiced_span_trims_near_silence() -> None:
    rate = 1000
    samples = np.zeros(1000, dtype=np.int16)
    samples[200:700] = 8000
    samples[100:110] = 5  # far below the floor
    assert voiced_span(samples, rate) == (200, 700)
    assert voiced_span(np.zeros(50, dtype=np.int16), rate) == (0, 50)
    assert voiced_span(np.zeros(0, dtype=np.int16), rate) == (0, 0)


def test_assemble_inserts_pauses_and_offsets_timings() -> None:
    one = Segment(("Hi.",), np.ones(100, dtype=np.int16), ((10, 90),))
    two = Segment(("Yes", "no."), np.ones(50, dtype=np.int16), ((0, 20), (25, 50)))
    audio, timings = assemble([one, two], pause_samples=25, sample_rate=100)
    assert len(audio) == 175
    assert not np.any(audio[100:125])
    assert [(t.text, t.start, t.end) for t in timings] == [
        ("Hi.", 0.1, 0.9),
        ("Yes", 1.25, 1.45),
        ("no.", 1.5, 1.75),
    ]


def test_write_wav_is_mono_16_bit(tmp_path: Path) -> None:
    samples = np.array([0, 1000, -1000, 32767], dtype=np.int16)
    out = tmp_path / "nested" / "clip.wav"
    write_wav(out, samples, 22050)
    with wave.open(str(out), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 22050)
        assert np.array_equal(np.frombuffer(wav.readframes(4), dtype="<i2"), samples)
    assert [p.name for p in out.parent.iterdir()] == ["clip.wav"]  # no temp file left
