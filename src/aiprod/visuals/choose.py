"""One picture per scene: the user's own asset first, else the icon nearest in meaning; never
the same twice in a row.

For each scene, in order:

1. an asset of the :class:`AssetLibrary` named by the scene's keywords (not the asset shown
   by the previous scene): the user's own pictures win whenever they match;
2. else the icon of the bundled set whose description is nearest to the scene's line (its
   headline and narration), in English or French (see :mod:`aiprod.visuals.icon_index`),
   skipping the previous scene's icon.

The result depends only on the arguments, the library's files and the fixed model: same input,
same choices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from aiprod.visuals.icon_index import IconIndex, Vectors, icon_index
from aiprod.visuals.library import AssetLibrary

VisualKind = Literal["icon", "asset"]
MAX_LINE_CHARS = 300  # what is embedded of a scene's line (the model reads 512 tokens at most)


@dataclass(frozen=True)
class VisualChoice:
    """The picture picked for one scene and why."""

    kind: VisualKind
    icon: str | None
    path: str | None
    matched_keyword: str | None
    score: float | None  # the icon's similarity to the scene line (None for assets)
    reason: str

    @property
    def identity(self) -> str:
        """What must differ between consecutive scenes: the asset path or the icon."""
        return f"asset:{self.path}" if self.kind == "asset" else f"icon:{self.icon}"


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
        icon=None,
        path=str(asset.path),
        matched_keyword=keyword,
        score=None,
        reason=f"library {asset.kind} '{asset.rel}' matches '{keyword}'",
    )


def _from_icons(
    line: str, row: Vectors, index: IconIndex, previous: VisualChoice | None
) -> VisualChoice:
    exclude = {previous.icon} if previous is not None and previous.icon else set()
    ranked = index.ranked(row, k=2)
    best = next(match for match in ranked if match.name not in exclude)
    why = f"icon nearest in meaning to '{line[:60]}' ({best.score:.3f})"
    if best is not ranked[0]:
        why += f"; '{ranked[0].name}' would repeat the previous scene"
    return VisualChoice(
        kind="icon", icon=best.name, path=None, matched_keyword=None, score=best.score, reason=why
    )


def scene_line(headline: str | None, narration: str | None, *about: str) -> str:
    """What a scene is about, as one line to embed: its headline, its narration, then
    ``about`` (what the product is, for a scene that only names the brand)."""
    parts = [p.strip() for p in (headline or "", narration or "", *about) if p and p.strip()]
    if len(parts) >= 2 and parts[1].casefold().startswith(parts[0].casefold()):
        parts = parts[1:]  # the narration already says the headline
    ended = [p if p.endswith((".", "!", "?", "…")) else f"{p}." for p in parts]
    return " ".join(ended)[:MAX_LINE_CHARS]


def choose_visuals(
    scene_lines: Sequence[str],
    scene_keywords: Sequence[Sequence[str]] | None = None,
    *,
    library: AssetLibrary | None = None,
    index: IconIndex | None = None,
) -> list[VisualChoice]:
    """One :class:`VisualChoice` per scene line; consecutive scenes never share a picture.

    ``scene_keywords`` (one list per scene) name the user's assets; without them, a scene's
    line is its one keyword. ``index`` defaults to the bundled icon set.
    """
    keywords = scene_keywords if scene_keywords is not None else [[line] for line in scene_lines]
    if len(keywords) != len(scene_lines):
        raise ValueError("one keyword list per scene line is needed")
    if not scene_lines:
        return []
    index = index or icon_index()
    words = [[raw] if isinstance(raw, str) else list(raw) for raw in keywords]
    lines = [line or " ".join(terms) for line, terms in zip(scene_lines, words, strict=True)]
    scores = index.scores(lines)  # one batch: faster than a line at a time
    choices: list[VisualChoice] = []
    previous: VisualChoice | None = None
    for line, row, terms in zip(lines, scores, words, strict=True):
        found = _from_library(terms, library, previous) if library is not None else None
        choice = found or _from_icons(line, row, index, previous)
        choices.append(choice)
        previous = choice
    return choices
