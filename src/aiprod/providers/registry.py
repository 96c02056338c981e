"""The provider registry: built-in providers, entry-point plug-ins, and fallback chains.

A capability's chain is the ordered list of provider names in settings (for ``script``:
``AIPROD_SCRIPT_PROVIDERS``, default ``openai_compatible,copywriter``); providers that are
not configured (no URL, no key) are skipped, and the offline default always closes the
chain, so a chain can never be empty.

Third-party packages add providers through the ``aiprod.providers`` entry-point group; the
entry point's name is ``<capability>.<provider name>`` and its value a factory taking the
Settings and returning the provider (or raising :class:`NotConfigured`)::

    [project.entry-points."aiprod.providers"]
    "script.my_llm" = "my_package.script:make_provider"

The voice chain is ``AIPROD_VOICE_PROVIDERS`` (cloud voices, then ``local``: Piper or espeak-ng
as :mod:`aiprod.providers.tts.registry` picks); it runs in :mod:`aiprod.providers.tts.chain`.
The offline providers of the other capabilities (the composer, the synthesised effects) are
still chosen by their own modules; they are declared here so that ``aiprod providers`` shows
every chain, and their vendors plug into the same chain mechanism.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

from aiprod.config import Settings
from aiprod.providers.base import CAPABILITIES, Capability, Provider, ProviderInfo

ENTRY_POINT_GROUP = "aiprod.providers"
log = logging.getLogger(__name__)

ProviderFactory = Callable[[Settings], Provider]


class NotConfigured(Exception):
    """The provider lacks settings (URL, key, model): skipped in its chain."""


def _script_copywriter(settings: Settings) -> Provider:
    from aiprod.providers.script.copywriter import CopywriterScript

    return CopywriterScript()


def _script_openai(settings: Settings) -> Provider:
    from aiprod.providers.script.openai_compat import OpenAICompatibleScript

    return OpenAICompatibleScript.from_settings(settings)


def _voice_elevenlabs(settings: Settings) -> Provider:
    from aiprod.providers.tts.elevenlabs import ElevenLabsVoice

    return ElevenLabsVoice.from_settings(settings)


def _voice_google(settings: Settings) -> Provider:
    from aiprod.providers.tts.google import GoogleVoice

    return GoogleVoice.from_settings(settings)


def _voice_openai(settings: Settings) -> Provider:
    from aiprod.providers.tts.openai_voice import OpenAIVoice

    return OpenAIVoice.from_settings(settings)


def _voice_local(settings: Settings) -> Provider:
    from aiprod.providers.tts.chain import LocalVoice

    return LocalVoice()


BUILTIN: dict[Capability, dict[str, ProviderFactory]] = {
    "script": {"openai_compatible": _script_openai, "copywriter": _script_copywriter},
    "voice": {
        "elevenlabs": _voice_elevenlabs,
        "google": _voice_google,
        "openai": _voice_openai,
        "local": _voice_local,
    },
}

_LOCAL = "yours"
DECLARED: dict[Capability, tuple[ProviderInfo, ...]] = {
    "voice": (),  # built in: BUILTIN["voice"]
    "music": (ProviderInfo("composer", "music", (), {}, "second", licence=_LOCAL,
                           offline_default=True),),
    "sfx": (ProviderInfo("synth", "sfx", (), {}, "cue", licence=_LOCAL, offline_default=True),),
    "stock": (),
    "generated": (),
    "vision": (),
}  # fmt: skip


def _plugins() -> dict[Capability, dict[str, ProviderFactory]]:
    found: dict[Capability, dict[str, ProviderFactory]] = {}
    for point in entry_points(group=ENTRY_POINT_GROUP):
        capability, _, name = point.name.partition(".")
        if capability not in CAPABILITIES or not name:
            log.warning("ignoring provider entry point %r: name must be <capability>.<name>",
                        point.name)  # fmt: skip
            continue
        try:
            factory = point.load()
        except Exception as error:  # a broken plug-in must not break the product
            log.warning("cannot load provider entry point %r: %s", point.name, error)
            continue
        found.setdefault(capability, {})[name] = factory
    return found


def factories(capability: Capability) -> dict[str, ProviderFactory]:
    """Every provider of ``capability`` by name: built-ins, then plug-ins (a plug-in may
    not replace a built-in)."""
    merged = dict(_plugins().get(capability, {}))
    merged.update(BUILTIN.get(capability, {}))
    return merged


def chain_names(capability: Capability, settings: Settings) -> list[str]:
    closing = {"script": "copywriter", "voice": "local"}.get(capability)
    if closing is not None:
        names = list(settings.script_providers if capability == "script"
                     else settings.voice_providers)  # fmt: skip
        if closing not in names:
            names.append(closing)  # the offline default always closes the chain
        return names
    return [info.name for info in DECLARED.get(capability, ())]


@dataclass(frozen=True)
class ChainEntry:
    name: str
    provider: Provider | None
    skipped: str | None  # why the provider is not in use (not configured, unknown)


def build_chain(capability: Capability, settings: Settings) -> list[ChainEntry]:
    """The capability's chain in order, each entry configured or with why it is not."""
    known = factories(capability)
    entries: list[ChainEntry] = []
    for name in chain_names(capability, settings):
        factory = known.get(name)
        if factory is None:
            entries.append(ChainEntry(name, None, "unknown provider"))
            continue
        try:
            entries.append(ChainEntry(name, factory(settings), None))
        except NotConfigured as why:
            entries.append(ChainEntry(name, None, f"not configured: {why}"))
    return entries


def describe(settings: Settings) -> list[dict[str, Any]]:
    """Every capability's chain for ``aiprod providers``: configured or not, prices, licence."""
    rows: list[dict[str, Any]] = []
    for capability in CAPABILITIES:
        if capability in BUILTIN or capability in _plugins():
            for position, entry in enumerate(build_chain(capability, settings), start=1):
                info = entry.provider.info if entry.provider else None
                rows.append(_row(capability, position, entry.name, info, entry.skipped))
        else:
            infos = DECLARED.get(capability, ())
            for position, info in enumerate(infos, start=1):
                rows.append(_row(capability, position, info.name, info, None))
            if not infos:
                rows.append(_row(capability, 0, "-", None, "no provider yet"))
    return rows


def _row(
    capability: str, position: int, name: str, info: ProviderInfo | None, skipped: str | None
) -> dict[str, Any]:
    return {
        "capability": capability,
        "position": position,
        "provider": name,
        "configured": skipped is None,
        "status": skipped or (f"ready: {info.configured}" if info and info.configured else "ready"),
        "price": _price(info),
        "licence": info.licence if info else "-",
        "needs_network": info.needs_network if info else None,
        "languages": ",".join(info.languages) or "any" if info else "-",
        "limits": dict(info.limits) if info else {},
    }


def _price(info: ProviderInfo | None) -> str:
    if info is None:
        return "-"
    price = f"{info.price_per_unit:g} {info.currency}/{info.unit}"
    if info.output_price_per_unit:
        price += f" in, {info.output_price_per_unit:g} {info.currency}/{info.unit} out"
    return price
