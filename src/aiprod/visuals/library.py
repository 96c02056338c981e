"""The user's own images and clips, found by keywords.

An :class:`AssetLibrary` scans a folder once (lazily) for images (png, jpg, jpeg, webp) and
clips (mp4, mov, webm). Each asset is described by terms taken from:

* a sidecar file ``<file>.json`` next to it (``photo.jpg.json`` or ``photo.json``) holding
  ``{"tags": ["coffee", "morning"]}``;
* a folder-wide ``library.json`` (in the file's folder or any folder above it, up to the
  root) mapping file paths relative to that folder to tags:
  ``{"photo.jpg": ["coffee"]}`` or ``{"photo.jpg": {"tags": ["coffee"]}}``;
* the words of its file name and of the folders between the root and it.

Symlinked files count only if they resolve inside the root; symlinked folders are not
followed; hidden files and folders are skipped. Matching uses the same normalisation as the
emoji map (accents, plurals).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from aiprod.visuals.text import normalise, word_forms
from aiprod.visuals.words_stop import STOPWORDS

_LOGGER = logging.getLogger(__name__)
IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".webp"})
VIDEO_EXTENSIONS = frozenset({".mp4", ".mov", ".webm"})
LIBRARY_FILE = "library.json"
_MAX_JSON_BYTES = 1_000_000

AssetKind = Literal["image", "video"]


@dataclass(frozen=True)
class Asset:
    """One usable file of the library and the terms it is known by."""

    path: Path  # root / rel, as found (not resolved)
    rel: str  # POSIX path relative to the root: the stable name used for ordering
    kind: AssetKind
    tags: tuple[str, ...]  # normalised tags from JSON, in file order
    terms: frozenset[str]  # every normalised tag, word and singular form

    def matches(self, keyword: str) -> bool:
        """True if ``keyword`` (a word or phrase) names this asset."""
        phrase = normalise(keyword)
        if not phrase:
            return False
        if phrase in self.tags:
            return True
        words = _meaningful(phrase.split())
        return any(form in self.terms for word in words for form in word_forms(word))


def _inside(path: Path, root: Path) -> bool:
    """True if ``path`` (symlinks followed) stays inside the resolved ``root``."""
    try:
        return path.resolve(strict=True).is_relative_to(root)
    except (OSError, RuntimeError):  # dangling link, permission, symlink loop
        return False


def _read_json(path: Path, root: Path) -> object:
    """The JSON document at ``path`` or None if missing, outside root, too big or invalid."""
    if not path.is_file() or not _inside(path, root):
        return None
    try:
        if path.stat().st_size > _MAX_JSON_BYTES:
            raise ValueError("file too large")
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        _LOGGER.warning("ignoring asset tags in %s: %s", path, exc)
        return None


def _tag_list(value: object) -> list[str]:
    """Tags from ``["a", "b"]`` or ``{"tags": ["a", "b"]}``; anything else gives none."""
    if isinstance(value, dict):
        value = value.get("tags")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    return [tag for tag in value if isinstance(tag, str)]


def _folder_tags(folder: Path, root: Path) -> dict[str, list[str]]:
    """The ``library.json`` of ``folder``: relative POSIX file name -> tags."""
    document = _read_json(folder / LIBRARY_FILE, root)
    if not isinstance(document, dict):
        return {}
    return {str(key).strip("/"): _tag_list(value) for key, value in document.items()}


def _meaningful(words: Iterable[str]) -> Iterator[str]:
    """Words that can name something: no function words, single letters or bare numbers."""
    return (w for w in words if len(w) > 1 and not w.isdigit() and w not in STOPWORDS)


def _terms(tags: Sequence[str], rel: str) -> frozenset[str]:
    """Every word of the tags and of the relative path (extension dropped), with singulars."""
    words = [word for tag in tags for word in tag.split()]
    words += normalise(rel.rsplit(".", 1)[0]).split()
    forms = (form for word in _meaningful(words) for form in word_forms(word))
    return frozenset(forms) | frozenset(tags)


class AssetLibrary:
    """A folder of user images and clips, scanned once and searched by keywords."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._assets: tuple[Asset, ...] | None = None

    @property
    def assets(self) -> tuple[Asset, ...]:
        """Every asset of the library, sorted by relative path (scanned on first use)."""
        if self._assets is None:
            self._assets = tuple(sorted(self._scan(), key=lambda asset: asset.rel))
        return self._assets

    def refresh(self) -> None:
        """Forget the cached scan; the next search scans the folder again."""
        self._assets = None

    def _scan(self) -> Iterator[Asset]:
        if not self.root.is_dir():
            return
        root = self.root.resolve()
        shared: dict[Path, dict[str, list[str]]] = {}
        for folder, dirs, files in os.walk(self.root, followlinks=False):
            here = Path(folder)
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            shared[here] = _folder_tags(here, root)
            for name in sorted(files):
                asset = self._asset(here / name, root, shared)
                if asset is not None:
                    yield asset

    def _shared_tags(self, path: Path, shared: dict[Path, dict[str, list[str]]]) -> list[str]:
        """Tags given to ``path`` by the ``library.json`` of its folder or any folder above."""
        tags: list[str] = []
        for folder in [path.parent, *path.parent.parents]:
            tags += shared.get(folder, {}).get(path.relative_to(folder).as_posix(), [])
            if folder == self.root:
                break
        return tags

    def _asset(
        self, path: Path, root: Path, shared: dict[Path, dict[str, list[str]]]
    ) -> Asset | None:
        """The asset for one file, or None if it is not usable media inside the root."""
        suffix = path.suffix.casefold()
        if path.name.startswith(".") or suffix not in IMAGE_EXTENSIONS | VIDEO_EXTENSIONS:
            return None
        if not _inside(path, root) or not path.resolve().is_file():
            return None
        raw = self._shared_tags(path, shared)
        for sidecar in (path.with_name(path.name + ".json"), path.with_suffix(".json")):
            raw += _tag_list(_read_json(sidecar, root))
        tags = tuple(dict.fromkeys(tag for tag in map(normalise, raw) if tag))
        rel = path.relative_to(self.root).as_posix()
        kind: AssetKind = "image" if suffix in IMAGE_EXTENSIONS else "video"
        return Asset(path=path, rel=rel, kind=kind, tags=tags, terms=_terms(tags, rel))

    def find(self, keywords: Sequence[str], *, exclude: Collection[str] = ()) -> Asset | None:
        """The asset named by the most keywords (ties: first by relative path), or None.

        ``exclude`` holds paths (absolute as in :attr:`Asset.path`, or relative) to skip.
        """
        wanted = list(dict.fromkeys([keywords] if isinstance(keywords, str) else keywords))
        skip = {str(item) for item in exclude}
        best: Asset | None = None
        best_hits = 0
        for asset in self.assets:
            if str(asset.path) in skip or asset.rel in skip:
                continue
            hits = sum(1 for keyword in wanted if asset.matches(keyword))
            if hits > best_hits:
                best, best_hits = asset, hits
        return best
