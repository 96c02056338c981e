"""Stock photos in the storyboard's picture search, where a stock library (Pexels, Pixabay:
``AIPROD_STOCK_PROVIDERS`` with their keys) is configured.

*Search stock photos* on a card searches the configured libraries for the words typed in
the card's picture box, through the same providers the planner uses (answers cached a
day). The browser never loads a vendor's address (the studio's policy allows pictures of
its own origin only, and the studio may run offline): the server downloads each result's
preview (Pexels' ``medium`` rendition, Pixabay's ``webformatURL``; the full file where a
result has none) into the visuals cache (content-addressed, size-capped, decoded before
it is kept, as a plan's pictures are) and the card shows it from
``/studio/visuals/<file>``, with its credit; only the photo picked is downloaded in full.
Picking one and saving sets the scene's ``illustration.path`` to that cached file (one of
the media roots a manifest may name) through the manifest API's service, and adds
its provenance and credit to the plan's ``brief.providers.visuals``, as the planner does.
The chosen result is found again by its id in the (cached) search answer, so the form
never carries an address for the server to fetch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from aiprod.config import Settings
from aiprod.errors import NotFound
from aiprod.providers.base import ProviderFailed
from aiprod.providers.http_media import IMAGE_TYPES, MediaCache
from aiprod.providers.registry import build_chain
from aiprod.providers.stock.base import StockLibrary
from aiprod.providers.visual_base import FetchedVisual, VisualRequest

MAX_RESULTS: Final = 6
MAX_QUERY_CHARS: Final = 80
FILE_NAME: Final = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp)$")
MEDIA_TYPES: Final = {suffix: kind for kind, suffix in IMAGE_TYPES.items()}


@dataclass(frozen=True)
class StockChoice:
    """One stock photo offered on a card: its id, its address in the studio, its credit."""

    source_id: str
    thumbnail: str
    credit: str


@dataclass
class StockSearch:
    """A card's search: what was asked, what was found, and why nothing was."""

    query: str
    choices: list[StockChoice]
    message: str = ""


def libraries(settings: Settings) -> list[StockLibrary]:
    """The configured stock libraries, in the chain's order ([] when none is)."""
    chain = build_chain("stock", settings)
    return [entry.provider for entry in chain if isinstance(entry.provider, StockLibrary)]


def files_dir(settings: Settings) -> Path:
    """Where the visuals cache keeps its (content-addressed) files."""
    return MediaCache(settings.cache_dir).root / "files"


def visual_url(settings: Settings, path: str) -> str:
    """A cached stock or generated picture's address in the studio; '' for any other file."""
    candidate = Path(path)
    if candidate.parent != files_dir(settings) or not FILE_NAME.fullmatch(candidate.name):
        return ""
    return f"/studio/visuals/{candidate.name}"


def visual_file(settings: Settings, name: str) -> tuple[Path, str]:
    """The cached picture called ``name`` and its Content-Type; NotFound otherwise."""
    path = files_dir(settings) / name
    if not FILE_NAME.fullmatch(name) or not path.is_file():
        raise NotFound(f"no picture {name[:80]!r}")
    return path, MEDIA_TYPES[path.suffix]


def _request(query: str, scene: int, size: tuple[int, int]) -> VisualRequest:
    return VisualRequest(
        scene=scene, query=query, prompt=query, media="photo", width=size[0], height=size[1]
    )


def search(settings: Settings, query: str, *, scene: int, size: tuple[int, int]) -> StockSearch:
    """Up to :data:`MAX_RESULTS` photos for ``query``, each downloaded into the cache (the
    libraries in order; a library that fails is said, the next one tried)."""
    query = " ".join(query.split())[:MAX_QUERY_CHARS]
    found = StockSearch(query=query, choices=[])
    if not query:
        found.message = "Type a few words in the picture box, then search."
        return found
    request = _request(query, scene, size)
    failures = []
    for library in libraries(settings):
        try:
            candidates = library.browse(request)
        except ProviderFailed as failed:
            failures.append(f"{library.info.name} did not answer ({failed.reason})")
            continue
        for candidate in candidates:
            if len(found.choices) >= MAX_RESULTS:
                break
            try:
                preview = library.preview(candidate, request)
            except ProviderFailed:
                continue  # a file we would not take: the next result
            credit = candidate.attribution or f"from {library.info.name}"
            url = visual_url(settings, str(preview))
            if url:
                found.choices.append(StockChoice(candidate.source_id, url, credit))
        if len(found.choices) >= MAX_RESULTS:
            break
    if not found.choices:
        said = "; ".join(failures)
        found.message = f"No stock photo found for “{query}”" + (f": {said}." if said else ".")
    return found


def pick(
    settings: Settings, source_id: str, query: str, *, scene: int, size: tuple[int, int]
) -> FetchedVisual:
    """The photo ``source_id`` of the search for ``query``, downloaded into the cache;
    ProviderFailed when that search no longer offers it."""
    query = " ".join(query.split())[:MAX_QUERY_CHARS]
    name = source_id.split(":", 1)[0]
    request = _request(query, scene, size)
    for library in libraries(settings):
        if library.info.name != name:
            continue
        for candidate in library.browse(request):
            if candidate.source_id == source_id:
                return library.take(candidate, request)
    raise ProviderFailed("no_match", "that photo is no longer offered: search again")


def frame_size(manifest: dict[str, Any]) -> tuple[int, int]:
    """The plan's frame (the orientation stock searches ask for); 1080x1920 if unsaid."""
    width, height = manifest.get("width"), manifest.get("height")
    if isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0:
        return width, height
    return 1080, 1920
