"""Where visuals keep what they compute once (icon index, rendered icons), and how they write it.

The folder is the ``model_cache_dir`` setting (``AIPROD_MODEL_CACHE_DIR``), by default
``~/.cache/aiprod``. Files are written to a
temporary name in the same folder and renamed into place (readers never see half a file), and
builds that several workers may start at once take an exclusive ``flock`` on a lock file next
to the result, so one builds and the others read what it wrote.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

CACHE_ENV = "AIPROD_MODEL_CACHE_DIR"


def cache_dir() -> Path:
    """The visuals cache folder (created on demand by the writers, not here)."""
    from aiprod.config import load_settings

    return load_settings().models_dir


def write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename; returns ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``<path>.lock`` (blocking) while the block runs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
