"""The part writer: notes per mood, the final chord, the expression curve, the MIDI file."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pretty_midi
import pytest

from aiprod.providers.music.plan import plan_arrangement
from aiprod.providers.music.render import TAIL_PAD_S, write_midi
from aiprod.providers.music.score import Score, Track, build_score
from aiprod.providers.music.styles import CRASH, KICK, MOODS, style_for

TOMS = {41, 43, 45, 47, 48, 50}


def _score(mood: str, duration_s: float, seed: int = 0) -> Score:
    style = style_for(mood)
    rng = np.random.default_rng(seed)
    return build_score(style, plan_arrangement(style, duration_s, rng), rng)


def _track(score: Score, name: str) -> Track:
    return next(track for track in score.tracks if track.name == name)


@pytest.mark.parametrize("duration", [2.0, 6.0, 30.0, 600.0])
@pytest.mark.parametrize("mood", MOODS)
def test_notes_are_valid_and_the_last_ones_end_exactly_at_the_duration(
    mood: str, duration: float
) -> None:
    score = _score(mood, duration)
    assert score.last_note_end() == pytest.approx(duration)
    for track in score.tracks:
        for note in track.notes:
            assert 0.0 <= note.start < note.end <= duration + 1e-9
            assert 1 <= note.velocity <= 127 and 0 <= note.pitch <= 127


@pytest.mark.parametrize("mood", MOODS)
def test_every_mood_has_bass_chords_and_a_top_line(mood: str) -> None:
    roles = {part.role for part in style_for(mood).parts}
    assert roles == {"bass", "chords", "top"}
    assert len(_score(mood, 30.0).tracks) >= 4


@pytest.mark.parametrize("mood", MOODS)
def test_final_chord_is_the_tonic_struck_on_the_last_bar(mood: str) -> None:
    style = style_for(mood)
    rng = np.random.default_rng(0)
    plan = plan_arrangement(style, 30.0, rng)
    score = build_score(style, plan, rng)
    final = [
        note
        for track in score.tracks
        if not track.is_drum
        for note in track.notes
        if note.start == pytest.approx(plan.ending.start_s)
    ]
    assert final and all(note.end == pytest.approx(30.0) for note in final)
    assert style.key.tonic in {note.pitch % 12 for note in final}


def test_upbeat_is_four_on_the_floor_and_calm_has_no_kick() -> None:
    upbeat = _score("upbeat", 30.0)
    kicks = sorted(n.start for n in _track(upbeat, "drums").notes if n.pitch == KICK)
    beat = 60.0 / upbeat.tempo_bpm
    steps = {round(b - a, 6) for a, b in itertools.pairwise(kicks)}
    assert steps == {round(beat, 6)}
    calm = _score("calm", 30.0)
    calm_drums = [n for t in calm.tracks if t.is_drum for n in t.notes]
    assert all(n.pitch not in (KICK, CRASH) for n in calm_drums)


def test_dramatic_has_toms_and_timpani_and_playful_pizzicato_and_marimba() -> None:
    dramatic = _score("dramatic", 30.0)
    assert TOMS & {n.pitch for n in _track(dramatic, "drums").notes}
    assert _track(dramatic, "timpani").program == 47
    playful_programs = {t.program for t in _score("playful", 30.0).tracks}
    assert {45, 12} <= playful_programs


def test_intro_is_sparser_than_the_body() -> None:
    style = style_for("upbeat")
    rng = np.random.default_rng(0)
    plan = plan_arrangement(style, 60.0, rng)
    score = build_score(style, plan, rng)
    intro_end = next(bar.start_s for bar in plan.bars if bar.section == "body")
    intro_bars = sum(1 for bar in plan.bars if bar.section == "intro")
    notes = [n for t in score.tracks for n in t.notes]
    per_intro_bar = sum(1 for n in notes if n.start < intro_end) / intro_bars
    body = [bar for bar in plan.bars if bar.section == "body"]
    per_body_bar = sum(1 for n in notes if intro_end <= n.start < body[-1].end_s) / len(body)
    assert per_intro_bar < 0.6 * per_body_bar


def test_inspiring_builds_up_strings_and_drums() -> None:
    score = _score("inspiring", 60.0)
    high = _track(score, "high strings").notes
    assert high and min(n.start for n in high) > 20.0
    drums = _track(score, "drums").notes
    first_half = sum(1 for n in drums if n.start < 30.0)
    assert first_half < len(drums) - first_half


@pytest.mark.parametrize("mood", MOODS)
def test_expression_holds_then_decays_to_silence_at_the_end(mood: str) -> None:
    for duration in (2.0, 30.0):
        score = _score(mood, duration)
        curve = score.tracks[0].expression
        assert curve[-1] == pytest.approx((duration, 0))
        assert max(value for _, value in curve) == 127
        values = [value for _, value in curve]
        last_full = len(values) - 1 - values[::-1].index(127)
        decay = values[last_full:]
        assert decay == sorted(decay, reverse=True) and decay[-1] == 0
        assert curve[last_full][0] < duration - 0.5


def test_same_seed_same_notes_other_seed_other_notes() -> None:
    assert _score("corporate", 20.0, 5) == _score("corporate", 20.0, 5)
    assert _score("corporate", 20.0, 5) != _score("corporate", 20.0, 6)


def test_midi_file_round_trip_keeps_the_timing(tmp_path: Path) -> None:
    score = _score("dramatic", 12.0)
    midi = pretty_midi.PrettyMIDI(str(write_midi(score, tmp_path / "m.mid")))
    assert midi.estimate_tempo() > 0
    assert midi.get_tempo_changes()[1][0] == pytest.approx(score.tempo_bpm, rel=1e-4)
    notes = [n for inst in midi.instruments for n in inst.notes]
    assert max(n.end for n in notes) == pytest.approx(12.0, abs=2e-3)
    assert midi.get_end_time() == pytest.approx(12.0 + TAIL_PAD_S, abs=2e-3)
    assert any(inst.is_drum for inst in midi.instruments)
    assert len(notes) == sum(len(t.notes) for t in score.tracks)
