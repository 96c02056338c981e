"""Which voices can speak, per provider and language: ``aiprod voices``.

The local voices are always listed (Piper's English voice, espeak-ng's voices); a cloud
provider's voices come from its vendor's voices endpoint when it is configured. A provider
that cannot be asked is reported, not fatal, unless it was the one asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import cast

from aiprod.config import Settings
from aiprod.errors import ProviderRejectedInput
from aiprod.media.ffmpeg.run import run_process
from aiprod.providers.base import ProviderFailed
from aiprod.providers.registry import build_chain
from aiprod.providers.tts.cloud_voice import CloudVoice, VoiceListing
from aiprod.providers.tts.espeak import ESPEAK, VOICE_PREFIX
from aiprod.providers.tts.piper import DEFAULT_VOICE
from aiprod.providers.tts.sentences import primary_language

_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")
LOCAL = "local"


@dataclass
class VoiceReport:
    voices: list[VoiceListing] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)  # provider -> why not listed


def local_voices(language: str | None) -> list[VoiceListing]:
    """Piper's English voice and every espeak-ng voice (``espeak:<language code>``)."""
    wanted = primary_language(language) if language else None
    voices = []
    if wanted in (None, "en"):
        voices.append(VoiceListing(LOCAL, DEFAULT_VOICE, "Joe (Piper)", ("en",), "male"))
    listing = run_process([ESPEAK, "--voices"], timeout=30).stdout.decode("utf-8", "replace")
    for line in listing.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 5:
            continue
        code, gender, name = fields[1], fields[2].partition("/")[2], fields[3]
        if wanted is None or primary_language(code) == wanted:
            voices.append(VoiceListing(LOCAL, f"{VOICE_PREFIX}{code}", f"{name} (espeak-ng)",
                                       (primary_language(code),),
                                       {"M": "male", "F": "female"}.get(gender)))  # fmt: skip
    return voices


def list_voices(settings: Settings, *, language: str | None, provider: str | None) -> VoiceReport:
    """Voices per provider (``provider`` alone when given) for ``language`` (all if None).

    Raises ProviderRejectedInput (one line) for a malformed language, an unknown or
    unconfigured provider, or a failure of the provider asked for by name.
    """
    if language is not None and not _LANGUAGE.match(language):
        raise ProviderRejectedInput(f"'{language}' is not a language tag (e.g. en, fr, pt-BR)")
    entries = {e.name: e for e in build_chain("voice", settings)}
    if provider is not None and provider not in entries:
        known = ", ".join(entries)
        raise ProviderRejectedInput(f"unknown voice provider '{provider}' (known: {known})")
    report = VoiceReport()
    for name, entry in entries.items():
        if provider is not None and name != provider:
            continue
        if name == LOCAL:
            report.voices.extend(local_voices(language))
            continue
        if entry.provider is None:
            if provider is not None:
                raise ProviderRejectedInput(f"voice provider '{name}' is {entry.skipped}")
            report.problems[name] = entry.skipped or "not configured"
            continue
        try:
            report.voices.extend(cast(CloudVoice, entry.provider).list_voices(language))
        except ProviderFailed as failure:
            if provider is not None:
                raise ProviderRejectedInput(f"{name}: {failure}") from None
            report.problems[name] = str(failure)
    return report
