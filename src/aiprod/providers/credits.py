"""A render's provider calls (ledger and budget) and the credits its sounds require.

The budget is per job: what the script chain already spent (``brief.providers.spent`` in
the spec) counts against ``AIPROD_PROVIDER_BUDGET`` before the music, sfx and vision
chains spend anything. Sounds under an attribution licence (CC-BY) are listed in
``credits.txt`` beside the video: title, author, URL, licence.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiprod.config import Settings
from aiprod.providers.base import Ledger
from aiprod.providers.resilience import Budget
from aiprod.spec.model import VideoSpec

CREDITS_NAME = "credits.txt"


@dataclass
class ProviderCalls:
    """The ledger and the budget of one render's media providers."""

    ledger: Ledger = field(default_factory=Ledger)
    budget: Budget = field(default_factory=lambda: Budget(None))

    @classmethod
    def for_job(cls, spec: VideoSpec, settings: Settings, *, spent: float = 0.0) -> ProviderCalls:
        script = spec.brief.providers if spec.brief and spec.brief.providers else {}
        already = script.get("spent", 0.0)
        budget = Budget(settings.provider_budget)
        budget.charge(spent + (already if isinstance(already, int | float) else 0.0))
        return cls(Ledger(), budget)

    def record(
        self, music: dict[str, Any] | None, effects: list[dict[str, Any]]
    ) -> dict[str, Any] | None:
        """The manifest's ``audio.providers``; None when no cloud provider was in play
        (the offline render's manifest is unchanged)."""
        if not self.ledger.calls and not self.ledger.fallbacks:
            used_cloud = music is not None and music.get("cache") == "hit"
            if not used_cloud and not any(str(e["source"]).startswith("freesound:")
                                          for e in effects):  # fmt: skip
                return None
        used: dict[str, str] = {}
        if music is not None:
            used["music"] = str(music.get("source"))
        sources = sorted({str(e["source"]).split(":")[0] for e in effects})
        if sources:
            used["sfx"] = ",".join(sources)
        return self.ledger.to_dict(used)


def credits_for(effects: Iterable[dict[str, Any]]) -> tuple[dict[str, Any], ...]:
    """Each credited sound once, in order of first use."""
    seen: dict[str, dict[str, Any]] = {}
    for effect in effects:
        credit = effect.get("attribution")
        if isinstance(credit, dict):
            seen.setdefault(str(credit.get("url")), credit)
    return tuple(seen.values())


def credits_text(credits: Iterable[dict[str, Any]], title: str | None = None) -> str:
    lines = [f"Credits{f' for {title}' if title else ''}", "", "Sound effects:"]
    for c in credits:
        lines.append(f'- "{c["title"]}" by {c["author"]} ({c["url"]}), '
                     f"licensed under {c['licence']} ({c['licence_url']})")  # fmt: skip
    return "\n".join(lines) + "\n"


def write_credits(
    out_dir: Path, credits: tuple[dict[str, Any], ...], title: str | None = None
) -> Path | None:
    """``credits.txt`` in ``out_dir`` when a sound needs a credit; None otherwise."""
    if not credits:
        return None
    path = out_dir / CREDITS_NAME
    path.write_text(credits_text(credits, title), encoding="utf-8")
    return path
