"""What every provider declares, whatever its capability, and what a call leaves behind.

One interface per capability (``script`` today; voice, music, sfx, stock, generated and
vision follow the same pattern): a provider is an object with an ``info`` attribute
(:class:`ProviderInfo`) and the capability's own method. The registry
(:mod:`aiprod.providers.registry`) builds the capability's fallback chain from settings;
each call made through the chain is a :class:`CallRecord` in a :class:`Ledger`, which the
planner writes into the spec (and so into the manifest).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol

Capability = Literal["script", "voice", "music", "sfx", "stock", "generated", "vision"]
CAPABILITIES: tuple[Capability, ...] = (
    "script",
    "voice",
    "music",
    "sfx",
    "stock",
    "generated",
    "vision",
)


@dataclass(frozen=True)
class ProviderInfo:
    """A provider's declaration: what it can do, what it costs, what its output may be used for.

    Attributes:
        name: the name the capability's chain setting uses (``openai_compatible``).
        capability: what it provides.
        languages: BCP-47 prefixes it handles; empty means any language.
        limits: human-readable limits (``{"max_scenes": 8}``, ``{"context_tokens": 8192}``).
        unit: what the price is per (``1k_tokens``, ``character``, ``second``, ``call``).
        price_per_unit: list price of one unit in ``currency`` (0: free or local); for
            language models, of input (prompt) tokens.
        output_price_per_unit: list price of one unit of output (completion tokens).
        currency: ISO 4217 code of the price.
        licence: who may use the output and how (``"yours (provider terms)"``, ``CC-BY-4.0``).
        needs_network: True when a call leaves this machine.
        offline_default: True for the capability's always-available local provider.
        configured: what it is set up to use, for listings (``gpt-4o-mini at https://…``);
            never a secret.
    """

    name: str
    capability: Capability
    languages: tuple[str, ...] = ()
    limits: dict[str, Any] = field(default_factory=dict)
    unit: str = "call"
    price_per_unit: float = 0.0
    output_price_per_unit: float = 0.0
    currency: str = "USD"
    licence: str = "yours"
    needs_network: bool = False
    offline_default: bool = False
    configured: str | None = None

    @property
    def paid(self) -> bool:
        return self.price_per_unit > 0 or self.output_price_per_unit > 0

    def speaks(self, language: str) -> bool:
        prefix = re.split(r"[-_]", language, maxsplit=1)[0].lower()
        return not self.languages or prefix in self.languages


class Provider(Protocol):
    """What the registry and the chain need from any provider."""

    info: ProviderInfo


class ProviderFailed(Exception):
    """A provider could not deliver; the chain moves on to the next one.

    ``reason`` is a short machine-friendly word (``timeout``, ``http_429``, ``invalid_output``,
    ``facts_missing``, ``circuit_open``, ``budget``, ``no_match``, ``too_large``); ``detail``
    is one line for people. Neither may contain a secret: providers redact their keys first.
    """

    def __init__(
        self,
        reason: str,
        detail: str,
        *,
        record: CallRecord | None = None,
        answer: str | None = None,
    ) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.record = record
        self.answer = answer  # the refused output, for a repair request


@dataclass
class CallRecord:
    """One call to a provider: the cost ledger's line and the output's provenance."""

    capability: str
    provider: str
    model: str | None = None
    request_id: str | None = None
    status: str = "ok"
    attempts: int = 0
    seconds: float = 0.0
    estimate: float = 0.0
    actual: float | None = None
    currency: str = "USD"
    units: dict[str, int] = field(default_factory=dict)
    price_per_unit: dict[str, float] | None = None  # list price per unit of ``units``
    licence: str | None = None
    detail: str | None = None
    scene: int | None = None  # the scene a picture was fetched for
    attribution: str | None = None  # the credit the licence asks for ("Photo by X on Pexels")

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, {})}


@dataclass
class Ledger:
    """Every provider call of one job, and every step down a chain, in order."""

    calls: list[CallRecord] = field(default_factory=list)
    fallbacks: list[dict[str, str]] = field(default_factory=list)

    def add(self, record: CallRecord) -> None:
        self.calls.append(record)

    def fell_back(self, capability: str, provider: str, reason: str, detail: str) -> None:
        self.fallbacks.append(
            {"capability": capability, "provider": provider, "reason": reason, "detail": detail}
        )

    @property
    def spent(self) -> float:
        return sum(c.actual if c.actual is not None else c.estimate for c in self.calls)

    def to_dict(self, used: dict[str, str] | None = None) -> dict[str, Any]:
        return {
            "used": dict(used or {}),
            "calls": [c.to_dict() for c in self.calls],
            "fallbacks": list(self.fallbacks),
            "spent": round(self.spent, 6),
        }
