"""The brief's facts a written script must keep: brand, numbers, call to action, key points.

Checked with the semantic QA's word matching (:mod:`aiprod.qa.semantic`): a key point or the
call to action counts when most of its content words are said or shown; the brand name and
every number of the key points and call to action must appear as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aiprod.planner.brief import BriefAnalysis
from aiprod.planner.script import ScriptPlan
from aiprod.qa.semantic import content_stems, fold, point_present

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class BriefFacts:
    brand: str | None
    numbers: tuple[str, ...]
    call_to_action: str | None
    key_points: tuple[str, ...]

    def required(self) -> list[str]:
        out = [f"the brand name: {self.brand}"] if self.brand else []
        out += [f"a point scene about: {p}" for p in self.key_points]
        out += [f"the cta scene says: {self.call_to_action}"] if self.call_to_action else []
        return out

    def missing(self, script: ScriptPlan) -> list[str]:
        """The facts ``script`` drops, named for a person (empty: all kept)."""
        texts = [t for s in script.scenes for t in (s.narration, s.headline)]
        folded = fold(" ".join(texts))
        said = {stem for text in texts for stem in content_stems(text)}
        numbers_said = set(_NUMBER.findall(folded))
        lost: list[str] = []
        if self.brand and fold(self.brand) not in folded:
            lost.append(f"brand '{self.brand}'")
        lost += [f"number '{n}'" for n in self.numbers if n not in numbers_said]
        lost += [f"key point '{p}'" for p in self.key_points if not point_present(p, said)]
        if self.call_to_action and not point_present(self.call_to_action, said):
            lost.append(f"call to action '{self.call_to_action}'")
        return lost


def brief_facts(analysis: BriefAnalysis) -> BriefFacts:
    cta = analysis.call_to_action if analysis.cta_explicit else None
    sources = [*analysis.key_points, cta or ""]
    numbers = tuple(dict.fromkeys(n for text in sources for n in _NUMBER.findall(fold(text))))
    return BriefFacts(analysis.brand, numbers, cta, tuple(analysis.key_points))
