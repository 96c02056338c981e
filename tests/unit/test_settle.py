"""Events played to their end: the tags they show at rest."""

from __future__ import annotations

from aiprod.captions.settle import settle, split_tags


def test_tags_split_at_top_level_backslashes() -> None:
    block = r"\an7\t(0,620,0.45,\clip(1,2,3,4))\fad(0,220)\1c&HFFFFFF&"
    assert split_tags(block) == [r"\an7", r"\t(0,620,0.45,\clip(1,2,3,4))", r"\fad(0,220)",
                                 r"\1c&HFFFFFF&"]  # fmt: skip


def test_a_rising_line_rests_at_the_end_of_its_move_faded_in() -> None:
    text = (
        r"{\an7\move(97,393,97,294,0,420)\clip(93,278,411,467)\fad(0,220)\alpha&HFF&"
        r"\t(0,210,\alpha&H00&)\q2\bord0\shad4\fs164.9\1c&HFFFFFF&}{\1c&H00D4FF&}Smart"
    )
    settled = settle(text)
    assert settled is not None
    assert settled.text == (
        r"{\an7\pos(97,294)\clip(93,278,411,467)\alpha&HFF&\alpha&H00&\q2\bord0\shad4"
        r"\fs164.9\1c&HFFFFFF&}{\1c&H00D4FF&}Smart"
    )
    assert (settled.after_ms, settled.fade_in_ms, settled.fade_out_ms) == (420, 0, 220)


def test_a_spring_and_a_wipe_rest_at_their_final_values() -> None:
    pop = settle(r"{\an5\pos(427,449)\fscx40\fscy40\t(0,276,0.45,\fscx108\fscy108)"
                 r"\t(276,460,\fscx100\fscy100)\fad(120,220)\shad4}Northwind")  # fmt: skip
    assert pop is not None and pop.after_ms == 460 and pop.fade_in_ms == 120
    assert pop.text.endswith(r"\fscx108\fscy108\fscx100\fscy100\shad4}Northwind")
    wipe = settle(r"{\an7\pos(97,629)\clip(93,622,93,702)\t(0,620,0.45,\clip(93,622,737,702))"
                  r"\fad(0,220)}With Northwind")  # fmt: skip
    assert wipe is not None and wipe.after_ms == 620
    assert wipe.text == r"{\an7\pos(97,629)\clip(93,622,93,702)\clip(93,622,737,702)}With Northwind"


def test_motion_that_lasts_never_settles() -> None:
    assert settle(r"{\an7\move(10,10,0,0)\p1}m 0 0 l 9 0 9 9{\p0}") is None  # all event long
    assert settle(r"{\t(\frz10)}spin") is None  # a transform without times
    assert settle(r"{\fade(255,0,255,0,100,200,300)}x") is None
    assert settle(r"{\pos(1,2)}a{\t(0,100,\1c&H0000FF&)}b") is None  # animated later on
    still = settle(r"{\an7\pos(1,2)\p1}m 0 0 l 9 0{\p0}")
    assert still is not None and still.after_ms == 0 and still.text.startswith(r"{\an7\pos(1,2)")
