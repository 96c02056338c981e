"""Offline, rule-based copywriter: brief analysis and paced narration scripts (EN/FR).

>>> from aiprod.planner import analyse_brief, write_script, words_for_duration
>>> brief = analyse_brief("30-second vertical ad for Bean There coffee, upbeat, "
...                       "mention organic beans and free delivery")
>>> plan = write_script(brief, target_words=words_for_duration(brief.duration_s))
>>> [scene.role for scene in plan.scenes]
['hook', 'point', 'point', 'cta']

Pure Python, deterministic, no network and no models.
"""

from __future__ import annotations

from aiprod.planner.brief import BriefAnalysis, analyse_brief
from aiprod.planner.compose import SceneRole
from aiprod.planner.format_hints import Aspect
from aiprod.planner.keywords import Language
from aiprod.planner.moods import MOODS, Mood
from aiprod.planner.script import ScenePlan, ScriptPlan, SfxKind, words_for_duration, write_script
from aiprod.planner.textutil import count_words

__all__ = [
    "MOODS",
    "Aspect",
    "BriefAnalysis",
    "Language",
    "Mood",
    "ScenePlan",
    "SceneRole",
    "ScriptPlan",
    "SfxKind",
    "analyse_brief",
    "count_words",
    "words_for_duration",
    "write_script",
]
