"""Stock and generated pictures for the planned scenes that have none of their own.

For each planned scene whose picture the planner chose (an icon over a gradient; never a
picture, clip or background the user gave), the ``visuals_sources`` chains are tried in
order (stock: ``AIPROD_STOCK_PROVIDERS``, generated: ``AIPROD_GENERATED_PROVIDERS``); the
first picture found enters the spec exactly where a user's own asset would:

- a photo on a scene the planner laid out as a plain card (``benefit``, or a headline-only
  ``hook`` card) becomes that scene's picture (``illustration.path``) and the scene a
  ``product`` scene, unless a neighbour is one already: the design shows it sharp in its
  hero box over a blurred, darkened copy of itself (the ``asset_blur`` background);
- a photo on any other scene becomes its background (``ImageBackground``, a Ken Burns move,
  under the design's dark veil);
- a clip becomes the scene's ``VideoBackground`` (in a product scene's hero box over its
  blurred first frame, else full frame under the veil).

When the generated chain holds a provider that animates stills (Runway's ``image_to_video``)
and the budget allows, a still is brought to life instead of shown as is: a planned scene's
own picture (the user's, from the asset library; it is otherwise never replaced) and a stock
photo alike become a clip, the scene's ``VideoBackground``; the clip's provenance names the
still it was made from (``animated_from``), so the photographer is still credited. A failed
or unaffordable animation leaves the still where it was.

The end card keeps the brand's own look. A scene no provider serves keeps its icon and
gradient (the offline design), and the ledger says why. Every call, fallback, licence and
attribution is added to the spec's ``brief.providers`` (so to the manifest), beside the
script chain's record; ``visuals`` lists what each scene shows and whom to credit.
With no picture provider configured nothing changes and nothing is recorded.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

from aiprod.config import Settings
from aiprod.providers.base import Capability, Ledger, ProviderFailed
from aiprod.providers.registry import build_chain
from aiprod.providers.resilience import Budget, BudgetExhausted
from aiprod.providers.visual_base import (
    Animator,
    FetchedVisual,
    Media,
    VisualProvider,
    VisualRequest,
)
from aiprod.spec.model import (
    GradientBackground,
    Illustration,
    ImageBackground,
    Scene,
    VideoBackground,
    VideoSpec,
)

log = logging.getLogger(__name__)
CARD_LAYOUTS = frozenset({"benefit", "hook"})
SKIPPED_LAYOUTS = frozenset({"end_card"})
QUERY_WORDS = 4
STILL_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")  # what an animator is given
PROMPT_STYLE = (
    "Photographic background, no text, no letters, no logos, soft natural light, "
    "calm composition with room for a headline"
)


def wants_picture(scene: Scene) -> bool:
    """A planned scene whose picture is the planner's (an icon over a gradient)."""
    art = scene.illustration
    return (
        scene.role is not None
        and scene.layout not in SKIPPED_LAYOUTS
        and isinstance(scene.background, GradientBackground)
        and (art is None or art.path is None)
    )


def user_still(scene: Scene) -> Path | None:
    """A planned scene's own still picture (the user's) that a clip could bring to life."""
    art = scene.illustration
    if (
        scene.role is None
        or scene.layout in SKIPPED_LAYOUTS
        or not isinstance(scene.background, GradientBackground)
        or art is None
        or art.path is None
        or not art.path.lower().endswith(STILL_SUFFIXES)
    ):
        return None
    path = Path(art.path)
    return path if path.is_file() else None


def search_queries(scene: Scene) -> list[str]:
    """Short keyword queries for a stock search, most specific first (stock search engines
    match few words best): the first two usable keywords, then the first alone."""
    usable = []
    for keyword in [*scene.keywords, scene.title or ""]:
        words = keyword.split()
        if words and len(words) <= 3 and not re.search(r"[\d./@:]", keyword):
            usable.append(" ".join(words))
    if not usable:
        return []
    first_two = " ".join(dict.fromkeys(" ".join(usable[:2]).split()))
    queries = [" ".join(first_two.split()[:QUERY_WORDS]), usable[0]]
    return list(dict.fromkeys(queries))


