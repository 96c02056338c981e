"""One visual per scene: the user's own asset first, else an emoji, never the same twice in a row.

For each scene, in order:

1. an asset of the :class:`AssetLibrary` named by the scene's keywords (not the asset shown
   by the previous scene);
2. else the emoji of the first keyword that maps to one (not the previous scene's emoji);
3. else a fallback emoji: the fallbacks are tried from position ``scene index % len`` on, so
   scenes without any match still vary, and the previous scene's emoji is skipped.

The result depends only on the arguments (and the library's files): same input, same choices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from aiprod.visuals.emoji_map import match_emoji, same_emoji
from aiprod.visuals.library import AssetLibrary

DEFAULT_FALLBACK: tuple[str, ...] = ("✨", "⭐", "💡", "✅", "🎯")

VisualKind = Literal["emoji", "asset"]


@dataclass(frozen=True)
class VisualChoice:
    """The visual picked for one scene and why."""

    kind: VisualKind
    emoji: str | None
    path: str | None
    matched_keyword: str | None
    reason: str

    @property
    def identity(self) -> str:
        """What must differ between consecutive scenes: the asset path or the emoji."""
        if self.kind == "asset":
            return f"asset:{self.path}"
        return f"emoji:{(self.emoji or '').replace(chr(0xFE0F), '')}"


def _from_library(
    keywords: Sequence[str], library: AssetLibrary, previous: VisualChoice | None
) -> VisualChoice | None:
    exclude = [previous.path] if previous is not None and previous.path else []
    asset = library.find(keywords, exclude=exclude)
    if asset is None:
        return None
    keyword = next((k for k in keywords if asset.matches(k)), None)
    return VisualChoice(
        kind="asset",
        emoji=None,
        path=str(asset.path),
        matched_keyword=keyword,
        reason=f"library {asset.kind} '{asset.rel}' matches '{keyword}'",
    )


def _from_emoji(
    keywords: Sequence[str], language: str, previous: VisualChoice | None
) -> VisualChoice | None:
    exclude = [previous.emoji] if previous is not None and previous.emoji else []
    found = match_emoji(keywords, language, exclude=exclude)
    if found is None:
        return None
    return VisualChoice(
        kind="emoji",
        emoji=found.emoji,
        path=None,
        matched_keyword=found.keyword,
        reason=f"emoji for keyword '{found.keyword}' ({found.word})",
    )


def _fallback(
    index: int,
    keywords: Sequence[str],
    language: str,
    fallback: Sequence[str],
    previous: VisualChoice | None,
) -> VisualChoice:
    start = index % len(fallback)
    rotated = [*fallback[start:], *fallback[:start]]
    avoid = previous.emoji if previous is not None else None
    emoji = next(e for e in rotated if avoid is None or not same_emoji(e, avoid))
    repeated = match_emoji(keywords, language)
    why = (
        f"fallback: '{repeated.keyword}' -> {repeated.emoji} would repeat the previous scene"
        if repeated is not None
        else "fallback: no keyword matched"
    )
    return VisualChoice(kind="emoji", emoji=emoji, path=None, matched_keyword=None, reason=why)


def choose_visuals(
    scene_keywords: Sequence[Sequence[str]],
    *,
    language: str = "en",
    library: AssetLibrary | None = None,
    fallback: Sequence[str] = DEFAULT_FALLBACK,
) -> list[VisualChoice]:
    """One :class:`VisualChoice` per scene; consecutive scenes never share a visual.

    Raises ``ValueError`` if ``fallback`` holds fewer than two different emoji (with one,
    two scenes in a row without a match could not differ).
    """
    if len({e.replace("\ufe0f", "") for e in fallback}) < 2:
        raise ValueError("choose_visuals needs at least two different fallback emoji")
    choices: list[VisualChoice] = []
    previous: VisualChoice | None = None
    for index, raw in enumerate(scene_keywords):
        keywords = [raw] if isinstance(raw, str) else list(raw)
        choice = (
            (_from_library(keywords, library, previous) if library is not None else None)
            or _from_emoji(keywords, language, previous)
            or _fallback(index, keywords, language, fallback, previous)
        )
        choices.append(choice)
        previous = choice
    return choices
