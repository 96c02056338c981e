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

Voices (``AIPROD_VOICE_PROVIDERS``, closed by ``local``: Piper or espeak-ng as
:mod:`aiprod.providers.tts.registry` picks; run by :mod:`aiprod.providers.tts.chain`), music
(``AIPROD_MUSIC_PROVIDERS``, closed by ``composer``), sound effects (``AIPROD_SFX_PROVIDERS``,
closed by ``synth``) and vision QA (``AIPROD_VISION_PROVIDERS``, empty: off) are chains too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

from pydantic import SecretStr

from aiprod.config import Settings
from aiprod.providers.base import CAPABILITIES, Capability, Provider, ProviderInfo

ENTRY_POINT_GROUP = "aiprod.providers"
ELEVENLABS_MUSIC_LICENCE = "ElevenLabs Music terms: commercial use on paid plans"
log = logging.getLogger(__name__)

ProviderFactory = Callable[[Settings], Provider]


class NotConfigured(Exception):
    """The provider lacks settings (URL, key, model): skipped in its chain."""


def required_key(secret: SecretStr | None, env: str) -> str:
    """The key's value; NotConfigured (``"<env> is not set"``) when it is unset or empty."""
    key = secret.get_secret_value() if secret is not None else ""
    if not key:
        raise NotConfigured(f"{env} is not set")
    return key


def _script_copywriter(settings: Settings) -> Provider:
    from aiprod.providers.script.copywriter import CopywriterScript

    return CopywriterScript()


def _script_openai(settings: Settings) -> Provider:
    from aiprod.providers.script.openai_compat import OpenAICompatibleScript

    return OpenAICompatibleScript.from_settings(settings)


def _music_elevenlabs(settings: Settings) -> Provider:
    from aiprod.providers.music.elevenlabs import ElevenLabsMusic

    return ElevenLabsMusic.from_settings(settings)


def _music_composer(settings: Settings) -> Provider:
    from aiprod.providers.music.chain import ComposerMusic

    return ComposerMusic()


def _sfx_freesound(settings: Settings) -> Provider:
    from aiprod.providers.sfx.freesound import FreesoundSfx

    return FreesoundSfx.from_settings(settings)


def _sfx_library(settings: Settings) -> Provider:
    from aiprod.providers.sfx.chain import LibrarySfx

    return LibrarySfx.from_settings(settings)


def _sfx_synth(settings: Settings) -> Provider:
    from aiprod.providers.sfx.chain import SynthSfx

    return SynthSfx.from_settings(settings)


def _vision_openai(settings: Settings) -> Provider:
    from aiprod.providers.vision.openai_compat import OpenAICompatibleVision

    return OpenAICompatibleVision.from_settings(settings)


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
    "music": {"elevenlabs_music": _music_elevenlabs, "composer": _music_composer},
    "sfx": {"freesound": _sfx_freesound, "library": _sfx_library, "synth": _sfx_synth},
    "vision": {"openai_compatible": _vision_openai},
    "voice": {
        "elevenlabs": _voice_elevenlabs,
        "google": _voice_google,
        "openai": _voice_openai,
        "local": _voice_local,
    },
    "stock": {"pexels": _stock_pexels, "pixabay": _stock_pixabay},
    "generated": {"runway": _generated_runway, "openai_images": _generated_images},
}
# the provider that closes each chain (always there, whatever the setting says)
CLOSING: dict[Capability, str] = {
    "script": "copywriter",
    "voice": "local",
    "music": "composer",
    "sfx": "synth",
}
# A scene no stock or generated provider could serve keeps the design's own picture (an icon
# of the bundled set) over its gradient: the offline default of both picture chains
OFFLINE_PICTURES = "icons and gradients (offline)"
DESIGN_DEFAULT: dict[Capability, ProviderInfo] = {
    capability: ProviderInfo("design", capability, (), {}, "scene", licence=OFFLINE_PICTURES,
                             offline_default=True)
    for capability in ("stock", "generated")
}  # fmt: skip

DECLARED: dict[Capability, tuple[ProviderInfo, ...]] = {
    "voice": (),  # built in: BUILTIN["voice"]
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
    configured: dict[Capability, list[str]] = {
        "script": settings.script_providers,
        "voice": settings.voice_providers,
        "music": settings.music_providers,
        "sfx": settings.sfx_providers,
        "vision": settings.vision_providers,  # empty: the advisory check is off
        "stock": settings.stock_providers,  # no closing provider: the design's icons stay
        "generated": settings.generated_providers,
    }
    if capability not in configured:
        return [info.name for info in DECLARED.get(capability, ())]
    names = list(configured[capability])
    closing = CLOSING.get(capability)
    if closing is not None and closing not in names:
        names.append(closing)  # the offline default always closes the chain
    return names


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
                info = info or _listed(capability, entry.name, settings)
                rows.append(_row(capability, position, entry.name, info, entry.skipped))
            if not chain:  # vision: off until its chain names a provider
                for name in BUILTIN.get(capability, {}):
                    info = _listed(capability, name, settings)
                    rows.append(_row(capability, 0, name, info, "off (chain setting empty)"))
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


def _listed(capability: Capability, name: str, settings: Settings) -> ProviderInfo | None:
    """What a cloud provider that is not configured would cost, for the listing."""
    money = settings.currency
    if name == "openai_compatible" and capability in ("script", "vision"):
        licence = (settings.llm_output_licence if capability == "script"
                   else "advisory verdicts (no media produced)")  # fmt: skip
        return ProviderInfo(name, capability, unit="1k_tokens",
                            price_per_unit=settings.llm_price_input_per_1k,
                            output_price_per_unit=settings.llm_price_output_per_1k,
                            currency=money, licence=licence, needs_network=True)  # fmt: skip
    if (capability, name) == ("music", "elevenlabs_music"):
        return ProviderInfo(name, capability, unit="minute",
                            price_per_unit=settings.elevenlabs_music_price_per_minute,
                            currency=money, needs_network=True,
                            licence=ELEVENLABS_MUSIC_LICENCE)  # fmt: skip
    if (capability, name) == ("sfx", "freesound"):
        allowed = ", ".join(settings.freesound_licences)
        return ProviderInfo(name, capability, unit="sound", currency=money, needs_network=True,
                            licence=f"per sound: {allowed} (credits.txt for CC-BY)")  # fmt: skip
    if (capability, name) == ("sfx", "library"):
        return ProviderInfo(name, capability, unit="cue", currency=money, licence="your files'")
    return _listed_picture(capability, name, settings)


def _listed_picture(capability: Capability, name: str, settings: Settings) -> ProviderInfo | None:
    money = settings.currency
    if capability == "stock" and name in ("pexels", "pixabay"):
        licence = {"pexels": "Pexels License", "pixabay": "Pixabay Content License"}[name]
        return ProviderInfo(name, capability, unit="call", currency=money, needs_network=True,
                            licence=f"{licence} (credit kept)")  # fmt: skip
    if (capability, name) == ("generated", "runway"):
        return ProviderInfo(name, capability, unit="second", currency=money, needs_network=True,
                            price_per_unit=settings.runway_price_per_second,
                            licence="yours, under Runway's terms")  # fmt: skip
    if (capability, name) == ("generated", "openai_images"):
        return ProviderInfo(name, capability, unit="image", currency=money, needs_network=True,
                            price_per_unit=settings.image_price_per_image,
                            licence="yours, under the endpoint's terms")  # fmt: skip
    return None


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
