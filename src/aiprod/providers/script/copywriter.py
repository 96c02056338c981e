"""The offline default: the rule-based copywriter of :mod:`aiprod.planner.script`."""

from __future__ import annotations

from aiprod.planner.script import write_script
from aiprod.providers.base import ProviderInfo
from aiprod.providers.script.base import ScriptRequest, ScriptResult


class CopywriterScript:
    info = ProviderInfo(
        name="copywriter",
        capability="script",
        languages=("en", "fr"),
        limits={"scenes": "3-40"},
        unit="call",
        licence="yours",
        offline_default=True,
    )

    def estimate_call(self, request: ScriptRequest, repair: tuple[str, str] | None) -> float:
        return 0.0

    def write(
        self, request: ScriptRequest, *, repair: tuple[str, str] | None = None
    ) -> ScriptResult:
        plan = write_script(
            request.analysis,
            target_words=request.target_words,
            min_scenes=request.min_scenes,
            max_scenes=request.max_scenes,
        )
        return ScriptResult(plan, None)
