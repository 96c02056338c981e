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

The offline providers of the other capabilities (Piper/espeak-ng voices, the composer, the
synthesised effects) are still chosen by their own modules
(:mod:`aiprod.providers.tts.registry`, …); they are declared here so that ``aiprod providers``
shows every chain, and their vendors plug into the same chain mechanism.
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


def _stock_pexels(settings: Settings) -> Provider:
    from aiprod.providers.stock.pexels import PexelsStock

    return PexelsStock.from_settings(settings)


def _stock_pixabay(settings: Settings) -> Provider:
    from aiprod.providers.stock.pixabay import PixabayStock

    return PixabayStock.from_settings(settings)


def _generated_runway(settings: Settings) -> Provider:
    from aiprod.providers.generated.runway import RunwayVideo

    return RunwayVideo.from_settings(settings)


def _generated_images(settings: Settings) -> Provider:
    from aiprod.providers.generated.openai_images import OpenAIImages

    return OpenAIImages.from_settings(settings)


BUILTIN: dict[Capability, dict[str, ProviderFactory]] = {
    "script": {"openai_compatible": _script_openai, "copywriter": _script_copywriter},
    "stock": {"pexels": _stock_pexels, "pixabay": _stock_pixabay},
    "generated": {"runway": _generated_runway, "openai_images": _generated_images},
}
# A scene no stock or generated provider could serve keeps the design's own picture (an icon
# of the bundled set) over its gradient: the offline default of both picture chains
OFFLINE_PICTURES = "icons and gradients (offline)"
DESIGN_DEFAULT: dict[Capability, ProviderInfo] = {
    capability: ProviderInfo("design", capability, (), {}, "scene", licence=OFFLINE_PICTURES,
                             offline_default=True)
    for capability in ("stock", "generated")
}  # fmt: skip

_LOCAL = "yours"
DECLARED: dict[Capability, tuple[ProviderInfo, ...]] = {
    "voice": (
        ProviderInfo("piper", "voice", ("en",), {"voice": "en_US-joe-medium"}, "second",
                     licence="MIT voice model; output yours", offline_default=True),
        ProviderInfo("espeak", "voice", (), {}, "second", licence="GPL-3.0 engine; output yours",
                     offline_default=True),
    ),
    "music": (ProviderInfo("composer", "music", (), {}, "second", licence=_LOCAL,
                           offline_default=True),),
    "sfx": (ProviderInfo("synth", "sfx", (), {}, "cue", licence=_LOCAL, offline_default=True),),
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
    if capability == "script":
        names = list(settings.script_providers)
        if "copywriter" not in names:
            names.append("copywriter")  # the offline default always closes the chain
        return names
    if capability == "stock":
        return list(settings.stock_providers)
    if capability == "generated":
        return list(settings.generated_providers)
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
            chain = build_chain(capability, settings)
            for position, entry in enumerate(chain, start=1):
                info = entry.provider.info if entry.provider else None
                rows.append(_row(capability, position, entry.name, info, entry.skipped))
            if capability in DESIGN_DEFAULT:  # what a scene keeps when every link fails
                rows.append(_row(capability, len(chain) + 1, "design", DESIGN_DEFAULT[capability],
                                 None))  # fmt: skip
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
