"""A written spec's scenes whose layout sets a picture in a disc, and that name none, get
an icon chosen by what they say: the disc stood empty before, like a missing image."""

from __future__ import annotations

from aiprod.design.engine import choose_layouts
from aiprod.pipeline.pictures import with_pictures_by_meaning
from aiprod.spec.model import VideoSpec


def test_only_scenes_that_show_a_picture_and_have_none_get_one_by_meaning() -> None:
    spec = VideoSpec.model_validate(
        {
            "scenes": [
                {"title": "Free delivery", "narration": "We deliver to your door, by truck."},
                {"title": "48 h", "narration": "In 48 hours.", "stat": {"value": 48, "unit": "h"}},
                {"title": "Why us", "narration": "Three reasons.", "items": ["a", "b", "c"]},
                {
                    "title": "Fresh coffee",
                    "narration": "Roasted every week.",
                    "illustration": {"emoji": "☕"},
                },
                {"title": "Rain or shine", "narration": "Rain or shine, we bring your coffee."},
                {"title": "Order now", "narration": "Order now."},
            ]
        }
    )
    assert choose_layouts(list(spec.scenes)) == [
        "hook",
        "stat",
        "list",
        "benefit",
        "hook",
        "end_card",
    ]
    out = with_pictures_by_meaning(spec)
    pictures = [
        s.illustration.icon or s.illustration.emoji if s.illustration else None for s in out.scenes
    ]
    assert pictures == ["truck", None, None, "☕", "coffee", None]
    assert with_pictures_by_meaning(out) == out  # nothing left to choose
