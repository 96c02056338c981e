"""Which of the front's events rest on their scene's slow background, and how they are cut."""

from __future__ import annotations

from aiprod.captions.ass import AssEvent
from aiprod.media.front_rest import Obstacle, rest_front
from aiprod.media.timeline import Timeline, build_timeline
from aiprod.spec.model import VideoSpec
from aiprod.spec.presets import resolve_preset

RISE = (
    r"{\an7\move(97,393,97,294,0,420)\clip(93,278,411,467)\fad(0,220)\alpha&HFF&"
    r"\t(0,210,\alpha&H00&)\q2\bord0\shad4\fs164.9}Meet"
)
DRIFT = r"{\an7\move(10,10,0,0)\bord0\shad0\p1}m 0 0 l 9 0 9 9{\p0}"


def timeline() -> Timeline:
    spec = VideoSpec.model_validate(
        {"preset": "brand_campaign", "scenes": [{"narration": "one"}, {"narration": "two"}]}
    )
    preset = resolve_preset(spec.preset)
    return build_timeline(spec, preset, [3.0, 3.0])


def test_a_still_headline_is_cut_in_three_around_whole_slow_frames() -> None:
    tl = timeline()
    slot = tl.scenes[1]
    start = slot.start / 30 + 0.5
    event = AssEvent(start, slot.end / 30 - 0.6, "Design", RISE, 3)
    resting = rest_front([event], [(1, (97, 294, 420, 470))], tl, {1: 3}, {}, 8)
    enter, leave = resting.front
    (middle,) = resting.scenes[1]
    assert enter.start == event.start and leave.end == event.end
    assert r"\fad(0,0)" in enter.text and r"\move(" in enter.text  # no fade-out at its cut
    assert leave.text.startswith(r"{\fad(0,220)\an7\pos(97,294)") and r"\t(" not in leave.text
    assert middle.text.startswith(r"{\an7\pos(97,294)") and r"\fad" not in middle.text
    # the middle, on whole slow frames in the scene's time: starts and ends half a slow
    # frame before a slow frame; the cuts in the overlay at the frames they hand over at
    first, end = round(middle.start * 10 + 0.5), round(middle.end * 10 + 0.5)
    assert middle.start == (first - 0.5) / 10 and end > first
    assert abs(enter.end - ((slot.start + 3 * first) - 0.5) / 30) < 0.006
    assert abs(leave.start - ((slot.start + 3 * end) - 0.5) / 30) < 0.006
    # settled 420 ms after its start, before its fade-out 220 ms before its end
    assert (slot.start + 3 * first) / 30 >= event.start + 0.42
    assert (slot.start + 3 * end) / 30 <= event.end - 0.22


def test_an_event_stays_where_something_drawn_on_every_frame_meets_it() -> None:
    tl = timeline()
    slot = tl.scenes[0]
    event = AssEvent(0.5, slot.end / 30 - 0.6, "Design", RISE, 3)
    place = [(0, (97, 294, 420, 470))]
    band = Obstacle((-9999, 460, 9999, 600))  # rows the band slides across
    assert rest_front([event], place, tl, {0: 3}, {0: [band]}, 8).front == [event]
    clear = Obstacle((-9999, 600, 9999, 700))
    assert len(rest_front([event], place, tl, {0: 3}, {0: [clear]}, 8).front) == 2
    # a scene without a slow background, and motion that lasts, stay too
    assert rest_front([event], place, tl, {}, {}, 8).front == [event]
    drift = AssEvent(0.5, 2.0, "Design", DRIFT, 2)
    assert rest_front([drift], place, tl, {0: 3}, {}, 8).front == [drift]


def test_an_event_over_one_that_stays_stays_too() -> None:
    tl = timeline()
    end = tl.scenes[0].end / 30 - 0.6
    under = AssEvent(0.5, end, "Design", DRIFT, 2)  # a mark that moves all along, beneath
    over = AssEvent(0.5, end, "Design", RISE, 3)
    places = [(0, (90, 290, 430, 480)), (0, (97, 294, 420, 470))]
    assert rest_front([over, under], places[::-1], tl, {0: 3}, {}, 8).front == [over, under]
