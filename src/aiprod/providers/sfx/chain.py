"""The sound-effect capability's fallback chain: one file per cue.

``AIPROD_SFX_PROVIDERS`` orders the providers (``freesound,library,synth``): Freesound
(cloud, licence-filtered, attributed), the user's tagged library folder, and synthesis,
which always closes the chain. A provider failing (or having nothing that fits) moves the
cue to the next one; every call and every step down lands in the job's :class:`Ledger`,
and each Freesound sound that needs a credit is kept for ``credits.txt``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

from aiprod.config import Settings
from aiprod.providers.base import CallRecord, Ledger, ProviderFailed, ProviderInfo
from aiprod.providers.registry import NotConfigured, build_chain
from aiprod.providers.sfx.asset import SYNTH_LICENCE, UNKNOWN_LICENCE, SfxAsset, SfxKind
from aiprod.providers.sfx.freesound import FreesoundSound
from aiprod.providers.sfx.library import SfxLibrary
from aiprod.providers.sfx.provider import SoundDesigner
from aiprod.providers.sfx.synth import check_kind, resolve_duration

log = logging.getLogger(__name__)


class CloudSfx(Protocol):
    """What a cloud sound-effect provider offers the chain (Freesound, plug-ins)."""

    info: ProviderInfo

    def get(
        self, kind: SfxKind, *, category: str | None, seconds: float | None, seed: int,
        records: list[CallRecord],
    ) -> tuple[SfxAsset, FreesoundSound]:  # fmt: skip
        """The cue's WAV and the sound it came from; each call made appended to ``records``.
        Raises ProviderFailed (``no_match`` when nothing fits this cue)."""
        ...


class LibrarySfx:
    """The user's tagged sound folder (``AIPROD_SFX_LIBRARY_DIR``)."""

    def __init__(self, root: Path) -> None:
        self.library = SfxLibrary(root)
        self.info = ProviderInfo("library", "sfx", (), {}, "cue", licence=UNKNOWN_LICENCE,
                                 configured=str(root))  # fmt: skip

    @classmethod
    def from_settings(cls, settings: Settings) -> LibrarySfx:
        if settings.sfx_library_dir is None:
            raise NotConfigured("AIPROD_SFX_LIBRARY_DIR is not set")
        return cls(settings.sfx_library_dir)


class SynthSfx:
    """The offline default: synthesised, cached effects."""

    def __init__(self, cache_dir: Path) -> None:
        self.designer = SoundDesigner(None, cache_dir)
        self.info = ProviderInfo("synth", "sfx", (), {}, "cue", licence=SYNTH_LICENCE,
                                 offline_default=True)  # fmt: skip

    @classmethod
    def from_settings(cls, settings: Settings) -> SynthSfx:
        return cls(settings.cache_dir / "sfx")


@dataclass(frozen=True)
class PlacedSound:
    asset: SfxAsset
    attribution: dict[str, Any] | None  # a sound someone must be credited for


class EffectChain:
    """``chain.get(kind, category=…, duration=…, seed=…)`` -> PlacedSound; one per render."""

    def __init__(self, settings: Settings, ledger: Ledger) -> None:
        self.ledger = ledger
        self.entries = build_chain("sfx", settings)
        self.failed: dict[str, str] = {}  # a provider down for one cue is not asked again
        self.used: set[str] = set()

    def get(
        self, kind: str, *, category: str | None, duration: float | None, seed: int
    ) -> PlacedSound:
        checked = check_kind(kind)
        label = SoundDesigner._category(checked, category)
        for entry in self.entries:
            provider = entry.provider
            if provider is None or entry.name in self.failed:
                continue
            placed = self._try(entry.name, provider, checked, label, duration, seed)
            if placed is not None:
                self.used.add(entry.name)
                return placed
        raise AssertionError("synthesis closes every sfx chain")  # pragma: no cover

    def _try(
        self, name: str, provider: object, kind: SfxKind, label: str | None,
        duration: float | None, seed: int,
    ) -> PlacedSound | None:  # fmt: skip
        if isinstance(provider, LibrarySfx):
            found = provider.library.find(kind, label, seed)
            return PlacedSound(found, None) if found is not None else None
        if isinstance(provider, SynthSfx):
            asset = provider.designer.get(kind, category=label, duration=duration, seed=seed)
            return PlacedSound(asset, None)
        seconds = resolve_duration(kind, duration) if duration or kind == "ambience" else None
        records: list[CallRecord] = []
        try:
            asset, sound = cast(CloudSfx, provider).get(
                kind, category=label, seconds=seconds, seed=seed, records=records
            )
        except ProviderFailed as failure:
            if failure.reason != "no_match":  # nothing fits this cue; others may still
                self.failed[name] = failure.reason
            self.ledger.fell_back("sfx", name, failure.reason, failure.detail)
            log.warning("sfx provider %s failed (%s): %s; trying the next",
                        name, failure.reason, failure.detail)  # fmt: skip
            return None
        finally:
            for record in records:
                self.ledger.add(record)
        return PlacedSound(asset, sound.attribution() if sound.needs_credit else None)
