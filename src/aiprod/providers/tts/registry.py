"""Pick the narration provider for a language and voice.

    English, voice None or 'en_US-joe-medium'   -> Piper (natural voice, exact word timings)
    any language, voice 'espeak:<name>'          -> espeak-ng with that voice
    other languages espeak-ng knows              -> espeak-ng (voice = espeak-ng voice name)
    anything else                                -> ProviderRejectedInput

Providers are cached per process: the Piper model (about 60 MB) then loads only once.
"""

from __future__ import annotations

import threading

from aiprod.errors import ProviderRejectedInput
from aiprod.providers.tts.base import TTSProvider
from aiprod.providers.tts.espeak import VOICE_PREFIX, EspeakTTS, resolve_language
from aiprod.providers.tts.piper import DEFAULT_VOICE, PiperTTS
from aiprod.providers.tts.sentences import primary_language

_LOCK = threading.Lock()
_PIPER: dict[str, PiperTTS] = {}
_ESPEAK: list[EspeakTTS] = []


def _piper(voice_name: str) -> PiperTTS:
    with _LOCK:
        if voice_name not in _PIPER:
            _PIPER[voice_name] = PiperTTS(voice_name=voice_name)
        return _PIPER[voice_name]


def _espeak() -> EspeakTTS:
    with _LOCK:
        if not _ESPEAK:
            _ESPEAK.append(EspeakTTS())
        return _ESPEAK[0]


def forget_providers() -> None:
    """Drop the cached providers (the next render loads its model again): for benchmarks
    that must pay a cold start, and for long-lived processes that want the memory back."""
    with _LOCK:
        _PIPER.clear()
        _ESPEAK.clear()


def select_tts(language: str, voice: str | None) -> TTSProvider:
    """The provider that will speak ``language`` with ``voice``; call its ``synthesize``
    with the same ``language`` and ``voice``.

    Raises ProviderRejectedInput naming the language or voice when nothing can speak it,
    ProviderUnavailable when espeak-ng (needed to list languages) is missing.
    """
    english = primary_language(language) == "en"
    if english and voice in (None, DEFAULT_VOICE):
        return _piper(DEFAULT_VOICE)
    if voice == DEFAULT_VOICE:
        raise ProviderRejectedInput(f"voice '{voice}' speaks English only, not '{language}'")
    if resolve_language(language) is None:
        raise ProviderRejectedInput(f"no narration voice for language '{language}'")
    if english and voice is not None and not voice.startswith(VOICE_PREFIX):
        # Likely a Piper voice we do not ship; silently swapping in espeak would surprise.
        raise ProviderRejectedInput(
            f"unknown English voice '{voice}': use '{DEFAULT_VOICE}' or '{VOICE_PREFIX}<name>'"
        )
    provider = _espeak()
    if not provider.supports(language=language, voice=voice):
        raise ProviderRejectedInput(f"'{voice}' is not a valid espeak-ng voice name")
    return provider
