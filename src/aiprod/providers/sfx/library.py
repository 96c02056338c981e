"""The user's own sound library, searched before anything is synthesised.

Any folder of audio files (wav, mp3, flac, ogg, m4a) works: tags come from sidecars, a
``library.json`` or simply the file and folder names (``whoosh/air_swoosh_01.wav``). The
folder is scanned once (cached); files that cannot be read, hidden files, and anything a
symlink would take outside the root are ignored.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from aiprod.errors import AiprodError
from aiprod.providers.sfx.asset import UNKNOWN_LICENCE, SfxAsset, SfxKind
from aiprod.providers.sfx.keywords import categories_in, kinds_in, normalise
from aiprod.providers.sfx.library_files import (
    AUDIO_SUFFIXES,
    Manifest,
    audio_duration,
    is_inside,
    looks_like_audio,
    manifest_tags,
    path_words,
    read_manifest,
    read_sidecar,
)


@dataclass(frozen=True)
class LibraryEntry:
    """One usable file: where it is, its tag words, what they name, and its licence."""

    path: Path
    relative: str
    words: frozenset[str]
    kinds: frozenset[str]
    categories: frozenset[str]
    licence: str

    def matches(self, kind: str, category: str | None) -> bool:
        """Whether this file can serve as ``kind`` (an ambience also needs its category)."""
        if kind != "ambience":
            return kind in self.kinds
        if self.kinds - {"ambience"}:
            return False  # a one-shot that happens to name a place
        if category is None:
            return "ambience" in self.kinds
        return category in self.categories or set(normalise(category).split()) <= self.words


def _entry(path: Path, root: Path, manifests: list[Manifest]) -> LibraryEntry:
    sidecar = read_sidecar(path, root)
    listed = manifest_tags(path, manifests)
    names = path_words(path, root)
    words = frozenset(normalise(" ".join((*sidecar.tags, *listed.tags, *names))).split())
    return LibraryEntry(
        path=path,
        relative=path.relative_to(root).as_posix(),
        words=words,
        kinds=frozenset(kinds_in(words)),
        categories=frozenset(categories_in(words)),
        licence=sidecar.licence or listed.licence or UNKNOWN_LICENCE,
    )


def scan(root: Path) -> list[LibraryEntry]:
    """Every readable audio file under ``root`` with its tags, sorted by relative path."""
    try:
        real_root = root.resolve(strict=True)
    except OSError:
        return []
    entries: list[LibraryEntry] = []
    manifests: list[Manifest] = []
    for folder, dirs, files in os.walk(real_root, followlinks=False):
        dirs[:] = sorted(name for name in dirs if not name.startswith("."))
        here = Path(folder)
        manifest = read_manifest(here, real_root)
        if manifest is not None:
            manifests.append(manifest)
        for name in sorted(files):
            path = here / name
            if name.startswith(".") or path.suffix.lower() not in AUDIO_SUFFIXES:
                continue
            if is_inside(path, real_root) and looks_like_audio(path):
                entries.append(_entry(path, real_root, manifests))
    return sorted(entries, key=lambda entry: entry.relative)


def pick_index(count: int, kind: str, category: str | None, seed: int) -> int:
    """A stable index in ``range(count)`` for these arguments (same seed, same file)."""
    digest = hashlib.sha256(f"{kind}|{category or ''}|{seed}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % count


class SfxLibrary:
    """A folder of the user's sound files, scanned once on first use and then cached."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._entries: list[LibraryEntry] | None = None
        self._durations: dict[Path, float] = {}

    @property
    def entries(self) -> tuple[LibraryEntry, ...]:
        """The usable files (scanning the folder the first time)."""
        if self._entries is None:
            self._entries = scan(self.root)
        return tuple(self._entries)

    def rescan(self) -> None:
        """Forget the cached scan; the next search reads the folder again."""
        self._entries = None
        self._durations.clear()

    def candidates(self, kind: str, category: str | None = None) -> list[LibraryEntry]:
        """Files that fit ``kind``/``category``; for a one-shot, those naming ``category``
        if any do, else every file of that kind."""
        fits = [entry for entry in self.entries if entry.matches(kind, category)]
        if kind == "ambience" or category is None:
            return fits
        wanted = set(normalise(category).split())
        named = [entry for entry in fits if wanted <= entry.words]
        return named or fits

    def find(self, kind: str, category: str | None = None, seed: int = 0) -> SfxAsset | None:
        """A library file for ``kind`` (and ``category``), chosen stably by ``seed``.

        Returns None when nothing fits. A file that turns out unreadable is dropped from
        the cache and another one is chosen.
        """
        pool = self.candidates(kind, category)
        while pool:
            entry = pool[pick_index(len(pool), kind, category, seed)]
            duration = self._duration(entry)
            if duration:
                return SfxAsset(
                    path=entry.path,
                    kind=cast(SfxKind, kind),
                    category=category,
                    duration_s=duration,
                    source=f"library:{entry.relative}",
                    licence=entry.licence,
                    seed=seed,
                )
            pool.remove(entry)
        return None

    def _duration(self, entry: LibraryEntry) -> float | None:
        if entry.path not in self._durations:
            try:
                self._durations[entry.path] = audio_duration(entry.path)
            except (AiprodError, OSError, ValueError, RuntimeError, EOFError):
                if self._entries is not None and entry in self._entries:
                    self._entries.remove(entry)
                return None
        return self._durations[entry.path]
