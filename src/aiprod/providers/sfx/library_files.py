"""What the user's sound library says about one file: its tag words, its licence, whether it
looks like audio at all, and its duration.

Tags come from a sidecar (``<file>.json``/``.yaml``, also ``<stem>.json``/``.yaml``), a
folder-wide ``library.json`` (in the file's folder or any folder above it, up to the root)
and the words of the file name and of its folders below the root; all are combined.
"""

from __future__ import annotations

import json
import re
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from aiprod.errors import AiprodError
from aiprod.providers.sfx.keywords import normalise

AUDIO_SUFFIXES = frozenset({".wav", ".mp3", ".flac", ".ogg", ".m4a"})
MANIFEST_NAME = "library.json"
SIDECAR_SUFFIXES = (".json", ".yaml", ".yml")
MAX_METADATA_BYTES = 1_000_000  # sidecars and manifests larger than this are ignored
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


@dataclass(frozen=True)
class FileTags:
    """Tags and licence for one file, from one metadata source (either may be empty)."""

    tags: tuple[str, ...] = ()
    licence: str | None = None


def is_inside(path: Path, root: Path) -> bool:
    """Whether ``path``, with every symlink resolved, lies inside the resolved ``root``."""
    try:
        return path.resolve(strict=True).is_relative_to(root)
    except (OSError, RuntimeError):
        return False


def looks_like_audio(path: Path) -> bool:
    """Whether ``path`` can be opened and starts like a WAV/FLAC/MP3/OGG/M4A file."""
    try:
        with path.open("rb") as handle:
            head = handle.read(12)
    except OSError:
        return False
    if len(head) < 12:
        return False
    return (
        (head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WAVE")
        or head[:4] in (b"fLaC", b"OggS")
        or head[:3] == b"ID3"
        or (head[0] == 0xFF and head[1] & 0xE0 == 0xE0)
        or head[4:8] == b"ftyp"
    )


def path_words(path: Path, root: Path) -> tuple[str, ...]:
    """Words of the file name and of its folders below ``root`` (numbers dropped)."""
    parts = [*path.relative_to(root).parent.parts, path.stem]
    words = normalise(" ".join(_CAMEL.sub(" ", part) for part in parts)).split()
    return tuple(word for word in words if not word.isdigit())


def _load(path: Path) -> Any:
    """Parsed JSON or YAML, or None when missing, too big, unreadable or malformed."""
    try:
        if path.stat().st_size > MAX_METADATA_BYTES:
            return None
        text = path.read_text(encoding="utf-8")
        return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError):
        return None


def parse_tags(value: Any) -> FileTags:
    """``{"tags": [...] | "a, b", "licence": "..."}`` (or a bare tag list) as FileTags."""
    if isinstance(value, list | str):
        value = {"tags": value}
    if not isinstance(value, dict):
        return FileTags()
    raw = value.get("tags", ())
    items = re.split(r"[,;]", raw) if isinstance(raw, str) else raw
    tags = tuple(str(item).strip() for item in items if str(item).strip())
    licence = value.get("licence", value.get("license"))
    return FileTags(tags, str(licence).strip() if licence else None)


def read_sidecar(path: Path, root: Path) -> FileTags:
    """Tags from the first sidecar of ``path`` that exists inside ``root``."""
    for base in (path.name, path.stem):
        for suffix in SIDECAR_SUFFIXES:
            sidecar = path.with_name(base + suffix)
            if sidecar.is_file() and is_inside(sidecar, root):
                return parse_tags(_load(sidecar))
    return FileTags()


@dataclass(frozen=True)
class Manifest:
    """One ``library.json``: tags per file path (relative to its folder), a default licence."""

    folder: Path
    files: dict[str, FileTags]
    licence: str | None


def read_manifest(folder: Path, root: Path) -> Manifest | None:
    """The folder's ``library.json`` (``{"files": {...}, "licence": ...}`` or a bare map)."""
    path = folder / MANIFEST_NAME
    if not path.is_file() or not is_inside(path, root):
        return None
    data = _load(path)
    if not isinstance(data, dict):
        return None
    files = data.get("files", data)
    default = data.get("licence", data.get("license")) if "files" in data else None
    if not isinstance(files, dict):
        return None
    table = {_key(name): parse_tags(value) for name, value in files.items()}
    return Manifest(folder, table, str(default) if default else None)


def _key(name: Any) -> str:
    return Path(str(name).replace("\\", "/")).as_posix().removeprefix("./")


def manifest_tags(path: Path, manifests: list[Manifest]) -> FileTags:
    """Tags for ``path`` from the nearest manifest that lists it (nearest folder first)."""
    for manifest in sorted(manifests, key=lambda m: len(m.folder.parts), reverse=True):
        if not path.is_relative_to(manifest.folder):
            continue
        entry = manifest.files.get(path.relative_to(manifest.folder).as_posix())
        if entry is not None:
            return FileTags(entry.tags, entry.licence or manifest.licence)
    return FileTags()


def audio_duration(path: Path) -> float:
    """Length in seconds; raises AiprodError (or OSError) when the file cannot be read."""
    if path.suffix.lower() == ".wav":
        try:
            with wave.open(str(path), "rb") as wav:
                return wav.getnframes() / wav.getframerate()
        except (wave.Error, EOFError):
            pass  # float or extensible WAV: let pedalboard read it
    if path.suffix.lower() != ".m4a":
        from pedalboard.io import AudioFile

        with AudioFile(str(path)) as audio:
            return float(audio.frames / audio.samplerate)
    from aiprod.media.ffmpeg.probe import probe

    duration = probe(path).duration
    if duration is None:
        raise AiprodError(f"{path}: no duration")
    return duration
