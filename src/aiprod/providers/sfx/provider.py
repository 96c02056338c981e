"""The sound designer: the user's library first, otherwise a cached synthesis.

``SoundDesigner.get("whoosh")`` returns a file the mixer can use right away. Synthesised
files are named after a hash of everything that shapes them, so repeated renders (and
concurrent ones) reuse the same file instead of synthesising it again.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from aiprod.errors import ProviderRejectedInput
from aiprod.providers.sfx.asset import (
    AMBIENCE_CATEGORIES,
    SYNTH_LICENCE,
    SYNTH_SOURCE,
    SfxAsset,
)
from aiprod.providers.sfx.keywords import ambience_for
from aiprod.providers.sfx.library import SfxLibrary
from aiprod.providers.sfx.synth import check_kind, resolve_duration, synthesize_sfx
from aiprod.providers.sfx.wavio import wav_duration

SYNTH_VERSION = 1  # bump when a recipe changes, so cached files are not reused
SAMPLE_RATE = 48000


def cache_name(kind: str, category: str | None, duration: float, seed: int) -> str:
    """A file name that changes whenever anything that shapes the sound changes."""
    key = json.dumps(
        {
            "v": SYNTH_VERSION,
            "kind": kind,
            "category": category,
            "duration": round(duration, 6),
            "seed": seed,
            "rate": SAMPLE_RATE,
        },
        sort_keys=True,
    )
    digest = hashlib.sha256(key.encode()).hexdigest()[:20]
    return f"{kind}-{category or 'any'}-{digest}.wav"


class SoundDesigner:
    """Sound effects on demand: a library file when one fits, else a synthesised one.

    ``library`` is the user's sound folder (or None); ``cache_dir`` holds synthesised
    files and is created when needed.
    """

    def __init__(self, library: Path | None, cache_dir: Path) -> None:
        self.library = SfxLibrary(library) if library is not None else None
        self.cache_dir = cache_dir

    def get(
        self,
        kind: str,
        *,
        category: str | None = None,
        duration: float | None = None,
        seed: int = 0,
    ) -> SfxAsset:
        """The effect ``kind`` (whoosh, pop, click, riser, impact, ambience).

        For ambience, ``category`` is a category name or a scene word in English or
        French ("plage", "coffee shop"). Library files are returned as they are (their own
        length); a synthesised ambience is exactly ``duration`` seconds and loopable.
        Raises ProviderRejectedInput for an unknown kind or category or a bad duration.
        """
        checked = check_kind(kind)
        label = self._category(checked, category)
        seconds = resolve_duration(checked, duration)
        if self.library is not None:
            found = self.library.find(checked, label, seed)
            if found is not None:
                return found
        path = self.cache_dir / cache_name(checked, label, seconds, seed)
        if path.is_file():
            return SfxAsset(
                path=path,
                kind=checked,
                category=label,
                duration_s=wav_duration(path),
                source=SYNTH_SOURCE,
                licence=SYNTH_LICENCE,
                seed=seed,
            )
        return synthesize_sfx(
            checked, out=path, seed=seed, duration=seconds, category=label, sample_rate=SAMPLE_RATE
        )

    @staticmethod
    def _category(kind: str, category: str | None) -> str | None:
        """Ambience categories accept scene words ("forêt" → forest); one-shots keep theirs."""
        if kind != "ambience":
            return category
        if category is None:
            raise ProviderRejectedInput("ambience needs a category (e.g. 'rain', 'cafe')")
        if category in AMBIENCE_CATEGORIES:
            return category
        mapped = ambience_for([category])
        if mapped is None:
            known = ", ".join(AMBIENCE_CATEGORIES)
            raise ProviderRejectedInput(f"unknown ambience category {category!r} (known: {known})")
        return mapped
