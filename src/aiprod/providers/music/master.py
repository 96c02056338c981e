"""Mastering and WAV output: gentle EQ, glue compression, reverb, limiting, exact length.

Processing runs in fixed-size blocks (streaming through pedalboard with its state kept), so a
ten-minute track never needs more than a couple of full-length float buffers, and the result
is the same every run.
"""

from __future__ import annotations

import os
import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pedalboard

FloatAudio = npt.NDArray[np.float32]

BLOCK_S = 10.0
PRE_PEAK_DBFS = -6.0
PEAK_DBFS = -1.5
FADE_IN_S = 0.005
FADE_OUT_S = 0.15


def mastering_chain(reverb_room: float, reverb_wet: float) -> list[pedalboard.Plugin]:
    """The mastering chain: clean the lows, a touch of air, glue, space, catch the peaks."""
    return [
        pedalboard.HighpassFilter(cutoff_frequency_hz=35.0),
        pedalboard.LowShelfFilter(cutoff_frequency_hz=180.0, gain_db=-1.0),
        pedalboard.HighShelfFilter(cutoff_frequency_hz=8000.0, gain_db=1.5),
        pedalboard.Compressor(threshold_db=-16.0, ratio=2.0, attack_ms=20.0, release_ms=250.0),
        pedalboard.Reverb(
            room_size=reverb_room,
            damping=0.5,
            wet_level=reverb_wet,
            dry_level=0.9,
            width=0.9,
        ),
        pedalboard.Limiter(threshold_db=-3.0, release_ms=120.0),
    ]


def peak(audio: FloatAudio) -> float:
    """Largest absolute sample, computed block by block."""
    block = 1 << 20
    found = 0.0
    for start in range(0, len(audio), block):
        found = max(found, float(np.max(np.abs(audio[start : start + block]), initial=0.0)))
    return found


def master(
    raw: FloatAudio, num_frames: int, sample_rate: int, reverb_room: float, reverb_wet: float
) -> FloatAudio:
    """Exactly ``num_frames`` stereo frames of ``raw`` (padded/trimmed), mastered and faded.

    The result peaks at ``PEAK_DBFS``; loudness normalisation happens later, in the mix.
    """
    usable = min(len(raw), num_frames)
    level = peak(raw[:usable])
    gain = 10.0 ** (PRE_PEAK_DBFS / 20.0) / level if level > 0 else 1.0
    chain = mastering_chain(reverb_room, reverb_wet)
    out = np.zeros((num_frames, 2), dtype=np.float32)
    block = max(1, int(BLOCK_S * sample_rate))
    for start in range(0, num_frames, block):
        stop = min(num_frames, start + block)
        chunk = np.zeros((stop - start, 2), dtype=np.float32)
        have = max(0, min(stop, usable) - start)
        chunk[:have] = raw[start : start + have] * gain
        processed = chunk.T.copy()
        for plugin in chain:
            processed = plugin(processed, sample_rate, reset=start == 0)
        out[start:stop] = processed.T
    level = peak(out)
    if level > 0:
        out *= np.float32(10.0 ** (PEAK_DBFS / 20.0) / level)
    apply_fades(out, sample_rate)
    return out


def apply_fades(audio: FloatAudio, sample_rate: int) -> None:
    """In place: a 5 ms fade-in and a raised-cosine fade over the last 150 ms, to zero."""
    fade_in = min(len(audio), max(1, round(FADE_IN_S * sample_rate)))
    audio[:fade_in] *= np.linspace(0.0, 1.0, fade_in, dtype=np.float32)[:, None]
    fade_out = min(len(audio), max(1, round(FADE_OUT_S * sample_rate)))
    ramp = 0.5 + 0.5 * np.cos(np.linspace(0.0, np.pi, fade_out, dtype=np.float64))
    audio[len(audio) - fade_out :] *= ramp.astype(np.float32)[:, None]


def write_wav16(path: Path, audio: FloatAudio, sample_rate: int) -> Path:
    """Write stereo 16-bit PCM atomically (temp file + rename); returns ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    block = 1 << 20
    try:
        with wave.open(str(partial), "wb") as wav:
            wav.setnchannels(2)
            wav.setsampwidth(2)
            wav.setframerate(sample_rate)
            for start in range(0, len(audio), block):
                scaled = np.clip(np.round(audio[start : start + block] * 32767.0), -32767, 32767)
                wav.writeframes(scaled.astype("<i2").tobytes())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path
