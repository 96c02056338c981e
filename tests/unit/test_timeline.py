from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiprod.errors import InvalidSpec
from aiprod.media.timeline import build_timeline, frames_for, seconds_at
from aiprod.spec.model import VideoSpec
from aiprod.spec.presets import Preset, resolve_preset

SOCIAL = resolve_preset("quick_social")


def spec_of(*scenes: dict[str, object]) -> VideoSpec:
    return VideoSpec.model_validate({"scenes": list(scenes)})


def test_frames_for_rounds_up_and_is_exact_on_boundaries() -> None:
    assert frames_for(1.0, Fraction(30)) == 30
    assert frames_for(1.01, Fraction(30)) == 31
    assert frames_for(Fraction(1001, 30000), Fraction(30000, 1001)) == 1
    assert seconds_at(30, Fraction(30)) == 1


def test_scenes_overlap_by_their_transition() -> None:
    spec = spec_of(
        {"narration": "one", "transition": {"type": "fade", "duration": 0.5}},
        {"narration": "two", "transition": {"type": "wipeleft", "duration": 1.0}},
        {"narration": "three"},
    )
    tl = build_timeline(spec, SOCIAL, [2.0, 3.0, 1.0])
    a, b, c = tl.scenes
    assert (a.transition_out, b.transition_in) == (15, 15)
    assert (b.transition_out, c.transition_in) == (30, 30)
    assert b.start == a.end - 15 and c.start == b.end - 30
    assert tl.total_frames == a.frames + b.frames + c.frames - 45
    assert c.transition_out == 0 and c.transition_type is None


def test_narration_sits_between_transitions_with_padding() -> None:
    spec = spec_of({"narration": "a", "padding": 0.5}, {"narration": "b", "padding": 0.5})
    tl = build_timeline(spec, SOCIAL, [2.0, 2.0])
    first, second = tl.scenes
    assert first.narration_start == 15
    assert first.narration_start + first.narration_frames <= first.clear_end
    assert second.narration_start >= second.clear_start + 15
    assert first.narration_start + first.narration_frames < second.narration_start


def test_explicit_duration_is_kept_when_long_enough() -> None:
    spec = spec_of({"narration": "a", "duration": 10})
    assert build_timeline(spec, SOCIAL, [2.0]).total_frames == 300


def test_too_short_duration_is_reported_with_its_path() -> None:
    spec = spec_of({"narration": "a"}, {"narration": "b", "duration": 1})
    with pytest.raises(InvalidSpec) as caught:
        build_timeline(spec, SOCIAL, [1.0, 4.0])
    assert caught.value.problems[0].path == "scenes.1.duration"
    assert "too short" in caught.value.problems[0].message


def test_silent_scene_uses_its_duration() -> None:
    spec = spec_of({"duration": 2.5, "transition": None}, {"narration": "b"})
    tl = build_timeline(spec, SOCIAL, [None, 1.0])
    assert tl.scenes[0].frames == 75 and tl.scenes[0].narration_frames == 0
    assert tl.scenes[1].start == 75


def test_ntsc_rate_stays_on_integer_frames() -> None:
    ntsc = Preset(name="ntsc", width=640, height=360, fps="30000/1001", loudness_lufs=-16)
    spec = spec_of({"narration": "a"}, {"narration": "b"})
    tl = build_timeline(spec, ntsc, [1.5, 1.5])
    assert tl.fps == Fraction(30000, 1001)
    assert all(isinstance(s.start, int) for s in tl.scenes)
    assert tl.to_dict()["fps"] == "30000/1001"


def test_sfx_cues_are_placed_on_scene_frames() -> None:
    spec = spec_of(
        {"narration": "a", "sfx": [{"path": "/x.wav", "at": 0.5}]},
        {"narration": "b", "sfx": [{"path": "/y.wav", "at": 0.0}]},
    )
    tl = build_timeline(spec, SOCIAL, [2.0, 2.0])
    assert [c.start for c in tl.sfx] == [15, tl.scenes[1].start]


@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.floats(0.2, 20)),
            st.one_of(st.none(), st.floats(0.1, 2.0)),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_timeline_invariants(scenes: list[tuple[float | None, float | None]]) -> None:
    raw = []
    for speech, transition in scenes:
        scene: dict[str, object] = {"narration": "x"} if speech else {"duration": 5}
        scene["transition"] = {"duration": transition} if transition else None
        raw.append(scene)
    tl = build_timeline(spec_of(*raw), SOCIAL, [s for s, _ in scenes])
    for prev, nxt in zip(tl.scenes, tl.scenes[1:], strict=False):
        assert nxt.start == prev.end - prev.transition_out
        assert prev.frames > prev.transition_in + prev.transition_out
        if prev.narration_frames and nxt.narration_frames:
            assert prev.narration_start + prev.narration_frames <= nxt.narration_start
    assert tl.total_frames == tl.scenes[-1].end
    for slot, (speech, _) in zip(tl.scenes, scenes, strict=True):
        if speech:
            assert slot.narration_frames == frames_for(speech, tl.fps)
            assert slot.narration_start >= slot.clear_start
            assert slot.narration_start + slot.narration_frames <= slot.clear_end
