"""The script capability's interface and the storyboard a provider must return."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from aiprod.planner.brief import BriefAnalysis
from aiprod.planner.script import ScenePlan, ScriptPlan
from aiprod.providers.base import CallRecord, ProviderInfo

HEADLINE_MAX = 32
_TRAIL = " ,;:-–—."
_SFX: dict[str, list[Any]] = {
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

    role: Literal["hook", "point", "cta"]
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
    """What a script provider answers: hook first, key points, call to action last."""

    model_config = ConfigDict(extra="forbid")

    scenes: list[StoryboardScene] = Field(min_length=3, max_length=8)

    @model_validator(mode="after")
    def _shape(self) -> Storyboard:
        roles = [s.role for s in self.scenes]
        if roles[0] != "hook" or roles[-1] != "cta" or any(r != "point" for r in roles[1:-1]):
            raise ValueError(
                "scenes must be one 'hook', then 'point' scenes, then one 'cta' last; got "
                + ", ".join(roles)
            )
        return self

    def to_plan(self, analysis: BriefAnalysis, target_words: int) -> ScriptPlan:
        scenes = [
            ScenePlan(
                role=s.role,
                narration=s.narration,
                headline=s.headline,
                keywords=[k.strip() for k in s.keywords if k.strip()][:6],
                sfx_cues=list(_SFX[s.role]),
            )
            for s in self.scenes
        ]
        return ScriptPlan(scenes, analysis.language, analysis.mood, target_words)


def storyboard_schema() -> dict[str, Any]:
    """The storyboard's JSON Schema in the subset strict structured outputs accept (every
    property required, no extra properties, no string lengths: those are checked after)."""
    scene = {
        "type": "object",
        "properties": {
            "role": {"type": "string", "enum": ["hook", "point", "cta"]},
            "headline": {"type": "string", "description": "on-screen text, at most 32 chars"},
            "narration": {"type": "string", "description": "what the voice says"},
            "keywords": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["role", "headline", "narration", "keywords"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {"scenes": {"type": "array", "items": scene, "minItems": 3, "maxItems": 8}},
        "required": ["scenes"],
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
