"""Run the script capability's fallback chain for one plan.

For each provider in order (``AIPROD_SCRIPT_PROVIDERS``; the copywriter always last):
skip it if not configured, if its circuit is open, or if its cost estimate does not fit the
job's budget; call it; an answer that is not a valid storyboard, or that drops the brief's
facts, is sent back once with the reason (repair); what still fails moves on to the next
provider. Every call and every step down the chain is recorded in the ledger, which the
plan writes into the spec's ``brief.providers`` (so the manifest carries it).

With no provider configured but the copywriter, nothing is recorded: the offline plan is
exactly what it was before providers existed.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any, cast

from aiprod.config import Settings
from aiprod.planner.brief import BriefAnalysis
from aiprod.planner.script import ScriptPlan
from aiprod.providers.base import Ledger, ProviderFailed
from aiprod.providers.registry import build_chain
from aiprod.providers.resilience import Budget, BudgetExhausted
from aiprod.providers.script.base import (
    ScriptProvider,
    ScriptRequest,
    ScriptResult,
    Storyboard,
)
from aiprod.providers.script.facts import brief_facts

log = logging.getLogger(__name__)


class ScriptWriter:
    """``writer(analysis, target_words=n)`` -> ScriptPlan, through the chain; one per plan."""

    def __init__(self, brief: str, settings: Settings) -> None:
        self.brief = brief
        self.settings = settings
        self.ledger = Ledger()
        self.budget = Budget(settings.provider_budget)
        self.entries = build_chain("script", settings)
        self.failed: dict[str, str] = {}  # provider -> reason: not asked again in this plan
        self.warnings: list[str] = []
        self.used: str | None = None

    @property
    def active(self) -> bool:
        """True when a provider besides the offline default is configured."""
        return any(
            e.provider is not None and not e.provider.info.offline_default for e in self.entries
        )

    def __call__(self, analysis: BriefAnalysis, *, target_words: int) -> ScriptPlan:
        request = ScriptRequest(self.brief, analysis, max(1, int(target_words)))
        for entry in self.entries:
            provider = entry.provider
            if provider is None:
                continue  # not configured: silent (nothing was asked of it)
            if entry.name in self.failed:
                continue
            if not provider.info.speaks(analysis.language):
                self._fell_back(entry.name, "language", f"does not write '{analysis.language}'")
                continue
            plan = self._try(entry.name, cast(ScriptProvider, provider), request)
            if plan is not None:
                self.used = entry.name
                return self._with_record(plan)
        raise AssertionError("the copywriter closes every script chain")  # pragma: no cover

    def _try(
        self, name: str, provider: ScriptProvider, request: ScriptRequest
    ) -> ScriptPlan | None:
        facts = brief_facts(request.analysis)
        repair: tuple[str, str] | None = None
        for _ in range(2):  # the first answer, then one repair
            try:
                result = self._call(provider, request, repair)
            except ProviderFailed as failure:
                if failure.reason == "invalid_output" and failure.answer and repair is None:
                    repair = (failure.answer, failure.detail)
                    continue
                self._fell_back(name, failure.reason, failure.detail)
                return None
            if provider.info.offline_default:
                return result.plan
            lost = facts.missing(result.plan)
            if not lost:
                return result.plan
            reason = "the storyboard drops " + ", ".join(lost)
            if self.settings.llm_fact_check == "warn":
                self.warnings.append(reason)
                return result.plan
            if repair is None:
                repair = (_answer_json(result), reason)
                if result.record is not None:
                    result.record.status = "facts_missing"
                continue
            self._fell_back(name, "facts_missing", reason)
            return None
        self._fell_back(name, "invalid_output", repair[1] if repair else "no valid answer")
        return None

    def _call(
        self, provider: ScriptProvider, request: ScriptRequest, repair: tuple[str, str] | None
    ) -> ScriptResult:
        info = provider.info
        if info.paid:
            try:
                self.budget.check(provider.estimate_call(request, repair))
            except BudgetExhausted as why:
                raise ProviderFailed("budget", str(why)) from None
        try:
            result = provider.write(request, repair=repair)
        except ProviderFailed as failure:
            if failure.record is not None:
                self.ledger.add(failure.record)
                self.budget.charge(failure.record.actual or 0.0)
            raise
        if result.record is not None:
            self.ledger.add(result.record)
            self.budget.charge(result.record.actual or result.record.estimate)
        return result

    def _fell_back(self, name: str, reason: str, detail: str) -> None:
        self.failed[name] = reason
        self.ledger.fell_back("script", name, reason, detail)
        log.warning("script provider %s failed (%s): %s; trying the next", name, reason, detail)

    def record(self) -> dict[str, Any] | None:
        """What goes into the spec's ``brief.providers``; None when only the offline
        default was ever in play (so the offline plan is unchanged)."""
        if not self.ledger.calls and not self.ledger.fallbacks:
            return None
        out = self.ledger.to_dict({"script": self.used} if self.used else None)
        if self.warnings:
            out["warnings"] = list(self.warnings)
        return out

    def _with_record(self, plan: ScriptPlan) -> ScriptPlan:
        record = self.record()
        return replace(plan, provenance=record) if record is not None else plan


def _answer_json(result: ScriptResult) -> str:
    return Storyboard.from_plan(result.plan).model_dump_json()


def script_writer(brief: str, settings: Settings) -> ScriptWriter:
    """The script chain for one plan (call it for each draft of the script)."""
    return ScriptWriter(brief, settings)
