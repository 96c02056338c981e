"""A brief's explicit language, voice and music mood: checked before storing, and winning
over what the planner reads in the brief."""

from __future__ import annotations

import pytest

from aiprod.config import Settings
from aiprod.jobs.choices import BriefChoices, check_choices
from aiprod.pipeline.plan import PlanRequest, draft_spec

ENGLISH = "A 20-second ad for Bean There, organic coffee delivered weekly, calm and warm."


def test_the_choices_made_are_kept_and_read_back_from_a_job_request() -> None:
    choices = BriefChoices(language="fr-CA", voice="espeak:fr+f3")
    assert choices.fields() == {"language": "fr-CA", "voice": "espeak:fr+f3"}
    stored = {"brief": ENGLISH, **choices.fields(), "music_mood": 3}  # a non-text is ignored
    assert BriefChoices.of(stored) == choices
    assert BriefChoices().fields() == {}


@pytest.mark.parametrize(
    ("choices", "where", "words"),
    [
        (BriefChoices(language="de"), "language", "English (en) or French (fr)"),
        (BriefChoices(music_mood="sleepy"), "music_mood", "unknown mood"),
        (BriefChoices(language="fr", voice="en_US-joe-medium"), "voice", "English only"),
        (BriefChoices(voice="espeak:not a voice"), "voice", "not a valid"),
    ],
)
def test_impossible_choices_are_named(choices: BriefChoices, where: str, words: str) -> None:
    [problem] = check_choices(choices, ENGLISH)
    assert problem.path == where and words in problem.message


def test_a_voice_is_checked_against_the_brief_s_language_when_none_is_chosen() -> None:
    french = "Une publicité de 20 secondes pour Bean There, le café bio livré chez vous."
    assert check_choices(BriefChoices(voice="en_US-joe-medium"), ENGLISH) == []
    [problem] = check_choices(BriefChoices(voice="en_US-joe-medium"), french)
    assert problem.path == "voice"


def test_a_spec_sets_its_own_choices() -> None:
    problems = check_choices(BriefChoices(language="fr", music_mood="calm"), None)
    assert [p.path for p in problems] == ["language", "music_mood"]
    assert check_choices(BriefChoices(), None) == []


def test_explicit_choices_win_over_the_brief(settings: Settings) -> None:
    detected = draft_spec(PlanRequest(brief=ENGLISH), settings)
    assert detected.language == "en" and detected.voice is None
    assert detected.music is not None and detected.music.mood == "calm"
    chosen = draft_spec(
        PlanRequest(brief=ENGLISH, language="fr-CA", voice="espeak:fr+f3", music_mood="upbeat"),
        settings,
    )
    assert chosen.language == "fr-CA" and chosen.voice == "espeak:fr+f3"
    assert chosen.music is not None and chosen.music.mood == "upbeat"
    assert chosen.brief is not None and chosen.brief.language == "fr"
    assert chosen.brief.call_to_action != detected.brief.call_to_action  # written in French
