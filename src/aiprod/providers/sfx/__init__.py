"""Sound design: whooshes, pops, clicks, risers, impacts and ambience beds.

The user's sound library is searched first (``SfxLibrary``); otherwise the effect is
synthesised offline and deterministically (``synthesize_sfx``), and ``SoundDesigner`` caches
the result. ``ambience_for`` maps scene keywords (English or French) to an ambience category.
"""

from __future__ import annotations

from aiprod.providers.sfx.asset import (
    AMBIENCE_CATEGORIES,
    SFX_KINDS,
    SYNTH_LICENCE,
    UNKNOWN_LICENCE,
    SfxAsset,
    SfxKind,
)
from aiprod.providers.sfx.keywords import ambience_for
from aiprod.providers.sfx.library import SfxLibrary
from aiprod.providers.sfx.provider import SoundDesigner
from aiprod.providers.sfx.synth import synthesize_sfx

__all__ = [
    "AMBIENCE_CATEGORIES",
    "SFX_KINDS",
    "SYNTH_LICENCE",
    "UNKNOWN_LICENCE",
    "SfxAsset",
    "SfxKind",
    "SfxLibrary",
    "SoundDesigner",
    "ambience_for",
    "synthesize_sfx",
]