def generation_prompt(scene: Scene) -> str:
    words = ", ".join(k for k in scene.keywords[:4] if k)
    about = f"{scene.title}. {words}" if scene.title else words
    return f"{about}. {PROMPT_STYLE}."


@dataclass
class _Chains:
    """The configured providers of each source, the budget, and who failed already."""

    entries: list[tuple[Capability, str, VisualProvider]]
    budget: Budget
    ledger: Ledger
    failed: set[str] = field(default_factory=set)

    def first_picture(self, request: VisualRequest, queries: list[str]) -> FetchedVisual | None:
        for capability, name, provider in self.entries:
            if name in self.failed:
                continue
            # a search needs words; a generator draws from the prompt (headline, keywords)
            tries = [q for q in queries if q] if capability == "stock" else queries[:1]
            for query in tries:
                asked = VisualRequest(request.scene, query, request.prompt, request.media,
                                      request.width, request.height, request.avoid)  # fmt: skip
                got = self._call(capability, name, provider, asked)
                if got is not None:
                    return got
                if name in self.failed:
                    break
        return None

    def animate(
        self, request: VisualRequest, image: Path, source: dict[str, object]
    ) -> FetchedVisual | None:
        """``image`` brought to life by the first animator still standing, or None."""
        animators = [
            (capability, name, provider)
            for capability, name, provider in self.entries
            if capability == "generated" and name not in self.failed
            and isinstance(provider, Animator)
        ]  # fmt: skip
        if not animators:
            return None
        capability, name, animator = animators[0]
        got = self._call(capability, name, animator, request,
                         lambda asked: animator.animate(asked, image))  # fmt: skip
        return None if got is None else replace(got, animated_from=source)

    def _call(
        self,
        capability: Capability,
        name: str,
        provider: VisualProvider,
        request: VisualRequest,
        run: Callable[[VisualRequest], FetchedVisual] | None = None,
    ) -> FetchedVisual | None:
        if provider.info.paid:
            try:
                self.budget.check(provider.estimate_call(request))
            except BudgetExhausted as why:
                self._fell_back(capability, name, "budget", str(why), request)
                return None
        try:
            got = (run or provider.fetch)(request)
        except ProviderFailed as failure:
            if failure.record is not None:
                self.ledger.add(failure.record)
                self.budget.charge(failure.record.actual or 0.0)
            self._fell_back(capability, name, failure.reason, failure.detail, request)
            return None
        self.ledger.add(got.record)
        self.budget.charge(got.record.actual if got.record.actual is not None else 0.0)
        return got

    def _fell_back(
        self, capability: str, name: str, reason: str, detail: str, request: VisualRequest
    ) -> None:
        if reason not in ("no_match", "invalid_media"):  # nothing for one query (or one odd
            # still to animate) is not the provider's fault
            self.failed.add(name)
        self.ledger.fell_back(capability, name, reason, f"scene {request.scene}: {detail}")
        log.warning("%s provider %s: %s (%s); trying the next", capability, name, reason, detail)


def _chains(spec: VideoSpec, settings: Settings, ledger: Ledger) -> _Chains:
    entries: list[tuple[Capability, str, VisualProvider]] = []
    for source in dict.fromkeys(settings.visuals_sources):
        capability = cast(Capability, source)
        for entry in build_chain(capability, settings):
            if entry.provider is not None:
                entries.append((capability, entry.name, cast(VisualProvider, entry.provider)))
    prior = (spec.brief.providers or {}).get("spent", 0.0) if spec.brief else 0.0
    spent = float(prior) if isinstance(prior, int | float) else 0.0
    return _Chains(entries, Budget(settings.provider_budget, spent=spent), ledger)


