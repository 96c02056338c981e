"""One-shot effects: whoosh, pop, click, riser and impact, as stereo float signals.

Each recipe takes a seeded generator, a length in samples and a sample rate, and returns
``(2, n)`` audio at an arbitrary level (``synth`` normalises it).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pedalboard

from aiprod.providers.sfx.dsp import (
    Audio,
    Grid,
    db_to_gain,
    highpass_shape,
    log_bell,
    lowpass_shape,
    pan,
    process,
    raised_fade,
    shaped_noise,
    sine_from_freq,
    tilt,
    time_axis,
)

Curve = npt.NDArray[np.float64]


def _whoosh_centre(t: Any, peak: float, length: float) -> Any:
    """Band centre (Hz): rises towards the pass-by, then drops lower (doppler-ish)."""
    rise = np.clip(t / peak, 0.0, 1.0) ** 1.5
    fall = np.clip((t - peak) / (length - peak), 0.0, 1.0) ** 0.7
    log_hz = np.where(
        t < peak,
        np.log(450.0) + rise * np.log(3200.0 / 450.0),
        np.log(3200.0) - fall * np.log(3200.0 / 280.0),
    )
    return np.exp(log_hz)


def _whoosh_envelope(t: Any, peak: float, length: float) -> Any:
    """Asymmetric bell: a quick swell into the pass-by and a longer fade after it."""
    width = np.where(t < peak, 0.30 * peak, 0.34 * (length - peak))
    return np.exp(-0.5 * ((t - peak) / width) ** 2)


def whoosh(rng: np.random.Generator, n: int, sample_rate: int) -> Audio:
    """Air moving past: band-passed noise sweeping up then down, panned across the field."""
    length = n / sample_rate
    peak = length * rng.uniform(0.45, 0.55)

    def mask(grid: Grid) -> Any:
        centre = _whoosh_centre(grid.times, peak, length)
        env = _whoosh_envelope(grid.times, peak, length)
        air = log_bell(grid.freqs, centre, 0.9) + 0.35 * log_bell(grid.freqs, 1.7 * centre, 0.25)
        body = 0.5 * log_bell(grid.freqs, 140.0, 0.8) * env**2
        return (air * tilt(grid.freqs, -1.5) + body) * lowpass_shape(grid.freqs, 14000.0)

    left = shaped_noise(rng, n, sample_rate, mask, fft=512)
    right = shaped_noise(rng, n, sample_rate, mask, fft=512)
    t = time_axis(n, sample_rate)
    env = (_whoosh_envelope(t, peak, length) * raised_fade(n, 64, n // 8)).astype(np.float32)
    direction = rng.choice([-1.0, 1.0])
    position = direction * 0.85 * np.tanh((t - peak) / (0.18 * length))
    mid = (0.8 * left + 0.2 * right) * env
    side = (0.2 * left + 0.8 * right) * env
    stereo = pan(mid, position) * 0.85 + pan(side, position * 0.6) * 0.35
    room = pedalboard.Reverb(room_size=0.3, damping=0.6, wet_level=0.12, dry_level=0.9)
    return process(stereo, sample_rate, [room, pedalboard.HighpassFilter(60.0)])


def pop(rng: np.random.Generator, n: int, sample_rate: int) -> Audio:
    """A bubble-like pop: a sine blip gliding up with a fast decay and a tiny transient."""
    t = time_axis(n, sample_rate)
    scale = n / sample_rate / 0.15
    base = 520.0 * rng.uniform(0.85, 1.15)
    freq = base * (1.0 + 0.9 * (1.0 - np.exp(-t / (0.012 * scale))))
    env = (1.0 - np.exp(-t / 0.0008)) * np.exp(-t / (0.03 * scale))
    tone = sine_from_freq(freq, sample_rate) + 0.18 * sine_from_freq(2.0 * freq, sample_rate)
    burst = rng.standard_normal(n).astype(np.float32) * np.exp(-t / 0.0015)
    burst = process(burst, sample_rate, [pedalboard.HighpassFilter(1800.0)])
    mono = (tone * env + 0.2 * burst).astype(np.float32) * raised_fade(n, 16, n // 6)
    stereo = pan(mono, rng.uniform(-0.1, 0.1))
    room = pedalboard.Reverb(room_size=0.12, damping=0.7, wet_level=0.08, dry_level=1.0)
    return process(stereo, sample_rate, [room])


def click(rng: np.random.Generator, n: int, sample_rate: int) -> Audio:
    """A crisp UI tick: a few damped resonances struck by a sub-millisecond noise burst."""
    t = time_axis(n, sample_rate)
    nyquist = sample_rate / 2.0 - 500.0
    partials = ((3300.0, 1.0, 0.003), (1450.0, 0.55, 0.005), (6600.0, 0.35, 0.0012))
    mono = np.zeros(n, dtype=np.float32)
    for freq, gain, tau in partials:
        hz = min(nyquist, freq * rng.uniform(0.92, 1.08))
        phase = rng.uniform(0.0, 2.0 * np.pi)
        mono += (gain * np.exp(-t / tau) * np.sin(2 * np.pi * hz * t + phase)).astype(np.float32)
    burst = rng.standard_normal(n).astype(np.float32) * np.exp(-t / 0.0004)
    mono += 0.5 * process(burst, sample_rate, [pedalboard.HighpassFilter(2000.0)])
    mono *= raised_fade(n, 8, n // 4)
    return pan(mono, 0.0)


def _saw_voice(freq: Curve, sample_rate: int, harmonics: int = 10) -> Audio:
    """A band-limited sawtooth-like tone following ``freq`` (harmonics kept below Nyquist)."""
    phase = 2.0 * np.pi * np.cumsum(freq) / sample_rate
    out = np.zeros(len(freq), dtype=np.float32)
    for k in range(1, harmonics + 1):
        audible = (k * freq < sample_rate / 2.2).astype(np.float32)
        out += (np.sin(k * phase) * audible / k).astype(np.float32)
    return out


def riser(rng: np.random.Generator, n: int, sample_rate: int) -> Audio:
    """Tension build: rising filtered noise and detuned saws sweeping up to a peak."""
    t = time_axis(n, sample_rate)
    length = n / sample_rate
    gain = db_to_gain(-30.0) * np.power(db_to_gain(30.0), (t / length) ** 1.4)

    def mask(grid: Grid) -> Any:
        progress = np.clip(grid.times / length, 0.0, 1.0)
        centre = 300.0 * (5000.0 / 300.0) ** (progress**1.3)
        air = 0.12 * progress**2 * highpass_shape(grid.freqs, 6000.0)
        return log_bell(grid.freqs, centre, 1.0) + air

    noise = np.stack([shaped_noise(rng, n, sample_rate, mask) for _ in range(2)])
    base = 110.0 * rng.uniform(0.9, 1.1) * 2.0 ** (3.0 * (t / length) ** 1.5)
    tremolo = 1.0 - 0.3 * (
        0.5 + 0.5 * np.sin(2 * np.pi * np.cumsum(4.0 + 14.0 * t / length) / sample_rate)
    )
    voices = [
        pan(_saw_voice(base * d, sample_rate), p)
        for d, p in ((0.993, -0.7), (1.0, 0.0), (1.007, 0.7))
    ]
    tone = (sum(voices) / 3.0) * tremolo.astype(np.float32)
    mix = (0.7 * noise + 0.8 * tone) * gain.astype(np.float32) * raised_fade(n, 256, 480)
    plate = pedalboard.Reverb(room_size=0.5, damping=0.4, wet_level=0.15, dry_level=0.9)
    return process(mix.astype(np.float32), sample_rate, [pedalboard.HighpassFilter(50.0), plate])


def impact(rng: np.random.Generator, n: int, sample_rate: int) -> Audio:
    """A cinematic hit: a sub boom sweeping down, a noise crack and a reverb tail."""
    t = time_axis(n, sample_rate)
    scale = n / sample_rate / 2.5
    freq = 40.0 * rng.uniform(0.9, 1.1) + 120.0 * np.exp(-t / 0.05)
    boom_env = (1.0 - np.exp(-t / 0.002)) * np.exp(-t / (0.5 * scale))
    boom = np.tanh(1.8 * sine_from_freq(freq, sample_rate) * boom_env) / np.tanh(1.8)
    crack = rng.standard_normal(n).astype(np.float32) * np.exp(-t / 0.008)
    crack = process(crack, sample_rate, [pedalboard.LowpassFilter(3500.0)])
    thud = rng.standard_normal(n).astype(np.float32) * np.exp(-t / 0.06)
    thud = process(
        thud, sample_rate, [pedalboard.LowpassFilter(350.0), pedalboard.HighpassFilter(70.0)]
    )
    hit = pan((0.35 * crack + 0.9 * thud).astype(np.float32), 0.0)
    tail = process(
        hit,
        sample_rate,
        [
            pedalboard.Reverb(room_size=0.9, damping=0.7, wet_level=1.0, dry_level=0.0),
            pedalboard.LowpassFilter(1500.0),
            pedalboard.LowpassFilter(1500.0),
        ],
    )
    mix = pan(boom.astype(np.float32), 0.0) + hit + 0.45 * tail
    mix *= raised_fade(n, 0, min(n // 4, sample_rate // 5))
    return process(mix.astype(np.float32), sample_rate, [pedalboard.HighpassFilter(25.0)])
