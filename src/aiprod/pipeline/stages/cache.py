"""The stage cache: one folder per stage output, found by a content key.

    <cache_dir>/stages/<stage>/<key>/record.json   what the stage returned (small JSON)
                                     /<files>       the files it made (clips, mix, video…)

An entry is built in a temporary folder beside its final place and renamed into it, so a
reader sees a whole entry or none (a crash mid-write leaves only a ``.tmp-*`` folder, which
:meth:`StageCache.prune` removes). The key is the SHA-256 of everything the output depends
on: the stage's name and version, the code that computes it, its inputs' content, and the
provider and settings that change the result (see :func:`content_key`).

The cache is bounded: after each store, entries beyond ``max_bytes`` are removed, least
recently used first (a hit touches its ``record.json``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr

RECORD = "record.json"
DEFAULT_MAX_BYTES = 2 * 1024**3  # 2 GiB of stage outputs, then the least recently used go
STALE_TMP_S = 3600.0  # a temporary folder older than this belongs to a crashed writer


@functools.cache
def code_fingerprint() -> str:
    """A hash of the package's Python sources: a change to any code invalidates every
    entry, so a developer never gets an output made by older code (about 5 ms, once)."""
    root = Path(__file__).resolve().parents[2]  # src/aiprod
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def file_fingerprint(path: str | Path | None) -> list[Any] | None:
    """A user file as it is now: its path, size and modification time (not its bytes,
    which may be a long clip); a changed file gives another key."""
    if path is None:
        return None
    try:
        info = Path(path).stat()
    except OSError:
        return [str(path), None]
    return [str(path), info.st_size, info.st_mtime_ns]


def provider_settings(settings: BaseModel, *prefixes: str) -> dict[str, Any]:
    """The settings of the provider chains whose names start with ``prefixes``, for a key:
    each value, but of a secret only whether it is set (a key never reaches the cache)."""
    out: dict[str, Any] = {}
    for name in sorted(type(settings).model_fields):
        if name.startswith(prefixes):
            value = getattr(settings, name)
            out[name] = value is not None if isinstance(value, SecretStr) else value
    return out


TRANSIENT_OK = frozenset({"language", "not_configured"})


def fell_back_for_now(fallbacks: list[dict[str, Any]], capability: str | None = None) -> bool:
    """Whether a provider chain fell back for a reason that may pass (down, rate limited,
    over budget): such an output is not kept, so the next request tries the provider
    again. Falling back because a provider is not configured or cannot speak the
    language is for good."""
    return any(
        f.get("reason") not in TRANSIENT_OK
        for f in fallbacks
        if capability is None or f.get("capability") == capability
    )


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes: for outputs of earlier stages (mixes, videos)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def content_key(stage: str, version: int, inputs: Mapping[str, Any]) -> str:
    """The key of one stage output: its name, version, the code and its inputs."""
    payload = {"stage": stage, "version": version, "code": code_fingerprint(), **inputs}
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class CacheEntry:
    """A stored stage output: its folder and its JSON record."""

    folder: Path
    record: dict[str, Any]

    def path(self, name: str) -> Path:
        """One of the entry's files."""
        return self.folder / name


class StageCache:
    """Stage outputs under ``root`` (the data directory's cache), bounded by size."""

    def __init__(self, root: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.root = root / "stages"
        self.max_bytes = max_bytes

    def lookup(self, stage: str, key: str) -> CacheEntry | None:
        """The entry of ``key``, or None; an unreadable or incomplete entry is a miss."""
        folder = self.root / stage / key
        try:
            record = json.loads((folder / RECORD).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        files = record.get("files", []) if isinstance(record, dict) else None
        if not isinstance(files, list) or not all((folder / str(n)).is_file() for n in files):
            return None
        os.utime(folder / RECORD)  # recently used: pruned last
        return CacheEntry(folder, record)

    def store(
        self, stage: str, key: str, record: dict[str, Any], files: Mapping[str, Path]
    ) -> CacheEntry:
        """Copy ``files`` (name in the entry -> source) and write ``record``, atomically."""
        final = self.root / stage / key
        tmp = self.root / stage / f".tmp-{key}-{uuid.uuid4().hex[:8]}"
        tmp.mkdir(parents=True)
        try:
            for name, source in files.items():
                shutil.copyfile(source, tmp / name)
            data = {**record, "files": sorted(files)}
            (tmp / RECORD).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            _move_into_place(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self.prune()
        entry = self.lookup(stage, key)
        return entry if entry is not None else CacheEntry(final, data)

    def prune(self) -> int:
        """Remove stale temporary folders, then the least recently used entries until the
        cache holds at most ``max_bytes``; the bytes removed."""
        entries: list[tuple[float, int, Path]] = []
        removed = 0
        now = time.time()
        for folder in self._folders():
            size, used = _size_and_use(folder)
            if folder.name.startswith(".tmp-"):
                if now - used > STALE_TMP_S:
                    shutil.rmtree(folder, ignore_errors=True)
                    removed += size
                continue
            entries.append((used, size, folder))
        total = sum(size for _, size, _ in entries)
        for _, size, folder in sorted(entries):
            if total <= self.max_bytes:
                break
            shutil.rmtree(folder, ignore_errors=True)
            total -= size
            removed += size
        return removed

    def _folders(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return [f for stage in self.root.iterdir() if stage.is_dir() for f in stage.iterdir()]


def _move_into_place(tmp: Path, final: Path) -> None:
    """Rename the finished entry into place; when another process stored the same key
    first (the same content), keep theirs."""
    try:
        tmp.rename(final)
    except OSError:
        if not final.is_dir():
            raise
        shutil.rmtree(tmp, ignore_errors=True)


def _size_and_use(folder: Path) -> tuple[int, float]:
    """An entry's bytes and when it was last used (another process may be removing it)."""
    try:
        size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
        record = folder / RECORD
        used = (record if record.is_file() else folder).stat().st_mtime
    except OSError:
        return 0, 0.0
    return size, used