def fetch_scene_visuals(
    spec: VideoSpec, settings: Settings, ledger: Ledger, *, width: int, height: int
) -> VideoSpec:
    """``spec`` with stock or generated pictures on the planned scenes that have none (see
    the module docstring); unchanged when no picture provider is configured."""
    if spec.brief is None:
        return spec  # a hand-written spec's pictures are the user's choice
    chains = _chains(spec, settings, ledger)
    if not chains.entries:
        return spec
    scenes = list(spec.scenes)
    fetched: list[FetchedVisual] = []
    media: Media = settings.stock_media
    for index, scene in enumerate(scenes):
        clip_of = VisualRequest(index, scene.title or "", generation_prompt(scene), "video",
                                width, height)  # fmt: skip
        still = user_still(scene)
        if still is not None:  # the user's picture, brought to life or kept as it is
            clip = chains.animate(clip_of, still, {"provider": "user", "file": str(still)})
            if clip is not None:
                fetched.append(clip)
                shown = with_picture(scenes, index, clip)  # the clip replaces the still
                scenes[index] = shown.model_copy(update={"illustration": None})
            continue
        if not wants_picture(scene):
            continue
        queries = search_queries(scene)
        avoid = frozenset(_used_ids(fetched))
        request = VisualRequest(index, queries[0] if queries else "", generation_prompt(scene),
                                media, width, height, avoid)  # fmt: skip
        got = chains.first_picture(request, queries or [""])
        if got is None:
            ledger.fell_back("visuals", "design", "no_picture",
                             f"scene {index}: keeps the design's icon and gradient")  # fmt: skip
            continue
        if got.media == "photo" and got.record.capability == "stock":
            got = chains.animate(clip_of, got.path, got.provenance()) or got
        fetched.append(got)
        scenes[index] = with_picture(scenes, index, got)
    return _recorded(spec, scenes, ledger, fetched)


def _used_ids(fetched: list[FetchedVisual]) -> list[str]:
    """The pictures already on a scene, stills brought to life included."""
    ids = [f.source_id for f in fetched]
    return ids + [str(f.animated_from["id"]) for f in fetched if f.animated_from and
                  "id" in f.animated_from]  # fmt: skip


def with_picture(scenes: list[Scene], index: int, got: FetchedVisual) -> Scene:
    """The scene showing ``got`` the way it would show the user's own asset."""
    scene = scenes[index]
    before = scenes[index - 1].layout if index else None
    after = scenes[index + 1].layout if index + 1 < len(scenes) else None
    last = index == len(scenes) - 1
    hero = (
        scene.layout in CARD_LAYOUTS and index > 0 and not last and "product" not in (before, after)
    )
    path = str(got.path)
    update: dict[str, Any] = {}
    if hero:
        update["layout"] = "product"
    if got.media == "video":
        update["background"] = VideoBackground(path=path)
        if hero:
            update["illustration"] = None
    elif hero:
        update["illustration"] = Illustration(path=path)
    else:
        move = "zoom_in" if index % 2 == 0 else "zoom_out"
        update["background"] = ImageBackground(path=path, ken_burns=move)
    return scene.model_copy(update=update)


def _recorded(
    spec: VideoSpec, scenes: list[Scene], ledger: Ledger, fetched: list[FetchedVisual]
) -> VideoSpec:
    assert spec.brief is not None
    if not ledger.calls and not ledger.fallbacks:
        return spec
    record: dict[str, Any] = dict(spec.brief.providers or {})
    used = dict(record.get("used") or {})
    sources = [(got.record.capability, got.provider) for got in fetched]
    for got in fetched:
        still = got.animated_from or {}
        if "capability" in still:
            sources.append((str(still["capability"]), str(still["provider"])))
    for capability, provider in sources:
        names = [*used.get(capability, "").split(","), provider]
        used[capability] = ",".join(dict.fromkeys(n for n in names if n))
    prior = record.get("spent", 0.0)
    record.update(
        used=used,
        calls=[*record.get("calls", []), *(c.to_dict() for c in ledger.calls)],
        fallbacks=[*record.get("fallbacks", []), *ledger.fallbacks],
        spent=round((prior if isinstance(prior, int | float) else 0.0) + ledger.spent, 6),
        visuals=[got.provenance() for got in fetched],
    )
    brief = spec.brief.model_copy(update={"providers": record})
    return spec.model_copy(update={"scenes": scenes, "brief": brief})
