"""A render's provider calls (ledger and budget) and the credits its sounds require.

The budget is per job: what the script chain already spent (``brief.providers.spent`` in
the spec) counts against ``AIPROD_PROVIDER_BUDGET`` before the music, sfx and vision
chains spend anything. Sounds under an attribution licence (CC-BY) are listed in
``credits.txt`` beside the video: title, author, URL, licence. So are the stock and
generated pictures and clips the video shows (the spec's ``brief.providers.visuals``, as the
manifest has them): Pexels and Pixabay do not require a credit but we give one
(photographer, page, licence), and a generated picture says what made it.
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


def picture_credits(spec: VideoSpec) -> tuple[str, ...]:
    """One credit line per stock or generated picture or clip a scene still shows, in scene
    order (a picture the studio has since replaced is not credited); never a file path."""
    record = spec.brief.providers if spec.brief and spec.brief.providers else {}
    visuals = record.get("visuals")
    if not isinstance(visuals, list):
        return ()
    shown = _shown_files(spec)
    lines: dict[str, str] = {}
    ordered = sorted((v for v in visuals if isinstance(v, dict)), key=_scene_of)
    for visual in ordered:
        if str(visual.get("file")) in shown:
            lines.setdefault(str(visual.get("id") or visual.get("file")), _picture_line(visual))
    return tuple(lines.values())


def _scene_of(visual: dict[str, Any]) -> int:
    scene = visual.get("scene")
    return scene if isinstance(scene, int) else 1 << 30


def _shown_files(spec: VideoSpec) -> set[str]:
    files = set()
    for scene in spec.scenes:
        if scene.illustration is not None and scene.illustration.path:
            files.add(scene.illustration.path)
        path = getattr(scene.background, "path", None)
        if isinstance(path, str):
            files.add(path)
    return files


def _picture_line(visual: dict[str, Any]) -> str:
    scene = visual.get("scene")
    where = f"Scene {int(scene) + 1}: " if isinstance(scene, int) else ""
    source = visual.get("animated_from")
    if isinstance(source, dict):
        still = "your picture" if source.get("provider") == "user" else _made(source)
        made = _made(visual).replace("Generated with", "animated with")
        return f"- {where}{still}; {made}"
    return f"- {where}{_made(visual)}"


def _made(visual: dict[str, Any]) -> str:
    """Who made it, where it is, under which licence: "Photo by X on Pexels (URL), licensed
    under the Pexels License (…)"."""
    said = str(visual.get("attribution") or f"From {visual.get('provider', 'a provider')}")
    if visual.get("page_url"):
        said += f" ({visual['page_url']})"
    if visual.get("licence"):
        said += f", licence: {visual['licence']}"
    return said


def credits_text(
    credits: Iterable[dict[str, Any]], title: str | None = None, pictures: Iterable[str] = ()
) -> str:
    lines = [f"Credits{f' for {title}' if title else ''}"]
    sounds = [f'- "{c["title"]}" by {c["author"]} ({c["url"]}), '
              f"licensed under {c['licence']} ({c['licence_url']})" for c in credits]  # fmt: skip
    if sounds:
        lines += ["", "Sound effects:", *sounds]
    shown = list(pictures)
    if shown:
        lines += ["", "Pictures and clips:", *shown]
    return "\n".join(lines) + "\n"


def write_credits(
    out_dir: Path,
    credits: tuple[dict[str, Any], ...],
    title: str | None = None,
    pictures: tuple[str, ...] = (),
) -> Path | None:
    """``credits.txt`` in ``out_dir`` when a sound or a picture needs a credit; None
    otherwise."""
    if not credits and not pictures:
        return None
    path = out_dir / CREDITS_NAME
    path.write_text(credits_text(credits, title, pictures), encoding="utf-8")
    return path
