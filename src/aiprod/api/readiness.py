"""Readiness checks: the database answers and is migrated; FFmpeg and the default (offline)
providers are installed: the Piper voice for narration, espeak-ng for other languages,
FluidSynth with a General MIDI soundfont for music.

Each check is cheap (a query, file lookups): ``/ready`` is polled by load balancers.
"""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Callable

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from aiprod.db.errors import UnmigratedDatabase, database_errors
from aiprod.errors import AiprodError, NotReady


def _ffmpeg() -> str:
    for tool in ("ffmpeg", "ffprobe"):
        if shutil.which(tool) is None:
            raise NotReady(f"{tool} is not installed")
    return "ok"


def _narration() -> str:
    from aiprod.providers.tts.piper import DEFAULT_VOICE, _default_model_files

    if importlib.util.find_spec("onnx") is None:
        raise NotReady("narration: the 'onnx' package is missing (Piper word timings)")
    try:
        model, config = _default_model_files()
    except AiprodError as exc:
        raise NotReady(f"narration: {exc}") from None
    for path in (model, config):
        if not path.is_file():
            raise NotReady(f"narration: voice file missing: {path}")
    if shutil.which("espeak-ng") is None:
        raise NotReady("narration: espeak-ng is not installed (non-English voices)")
    return f"ok (piper {DEFAULT_VOICE}, espeak-ng)"


def _music() -> str:
    from aiprod.providers.music.render import find_soundfont

    if shutil.which("fluidsynth") is None:
        raise NotReady("music: fluidsynth is not installed")
    try:
        font = find_soundfont()
    except AiprodError as exc:
        raise NotReady(f"music: {exc}") from None
    return f"ok (fluidsynth, {font.name})"


PROVIDER_CHECKS: dict[str, Callable[[], str]] = {
    "ffmpeg": _ffmpeg,
    "narration": _narration,
    "music": _music,
}


def check_readiness(*, engine: Engine, head: str) -> dict[str, str]:
    """Per-check results; raise DatabaseUnavailable, UnmigratedDatabase or NotReady."""
    with database_errors(), engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current != head:
        raise UnmigratedDatabase(current, head)
    return {"database": "ok", **{name: check() for name, check in PROVIDER_CHECKS.items()}}
