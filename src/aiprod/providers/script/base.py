"""The script capability's interface and the storyboard a provider must return."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator

from aiprod.planner.brief import BriefAnalysis
from aiprod.planner.compose import SceneRole
from aiprod.planner.script import ScenePlan, ScriptPlan
from aiprod.providers.base import CallRecord, ProviderInfo

HEADLINE_MAX = 32
MAX_POINTS = 6
_TRAIL = " ,;:-–—."
_SFX: dict[SceneRole, list[Any]] = {
    "hook": ["pop"],
    "point": ["whoosh", "pop"],
    "cta": ["riser", "whoosh", "impact"],
}


def fit_headline(text: str) -> str:
    """One line of at most 32 characters, no trailing period: cut at a word boundary."""
    line = " ".join(text.split()).rstrip(".").strip()
    if len(line) <= HEADLINE_MAX:
        return line
    kept = ""
    for word in line.split(" "):
        longer = f"{kept} {word}".strip()
        if len(longer.rstrip(_TRAIL)) > HEADLINE_MAX:
            break
        kept = longer
    return (kept or line[:HEADLINE_MAX]).rstrip(_TRAIL)


class StoryboardScene(BaseModel):
    model_config = ConfigDict(extra="forbid")

    headline: str = Field(min_length=1, max_length=HEADLINE_MAX)
    narration: str = Field(min_length=3, max_length=600)
    keywords: list[str] = Field(default_factory=list, max_length=8)

    @field_validator("headline", mode="before")
    @classmethod
    def _fit(cls, value: Any) -> Any:
        return fit_headline(value) if isinstance(value, str) else value

    @field_validator("narration")
    @classmethod
    def _spoken(cls, value: str) -> str:
        text = " ".join(value.split())
        if not re.search(r"\w", text):
            raise ValueError("narration has no words")
        if re.search(r"[<>{}\[\]]|https?://", text):
            raise ValueError("narration must be plain spoken text (no markup or URLs)")
        return text


class Storyboard(BaseModel):
    """What a script provider answers: the hook, the key points' scenes, the call to action.

    The order is in the structure (not in a ``role`` field a model could misplace), so a
    grammar-constrained server can only produce it in order.
    """

    model_config = ConfigDict(extra="forbid")

    hook: StoryboardScene
    points: list[StoryboardScene] = Field(min_length=1, max_length=MAX_POINTS)
    cta: StoryboardScene

    def scenes(self) -> list[tuple[SceneRole, StoryboardScene]]:
        return [("hook", self.hook), *(("point", p) for p in self.points), ("cta", self.cta)]

    def to_plan(self, analysis: BriefAnalysis, target_words: int) -> ScriptPlan:
        scenes = [
            ScenePlan(
                role=role,
                narration=s.narration,
                headline=s.headline,
                keywords=[k.strip() for k in s.keywords if k.strip()][:6],
                sfx_cues=list(_SFX[role]),
            )
            for role, s in self.scenes()
        ]
        return ScriptPlan(scenes, analysis.language, analysis.mood, target_words)

    @classmethod
    def from_plan(cls, plan: ScriptPlan) -> Storyboard:
        def scene(s: ScenePlan) -> StoryboardScene:
            return StoryboardScene(headline=s.headline, narration=s.narration, keywords=s.keywords)

        return cls(
            hook=scene(plan.scenes[0]),
            points=[scene(s) for s in plan.scenes[1:-1]],
            cta=scene(plan.scenes[-1]),
        )


def storyboard_schema(*, lengths: bool = False) -> dict[str, Any]:
    """The storyboard's JSON Schema in the subset strict structured outputs accept (every
    property required, no extra properties, no string lengths: those are checked after).

    ``lengths`` adds string lengths, for servers that turn the schema into a grammar
    (llama.cpp's ``json_object`` + schema): a small model then cannot leave a line empty.
    """
    headline: dict[str, Any] = {"type": "string"}
    narration: dict[str, Any] = {"type": "string"}
    if lengths:
        headline |= {"minLength": 2, "maxLength": HEADLINE_MAX}
        narration |= {"minLength": 12, "maxLength": 400}
    scene = {
        "type": "object",
        "properties": {
            "headline": headline,
            "narration": narration,
            "keywords": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["headline", "narration", "keywords"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {
            "hook": scene,
            "points": {"type": "array", "items": scene, "minItems": 1, "maxItems": MAX_POINTS},
            "cta": scene,
        },
        "required": ["hook", "points", "cta"],
        "additionalProperties": False,
    }


@dataclass(frozen=True)
class ScriptRequest:
    """What a script provider is asked for."""

    brief: str
    analysis: BriefAnalysis
    target_words: int
    min_scenes: int = 3
    max_scenes: int = 8


@dataclass(frozen=True)
class ScriptResult:
    plan: ScriptPlan
    record: CallRecord | None  # None for free local providers


class ScriptProvider(Protocol):
    info: ProviderInfo

    def estimate_call(self, request: ScriptRequest, repair: tuple[str, str] | None) -> float:
        """The call's worst-case cost in the provider's currency, before making it."""
        ...

    def write(
        self, request: ScriptRequest, *, repair: tuple[str, str] | None = None
    ) -> ScriptResult:
        """The script for ``request``; ``repair`` is (the refused answer, why it was
        refused): the provider asks again with it. Raises ProviderFailed."""
        ...
