"""Narration in any language espeak-ng knows (formant synthesis: robotic, but universal).

Word timings are APPROXIMATE. espeak-ng's command line gives no per-word timing, so each
sentence's voiced span (leading/trailing near-silence trimmed, measured on the samples) is
shared among its words in proportion to the length of their spoken forms. Sentence starts
and ends are exact; words inside a sentence may drift by a few hundred milliseconds.
"""

from __future__ import annotations

import functools
import re
import tempfile
import wave
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from aiprod.errors import FFmpegError, ProviderError, ProviderRejectedInput, ProviderUnavailable
from aiprod.media.ffmpeg.run import run_process
from aiprod.providers.tts.alignment import distribute_by_length
from aiprod.providers.tts.base import SpeechClip
from aiprod.providers.tts.sentences import SentencePlan, plan_sentences
from aiprod.providers.tts.wav import Int16Audio, Segment, assemble, silence, voiced_span, write_wav

ESPEAK = "espeak-ng"
VOICE_PREFIX = "espeak:"
# Voice names and variants as espeak-ng spells them: "fr", "en-us", "fr+f3", "gmw/de".
_VOICE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_()+.,/-]*$")
# "(zh-cmn 5)(zh 5)" in the "Other Languages" column: more language codes for the voice.
_OTHER_LANGUAGE = re.compile(r"\(([^\s()]+) \d+\)")
# espeak-ng defaults to 175 words a minute: too fast to follow, and captions of speech that
# fast cannot stay under 20 characters a second. 150 is a calm presenter pace.
WORDS_PER_MINUTE = 150
_FALLBACK_RATE = 22050  # espeak-ng's native rate, used only if no sentence made a sound


@functools.lru_cache(maxsize=1)
def espeak_languages() -> frozenset[str]:
    """Language codes espeak-ng can speak (lower case), read once per process."""
    listing = run_process([ESPEAK, "--voices"], timeout=30).stdout.decode("utf-8", "replace")
    codes: set[str] = set()
    for line in listing.splitlines()[1:]:
        fields = line.split()
        if len(fields) >= 5:
            codes.add(fields[1].casefold())
            codes.update(code.casefold() for code in _OTHER_LANGUAGE.findall(line))
    return frozenset(codes)


def resolve_language(language: str) -> str | None:
    """The espeak-ng language code for a BCP-47 tag ('fr-CA' -> 'fr'), or None if unknown."""
    tag = language.strip().replace("_", "-").casefold()
    if not tag:
        return None
    known = espeak_languages()
    if tag in known:
        return tag
    primary = tag.split("-")[0]
    if primary in known:
        return primary
    regional = sorted(code for code in known if code.startswith(f"{primary}-"))
    return regional[0] if regional else None


def _voice_name(voice: str | None, language_code: str) -> str:
    name = language_code if voice is None else voice.removeprefix(VOICE_PREFIX)
    if not _VOICE_NAME.match(name):
        raise ProviderRejectedInput(f"'{voice}' is not a valid espeak-ng voice name")
    return name


def _read_wav(path: Path) -> tuple[Int16Audio, int | None]:
    if not path.exists():  # espeak-ng writes no file when it had nothing to say
        return silence(0), None
    with wave.open(str(path), "rb") as wav:
        if wav.getnchannels() != 1 or wav.getsampwidth() != 2:
            raise ProviderError(f"espeak-ng wrote an unexpected WAV format: {path}")
        frames = wav.readframes(wav.getnframes())
        return np.frombuffer(frames, dtype="<i2").astype(np.int16), wav.getframerate()


class EspeakTTS:
    """Narration through the espeak-ng command; deterministic; approximate word timings.

    ``voice`` in ``synthesize`` is an espeak-ng voice name (optionally ``"espeak:"``-prefixed);
    by default the language code itself ("fr", "de", ...). ``sentence_pause`` seconds of
    silence separate sentences.
    """

    name: str = "espeak"

    def __init__(self, *, sentence_pause: float = 0.25, timeout: float = 120.0) -> None:
        if sentence_pause < 0:
            raise ValueError("sentence_pause must be >= 0")
        self.sentence_pause = sentence_pause
        self.timeout = timeout

    def supports(self, *, language: str, voice: str | None) -> bool:
        """Whether espeak-ng knows ``language`` and ``voice`` is a well-formed voice name."""
        try:
            code = resolve_language(language)
            if code is not None:
                _voice_name(voice, code)  # raises when the name is malformed
        except (ProviderUnavailable, ProviderRejectedInput):
            return False
        return code is not None

    def synthesize(
        self,
        text: str,
        *,
        out_path: Path,
        language: str,
        voice: str | None = None,
        glossary: Mapping[str, str] | None = None,
    ) -> SpeechClip:
        """Speak ``text`` into ``out_path``; see ``TTSProvider.synthesize``."""
        code = resolve_language(language)
        if code is None:
            raise ProviderRejectedInput(f"espeak-ng does not know the language '{language}'")
        name = _voice_name(voice, code)
        plans = plan_sentences(text, glossary)
        with tempfile.TemporaryDirectory(prefix="aiprod-espeak-") as tmp:
            spoken = [
                self._speak(name, p.spoken_text, Path(tmp) / f"{i}.wav")
                for i, p in enumerate(plans)
            ]
        rates = {rate for _, rate in spoken if rate is not None}
        if len(rates) > 1:
            raise ProviderError(f"espeak-ng voice '{name}' produced mixed sample rates {rates}")
        rate = rates.pop() if rates else _FALLBACK_RATE
        segments = [
            self._segment(plan, audio, rate) for plan, (audio, _) in zip(plans, spoken, strict=True)
        ]
        if not any(np.any(segment.audio) for segment in segments):
            raise ProviderRejectedInput("narration text has nothing speakable")
        audio, timings = assemble(segments, round(self.sentence_pause * rate), rate)
        write_wav(out_path, audio, rate)
        return SpeechClip(out_path, rate, len(audio), tuple(timings))

    def _speak(self, voice_name: str, text: str, wav_path: Path) -> tuple[Int16Audio, int | None]:
        if not text.strip():
            return silence(0), None
        # Text goes through stdin, so a sentence starting with '-' is never read as an option.
        # -z: no final pause, the sentence pause is ours; -b 1: input is UTF-8.
        command = [
            ESPEAK,
            "-b",
            "1",
            "-z",
            "-s",
            str(WORDS_PER_MINUTE),
            "-v",
            voice_name,
            "-w",
            str(wav_path),
            "--stdin",
        ]
        try:
            run_process(command, input_bytes=text.encode("utf-8"), timeout=self.timeout)
        except FFmpegError as exc:
            if "voice does not exist" in exc.stderr_tail:
                raise ProviderRejectedInput(f"espeak-ng has no voice '{voice_name}'") from exc
            raise
        return _read_wav(wav_path)

    def _segment(self, plan: SentencePlan, audio: Int16Audio, rate: int) -> Segment:
        if not np.any(audio):
            # Nothing voiced: keep the words, on a short silence.
            audio = silence(max(len(plan.words), round(self.sentence_pause * rate)))
        elif len(audio) < len(plan.words):  # defensive: every word needs >= 1 sample
            audio = np.concatenate([audio, silence(len(plan.words) - len(audio))])
        start, end = voiced_span(audio, rate)
        if end - start < len(plan.words):
            start, end = 0, len(audio)
        return Segment(plan.words, audio, tuple(distribute_by_length(plan.spoken, start, end)))
