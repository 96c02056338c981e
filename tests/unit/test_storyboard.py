"""The storyboard a script provider returns: parsing, validation, headline fitting, facts."""

from __future__ import annotations

import json

import pytest

from aiprod.planner.brief import analyse_brief
from aiprod.providers.script.base import Storyboard, fit_headline, storyboard_schema
from aiprod.providers.script.facts import brief_facts
from aiprod.providers.script.openai_compat import parse_storyboard

BOARD = {
    "hook": {"headline": "Hi.", "narration": "Meet Bean There.", "keywords": []},
    "points": [{"headline": "Beans", "narration": "Organic beans.", "keywords": ["b"]}],
    "cta": {"headline": "Go", "narration": "Order today.", "keywords": []},
}


def test_fenced_json_is_accepted_and_headlines_fitted() -> None:
    board = parse_storyboard("```json\n" + json.dumps(BOARD) + "\n```")
    assert board.hook.headline == "Hi"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not JSON"),
        (json.dumps({**BOARD, "points": []}), "at least 1"),
        (json.dumps({"hook": BOARD["hook"], "points": BOARD["points"]}), "cta: Field required"),
        (json.dumps({**BOARD, "extra": 1}), "extra"),
        (json.dumps({**BOARD, "hook": {**BOARD["hook"], "narration": "see <b>this</b>"}}),
         "plain spoken text"),
    ],
)  # fmt: skip
def test_invalid_answers_say_why(content: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_storyboard(content)


def test_fit_headline_cuts_at_a_word() -> None:
    assert (
        fit_headline("Roasted within forty-eight hours, for your order.")
        == "Roasted within forty-eight hours"
    )
    assert len(fit_headline("x" * 50)) == 32


def test_schema_is_strict_mode_shaped() -> None:
    schema = storyboard_schema()
    scene = schema["properties"]["points"]["items"]
    assert scene["additionalProperties"] is False
    assert sorted(scene["required"]) == sorted(scene["properties"])
    assert sorted(schema["required"]) == sorted(schema["properties"])
    board = Storyboard.model_validate(BOARD)
    assert Storyboard.from_plan(board.to_plan(analyse_brief("Ad for Zap"), 30)) == board


def test_facts_name_what_a_script_drops() -> None:
    analysis = analyse_brief(
        "Ad for Bean There coffee. Mention free delivery over 25 dollars. "
        "Call to action: order at beanthere.coffee"
    )
    facts = brief_facts(analysis)
    plan = Storyboard.model_validate(BOARD).to_plan(analysis, 30)
    lost = facts.missing(plan)
    assert "brand 'Bean There'" not in lost
    assert "number '25'" in lost
    assert any(item.startswith("call to action") for item in lost)
