"""The interface shared by the ``stock`` and ``generated`` capabilities: a scene's picture.

A provider is asked for one picture (a photo or a clip) for one scene and answers with a
file in the data directory's cache plus its provenance (who made it, under which licence,
where it came from), or raises :class:`~aiprod.providers.base.ProviderFailed`. What the
file then becomes in the spec is the pipeline's business (``aiprod.pipeline.fetch_visuals``):
the same fields a user's own image or clip fills, so design and compose need no new branch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

from aiprod.providers.base import CallRecord, ProviderInfo

Media = Literal["photo", "video"]
Orientation = Literal["landscape", "portrait", "square"]
SQUARE_TOLERANCE = 0.1  # 1:1 within 10 %: a square frame


def orientation_for(width: int, height: int) -> Orientation:
    """The frame's orientation, as Pexels names it."""
    ratio = width / height
    if abs(ratio - 1.0) <= SQUARE_TOLERANCE:
        return "square"
    return "landscape" if ratio > 1 else "portrait"


@dataclass(frozen=True)
class VisualRequest:
    """One scene's picture: what to search (``query``, keywords) or draw (``prompt``)."""

    scene: int
    query: str
    prompt: str
    media: Media
    width: int
    height: int
    avoid: frozenset[str] = field(default_factory=frozenset)  # "pexels:123": used already

    @property
    def orientation(self) -> Orientation:
        return orientation_for(self.width, self.height)


@dataclass(frozen=True)
class FetchedVisual:
    """A picture in the cache and where it came from (never a key or a signed URL)."""

    path: Path
    media: Media
    provider: str
    source_id: str  # "<provider>:<id>": what ``VisualRequest.avoid`` holds
    licence: str
    record: CallRecord
    attribution: str | None = None
    page_url: str | None = None
    animated_from: dict[str, object] | None = None  # the still a clip was made from

    def provenance(self) -> dict[str, object]:
        out: dict[str, object] = {
            "scene": self.record.scene,
            "capability": self.record.capability,
            "provider": self.provider,
            "media": self.media,
            "id": self.source_id,
            "licence": self.licence,
            "file": str(self.path),
        }
        if self.attribution:
            out["attribution"] = self.attribution
        if self.page_url:
            out["page_url"] = self.page_url
        if self.animated_from:
            out["animated_from"] = self.animated_from
        return out


class VisualProvider(Protocol):
    info: ProviderInfo

    def estimate_call(self, request: VisualRequest) -> float:
        """The call's worst-case cost in the provider's currency, before making it."""
        ...

    def fetch(self, request: VisualRequest) -> FetchedVisual:
        """The picture for ``request``; raises ProviderFailed (``no_match`` when the
        provider has nothing for it)."""
        ...


@runtime_checkable
class Animator(VisualProvider, Protocol):
    """A generator that can also bring a still picture to life (Runway's image_to_video)."""

    def animate(self, request: VisualRequest, image: Path) -> FetchedVisual:
        """A clip of ``image`` moving, for ``request``'s scene and frame; raises
        ProviderFailed."""
        ...
