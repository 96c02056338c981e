"""The music planner: tempo fitting, sections, progressions, chord theory (pure)."""

from __future__ import annotations

import numpy as np
import pytest

from aiprod.providers.music.plan import (
    TEMPO_NUDGE,
    Arrangement,
    fit_tempo,
    plan_arrangement,
)
from aiprod.providers.music.styles import MOODS, STYLES, Mood, style_for
from aiprod.providers.music.theory import Key, chord_from_numeral, close_voicing, voicing


def _plan(mood: str, duration_s: float, seed: int = 0) -> Arrangement:
    return plan_arrangement(style_for(mood), duration_s, np.random.default_rng(seed))


@pytest.mark.parametrize("base", [80.0, 84.0, 96.0, 104.0, 112.0, 118.0])
def test_fit_tempo_stays_within_nudge_and_whole_bars_fit(base: float) -> None:
    for duration in np.arange(1.0, 90.0, 0.037):
        tempo, bars = fit_tempo(float(duration), base)
        bar_s = 240.0 / tempo
        ending = duration - (bars - 1) * bar_s
        assert abs(tempo / base - 1.0) <= TEMPO_NUDGE + 1e-9
        assert bars >= 1
        assert min(duration, 1.0) - 1e-9 <= ending < 2 * bar_s + 1e-9
        if duration >= 8 * 240.0 / base:  # long enough: a whole number of bars, exactly
            assert ending == pytest.approx(bar_s, abs=1e-6)


def test_fit_tempo_keeps_the_base_tempo_when_bars_already_fit() -> None:
    assert fit_tempo(60.0, 120.0) == pytest.approx((120.0, 30))
    assert fit_tempo(30.0, 80.0) == pytest.approx((80.0, 10))


def test_very_short_track_is_one_ending_chord() -> None:
    plan = _plan("calm", 2.0)
    assert [bar.section for bar in plan.bars] == ["ending"]
    assert plan.ending.start_s == 0.0
    assert plan.ending.end_s == pytest.approx(2.0)
    assert plan.ending.chord.name == "F"


@pytest.mark.parametrize("mood", MOODS)
def test_arrangement_has_intro_body_and_one_ending(mood: str) -> None:
    plan = _plan(mood, 30.0)
    sections = [bar.section for bar in plan.bars]
    intro = sections.count("intro")
    assert intro >= 1 and sections[:intro] == ["intro"] * intro
    assert sections[intro] == "body"
    assert set(sections[intro:-1]) <= {"body", "break"}
    assert sections[-1] == "ending"
    intro_levels = [bar.intensity for bar in plan.bars if bar.section == "intro"]
    body_levels = [bar.intensity for bar in plan.bars if bar.section == "body"]
    assert max(intro_levels) < min(body_levels)


@pytest.mark.parametrize("duration", [2.0, 6.0, 30.0, 61.3, 600.0])
@pytest.mark.parametrize("mood", MOODS)
def test_bars_tile_the_track_and_the_ending_lands_on_the_duration(
    mood: str, duration: float
) -> None:
    plan = _plan(mood, duration)
    for before, after in zip(plan.bars, plan.bars[1:], strict=False):
        assert after.start_s == pytest.approx(before.end_s)
    assert plan.bars[0].start_s == 0.0
    assert plan.ending.end_s == pytest.approx(duration)
    assert plan.ending.length_s >= min(duration, 1.0) - 1e-9


def test_long_tracks_get_breakdowns_but_not_near_the_end() -> None:
    plan = _plan("upbeat", 600.0)
    sections = [bar.section for bar in plan.bars]
    assert sections[:4] == ["intro"] * 4
    assert sections.count("break") >= 4
    assert "break" not in sections[-9:]


@pytest.mark.parametrize("mood", MOODS)
def test_progression_is_in_key_and_cadences_to_the_tonic(mood: Mood) -> None:
    style = STYLES[mood]
    leading_tone = (style.key.tonic + 11) % 12  # the harmonic-minor V borrows it
    scale = set(style.key.scale()) | {leading_tone}
    for seed in range(6):
        plan = _plan(mood, 40.0, seed)
        assert len(plan.progression) == 4
        for chord in plan.progression:
            assert set(chord.pitch_classes) <= scale
        tonic, dominant = plan.bars[-1].chord, plan.bars[-2].chord
        assert tonic.root == style.key.tonic
        assert dominant.root == (style.key.tonic + 7) % 12
        assert set(dominant.pitch_classes) <= scale


def test_seed_chooses_among_the_mood_progressions() -> None:
    names = {tuple(c.name for c in _plan("upbeat", 20.0, seed).progression) for seed in range(12)}
    assert ("C", "G", "Am", "F") in names
    assert len(names) >= 2


def test_moods_have_distinct_tempo_and_key() -> None:
    signatures = {(s.tempo_bpm, s.key) for s in STYLES.values()}
    assert len(signatures) == len(MOODS)
    assert STYLES["upbeat"].key.mode == "major" and 110 <= STYLES["upbeat"].tempo_bpm <= 125
    assert STYLES["dramatic"].key.mode == "minor"
    assert STYLES["calm"].tempo_bpm <= 85


def test_chord_names_from_roman_numerals() -> None:
    c_major, d_minor, f_major = Key(0, "major"), Key(2, "minor"), Key(5, "major")
    names = [chord_from_numeral(c_major, n).name for n in ("I", "V", "vi", "IV", "ii")]
    assert names == ["C", "G", "Am", "F", "Dm"]
    assert [chord_from_numeral(d_minor, n).name for n in ("i", "VI", "III", "VII", "V7")] == [
        "Dm",
        "Bb",
        "F",
        "C",
        "A7",
    ]
    assert chord_from_numeral(f_major, "I7").name == "Fmaj7"
    assert chord_from_numeral(f_major, "ii7").name == "Gm7"
    assert d_minor.name == "D minor"
    with pytest.raises(ValueError, match="roman"):
        chord_from_numeral(c_major, "IX")


def test_voicings_stay_in_their_register() -> None:
    chord = chord_from_numeral(Key(0, "major"), "V")
    close = close_voicing(chord, 55)
    assert len(close) == 3 and all(55 <= p < 67 for p in close)
    assert {p % 12 for p in close} == {7, 11, 2}
    wide = voicing(chord, 60, 84)
    assert all(60 <= p < 84 for p in wide) and list(wide) == sorted(wide)


def test_unknown_mood_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown mood"):
        style_for("sad")
