"""Per-owner upload folders, named by a keyed hash of the owner.

``data_dir/uploads/<HMAC-SHA256(server key, owner)[:32]>``: an owner's name is never a path,
and nobody who knows an owner's name can tell which folder is theirs without this server's
key. The key is generated once into ``data_dir/secrets/upload-folders.key`` (mode 0600, the
same way as the URL-signing key); it is its own key, so rotating the signing key moves no
upload.

Folders made before the key existed were named by a plain SHA-256 of the owner. The first
time such an owner's folder is asked for, the old folder is moved to the new name and a
symbolic link is left under the old one: paths stored in jobs and specs keep working
(they resolve into the new folder), and nothing is lost.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import logging
import os
from pathlib import Path

from aiprod.config import Settings
from aiprod.storage.signing import load_or_create_key

log = logging.getLogger(__name__)
FOLDER_KEY_FILE = Path("secrets") / "upload-folders.key"
NAME_CHARS = 32


@functools.lru_cache(maxsize=16)
def _folder_key(path: Path) -> bytes:
    return load_or_create_key(path)


def owner_folder_name(settings: Settings, owner: str) -> str:
    """The name of ``owner``'s upload folder on this server."""
    key = _folder_key((settings.data_dir / FOLDER_KEY_FILE).resolve())
    return hmac.new(key, owner.encode(), hashlib.sha256).hexdigest()[:NAME_CHARS]


def legacy_folder_name(owner: str) -> str:
    """The name folders had before it was keyed (an unsalted hash of the owner)."""
    return hashlib.sha256(owner.encode()).hexdigest()[:NAME_CHARS]


def owner_uploads_folder(settings: Settings, owner: str) -> Path:
    """``owner``'s upload folder (not created), with an older unsalted one moved into it."""
    root = settings.data_dir / "uploads"
    folder = root / owner_folder_name(settings, owner)
    legacy = root / legacy_folder_name(owner)
    if legacy.is_dir() and not legacy.is_symlink():
        _move_legacy(legacy, folder)
    return folder


def _move_legacy(legacy: Path, folder: Path) -> None:
    try:
        os.rename(legacy, folder)  # atomic, when the new folder is absent or empty
    except FileNotFoundError:
        return  # another process moved it first
    except OSError:  # both hold files: move them one by one (ids are random, never shared)
        for entry in legacy.iterdir():
            if not (folder / entry.name).exists():
                os.rename(entry, folder / entry.name)
        try:
            legacy.rmdir()
        except OSError:
            log.warning("upload folder %s not emptied; left in place", legacy.name)
            return
    with contextlib.suppress(FileExistsError):  # another process linked it first
        legacy.symlink_to(folder.name, target_is_directory=True)
