"""Signal building blocks for the synthesiser: seeded noise, spectral shaping, envelopes,
panning, event placement, pedalboard processing and level control.

Signals are float32 numpy arrays: mono ``(n,)`` or stereo ``(2, n)``. Everything here is
deterministic for a given random generator.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pedalboard

Audio = npt.NDArray[np.float32]
Mask = Callable[["Grid"], npt.NDArray[np.floating[Any]]]

STFT_BLOCK_FRAMES = 256  # frames shaped per pass (a multiple of 4): bounds memory use
OLA_GAIN = 1.5  # sum of squared Hann windows at a hop of a quarter window


def make_rng(seed: int, *salt: str) -> np.random.Generator:
    """A generator that depends only on ``seed`` and ``salt`` (stable across runs)."""
    digest = hashlib.sha256("|".join([str(seed), *salt]).encode()).digest()
    return np.random.Generator(np.random.PCG64(int.from_bytes(digest[:16], "little")))


@dataclass(frozen=True)
class Grid:
    """Where a spectral mask is evaluated: frame times (column) by bin frequencies (row)."""

    times: npt.NDArray[np.float64]  # shape (frames, 1), seconds
    freqs: npt.NDArray[np.float64]  # shape (1, bins), Hz


def shaped_noise(
    rng: np.random.Generator, n: int, sample_rate: int, mask: Mask, fft: int = 2048
) -> Audio:
    """``n`` samples of noise whose short-time spectrum is white noise times ``mask(grid)``.

    A time-varying filter by STFT overlap-add (Hann windows, hop = fft/4); a mask of ones
    returns unit-variance white noise.
    """
    hop = fft // 4
    frames = (n + 2 * fft) // hop + 1
    source = rng.standard_normal((frames - 1) * hop + fft, dtype=np.float32)
    window = np.hanning(fft + 1)[:-1].astype(np.float32)
    freqs = np.fft.rfftfreq(fft, 1.0 / sample_rate).astype(np.float64)[None, :]
    out = np.zeros(frames * hop + fft, dtype=np.float32)
    view = np.lib.stride_tricks.sliding_window_view(source, fft)[::hop]
    for first in range(0, frames, STFT_BLOCK_FRAMES):
        index = np.arange(first, min(frames, first + STFT_BLOCK_FRAMES))
        times = ((index * hop + fft / 2 - fft) / sample_rate)[:, None]
        spectrum = np.fft.rfft(view[index] * window, axis=1)
        spectrum *= mask(Grid(times, freqs)).astype(np.float32)
        shaped = np.fft.irfft(spectrum, n=fft, axis=1).astype(np.float32) * window
        for offset in range(4):
            block = shaped[offset::4]
            start = (first + offset) * hop
            out[start : start + block.size] += block.ravel()
    return out[fft : fft + n] / OLA_GAIN


def log_bell(freqs: npt.NDArray[Any], centre: Any, octaves: float) -> npt.NDArray[Any]:
    """A Gaussian bump on a log-frequency axis: 1 at ``centre``, ~0.6 at ±``octaves``."""
    distance = np.log2(np.maximum(freqs, 1.0) / centre) / octaves
    return np.asarray(np.exp(-0.5 * distance**2))


def lowpass_shape(freqs: npt.NDArray[Any], cutoff: Any, order: float = 2.0) -> npt.NDArray[Any]:
    """Butterworth-like magnitude: flat below ``cutoff``, ``6*order`` dB/octave above."""
    return np.asarray(1.0 / np.sqrt(1.0 + (freqs / cutoff) ** (2.0 * order)))


def highpass_shape(freqs: npt.NDArray[Any], cutoff: Any, order: float = 2.0) -> npt.NDArray[Any]:
    """Butterworth-like magnitude: flat above ``cutoff``, ``6*order`` dB/octave below."""
    ratio = np.maximum(freqs, 1.0) / cutoff
    return np.asarray(1.0 / np.sqrt(1.0 + ratio ** (-2.0 * order)))


def tilt(freqs: npt.NDArray[Any], db_per_octave: float, pivot: float = 1000.0) -> npt.NDArray[Any]:
    """A spectral slope (e.g. -3 dB/octave is pink, -6 brown) around ``pivot``."""
    return np.asarray((np.maximum(freqs, 20.0) / pivot) ** (db_per_octave / 6.0206))


def stereo_noise(
    rng: np.random.Generator, n: int, sample_rate: int, mask: Mask, correlation: float = 0.3
) -> Audio:
    """Two shaped noises (same mask) with the given left/right correlation (0 = widest)."""
    left = shaped_noise(rng, n, sample_rate, mask)
    other = shaped_noise(rng, n, sample_rate, mask)
    right = correlation * left + float(np.sqrt(1.0 - correlation**2)) * other
    return np.stack([left, right]).astype(np.float32)


def make_lfo(
    rng: np.random.Generator, loop_s: float, periods: Sequence[float]
) -> Callable[[Any], Any]:
    """Smooth random modulation in [0, 1] repeating exactly every ``loop_s`` seconds.

    A sum of sines, one near each of ``periods`` (seconds), with whole cycles per loop, so
    a bed that uses it still loops seamlessly. Phases are drawn once, here.
    """
    cycles = [max(1, round(loop_s / period)) for period in periods]
    phases = [float(rng.uniform(0.0, 2.0 * np.pi)) for _ in periods]

    def value(t: Any) -> Any:
        total = sum(
            np.sin(2 * np.pi * c * t / loop_s + p) for c, p in zip(cycles, phases, strict=True)
        )
        return 0.5 + 0.5 * total / len(periods)

    return value


def time_axis(n: int, sample_rate: int) -> npt.NDArray[np.float64]:
    """Sample times in seconds."""
    return np.arange(n, dtype=np.float64) / sample_rate


def sine_from_freq(freq: npt.NDArray[Any], sample_rate: int, phase: float = 0.0) -> Audio:
    """A sine following the instantaneous frequency curve ``freq`` (Hz per sample)."""
    angle = 2.0 * np.pi * np.cumsum(freq, dtype=np.float64) / sample_rate + phase
    return np.sin(angle).astype(np.float32)


def raised_fade(n: int, fade_in: int, fade_out: int) -> Audio:
    """A gain curve of ``n`` samples with raised-cosine fade-in and fade-out."""
    gain = np.ones(n, dtype=np.float32)
    if fade_in > 0:
        gain[:fade_in] = 0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, fade_in))
    if fade_out > 0:
        gain[n - fade_out :] *= 0.5 + 0.5 * np.cos(np.linspace(0.0, np.pi, fade_out))
    return gain


def pan(mono: Audio, position: float | npt.NDArray[Any]) -> Audio:
    """Equal-power pan of a mono signal; ``position`` is -1 (left) … 1 (right)."""
    angle = (np.clip(position, -1.0, 1.0) + 1.0) * (np.pi / 4.0)
    return np.stack([mono * np.cos(angle), mono * np.sin(angle)]).astype(np.float32)


def place(track: Audio, event: Audio, start: int) -> None:
    """Add a stereo ``event`` into the stereo ``track`` at sample ``start`` (clipped to it)."""
    length = track.shape[1]
    begin, end = max(0, start), min(length, start + event.shape[1])
    if begin < end:
        track[:, begin:end] += event[:, begin - start : end - start]


def process(audio: Audio, sample_rate: int, plugins: Sequence[pedalboard.Plugin]) -> Audio:
    """Run ``audio`` through a pedalboard chain (fresh state)."""
    out = audio.astype(np.float32)
    for plugin in plugins:
        plugin.reset()
        out = np.asarray(plugin.process(out, sample_rate), dtype=np.float32)
    return out


def db_to_gain(db: float) -> float:
    """Decibels to a linear amplitude factor."""
    return float(10.0 ** (db / 20.0))


def normalise_peak(audio: Audio, peak_dbfs: float) -> Audio:
    """Scale so the highest sample sits at ``peak_dbfs`` (silence stays silent)."""
    peak = float(np.max(np.abs(audio)))
    if peak <= 0.0:
        return audio
    return (audio * (db_to_gain(peak_dbfs) / peak)).astype(np.float32)


def level_bed(audio: Audio, rms_dbfs: float, peak_dbfs: float) -> Audio:
    """Scale to an RMS of ``rms_dbfs`` unless that would push a peak over ``peak_dbfs``."""
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64))))
    peak = float(np.max(np.abs(audio)))
    if rms <= 0.0:
        return audio
    gain = min(db_to_gain(rms_dbfs) / rms, db_to_gain(peak_dbfs) / peak)
    return (audio * gain).astype(np.float32)


def loop_crossfade(audio: Audio, n: int) -> Audio:
    """Make the first ``n`` samples loop seamlessly using the samples after them.

    The head is cross-faded (equal power) with the continuation past ``n``, so sample
    ``n - 1`` runs straight into sample 0. Needs ``audio`` longer than ``n``.
    """
    fade = audio.shape[-1] - n
    head = audio[..., :n].copy()
    ramp = np.linspace(0.0, np.pi / 2.0, fade, dtype=np.float64)
    head[..., :fade] = (
        audio[..., :fade] * np.sin(ramp) + audio[..., n : n + fade] * np.cos(ramp)
    ).astype(np.float32)
    return head
