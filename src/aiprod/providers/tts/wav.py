"""Audio helpers for the narration providers: mono 16-bit PCM samples as numpy arrays.

Trimming near-silence, digital silence, assembling sentence segments (with their word spans)
into one clip, and writing WAV files atomically.
"""

from __future__ import annotations

import os
import tempfile
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from aiprod.providers.tts.alignment import Span, to_word_timings
from aiprod.providers.tts.base import WordTiming

Int16Audio = npt.NDArray[np.int16]


@dataclass(frozen=True)
class Segment:
    """Audio for one sentence plus one span per displayed word, relative to the segment."""

    words: tuple[str, ...]
    audio: Int16Audio
    spans: tuple[Span, ...]


def voiced_span(samples: Int16Audio, sample_rate: int, floor_db: float = -40.0) -> Span:
    """``[start, end)`` of the part louder than ``floor_db`` below the loudest 10 ms frame.

    Used to trim leading/trailing near-silence; all of ``samples`` when it is silent.
    """
    length = len(samples)
    frame = max(1, sample_rate // 100)
    frames = -(-length // frame)
    if frames == 0:
        return (0, 0)
    padded = np.zeros(frames * frame, dtype=np.float64)
    padded[:length] = samples
    rms = np.sqrt(np.mean(padded.reshape(frames, frame) ** 2, axis=1))
    peak = float(rms.max())
    if peak <= 0.0:
        return (0, length)
    loud = np.flatnonzero(rms >= peak * 10.0 ** (floor_db / 20.0))
    return (int(loud[0]) * frame, min(length, (int(loud[-1]) + 1) * frame))


def silence(num_samples: int) -> Int16Audio:
    """``num_samples`` of digital silence."""
    return np.zeros(max(0, num_samples), dtype=np.int16)


def assemble(
    segments: Sequence[Segment], pause_samples: int, sample_rate: int
) -> tuple[Int16Audio, list[WordTiming]]:
    """Concatenate sentence segments with a fixed pause between them; offset their timings."""
    pieces: list[Int16Audio] = []
    timings: list[WordTiming] = []
    offset = 0
    for index, segment in enumerate(segments):
        if index:
            pieces.append(silence(pause_samples))
            offset += pause_samples
        pieces.append(segment.audio)
        timings.extend(to_word_timings(segment.words, segment.spans, offset, sample_rate))
        offset += len(segment.audio)
    audio = np.concatenate(pieces) if pieces else silence(0)
    return audio, timings


def write_wav(path: Path, samples: Int16Audio, sample_rate: int) -> None:
    """Write mono 16-bit PCM, atomically (temp file + rename) so readers never see half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        with wave.open(tmp_name, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(sample_rate)
            wav.writeframes(samples.astype("<i2").tobytes())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
