"""Short sound events that ambience beds are sprinkled with (mono float32 signals).

Drops, bird phrases, cricket chirps, cup clinks, key presses, fire pops, water bubbles,
car horns, plus scheduling helpers that scatter events over a stereo track.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pedalboard

from aiprod.providers.sfx.dsp import Audio, pan, place, process, raised_fade, sine_from_freq

EventMaker = Callable[[np.random.Generator, int], Audio]


def event_times(rng: np.random.Generator, rate_hz: float, length_s: float) -> list[float]:
    """Poisson arrival times (seconds, sorted) at ``rate_hz`` over ``length_s``."""
    count = int(rng.poisson(rate_hz * length_s))
    return sorted(float(value) for value in rng.uniform(0.0, length_s, count))


def scatter(
    track: Audio,
    rng: np.random.Generator,
    sample_rate: int,
    times: list[float],
    make: EventMaker,
    *,
    gain_db: tuple[float, float] = (-6.0, 0.0),
    spread: float = 0.8,
) -> None:
    """Render one event per time with ``make``, at a random level and pan, into ``track``."""
    for start in times:
        event = make(rng, sample_rate)
        gain = 10.0 ** (rng.uniform(*gain_db) / 20.0)
        stereo = pan(event * np.float32(gain), rng.uniform(-spread, spread))
        place(track, stereo, round(start * sample_rate))


def _decay(n: int, sample_rate: int, tau: float) -> Audio:
    return np.exp(-np.arange(n) / (tau * sample_rate)).astype(np.float32)


def droplet(rng: np.random.Generator, sample_rate: int) -> Audio:
    """A rain drop hitting a surface: a tiny, upward-gliding damped tone plus a tick."""
    n = int(0.03 * sample_rate)
    f0 = min(sample_rate / 2.5, float(np.exp(rng.uniform(np.log(1500.0), np.log(5500.0)))))
    env = _decay(n, sample_rate, rng.uniform(0.002, 0.006))
    freq = f0 * (1.0 + 0.25 * np.linspace(0.0, 1.0, n))
    tick = rng.standard_normal(n).astype(np.float32) * _decay(n, sample_rate, 0.0004)
    return (sine_from_freq(freq, sample_rate) * env + 0.3 * tick).astype(np.float32)


def _chirp(rng: np.random.Generator, sample_rate: int, low: float, high: float) -> Audio:
    """One bird syllable: a frequency sweep with fast FM vibrato under a bell envelope."""
    n = int(rng.uniform(0.05, 0.15) * sample_rate)
    start, end = (low, high) if rng.random() < 0.6 else (high, low)
    sweep = np.geomspace(start, end, n)
    rate, depth = rng.uniform(20.0, 60.0), rng.uniform(80.0, 350.0)
    vibrato = depth * np.sin(2 * np.pi * rate * np.arange(n) / sample_rate)
    freq = np.minimum(sweep + vibrato, sample_rate / 2.2)
    env = np.sin(np.linspace(0.0, np.pi, n)) ** 2
    return np.asarray(sine_from_freq(freq, sample_rate) * env, dtype=np.float32)


def bird_phrase(rng: np.random.Generator, sample_rate: int) -> Audio:
    """A short song: 2-6 chirps of one bird with small gaps between them."""
    low = rng.uniform(1800.0, 3500.0)
    high = low * rng.uniform(1.3, 2.0)
    pieces: list[Audio] = []
    for _ in range(int(rng.integers(2, 7))):
        pieces.append(_chirp(rng, sample_rate, low, high) * np.float32(rng.uniform(0.6, 1.0)))
        pieces.append(np.zeros(int(rng.uniform(0.03, 0.12) * sample_rate), dtype=np.float32))
    return np.concatenate(pieces)


def cricket_chirp(carrier: float, pulses: int, sample_rate: int) -> Audio:
    """A field-cricket chirp: ``pulses`` short tone pulses at ``carrier`` Hz."""
    pulse_n, period_n = int(0.014 * sample_rate), int(0.032 * sample_rate)
    t = np.arange(pulse_n) / sample_rate
    carrier = min(carrier, sample_rate / 2.5)
    tone = np.sin(2 * np.pi * carrier * t) + 0.15 * np.sin(4 * np.pi * carrier * t)
    pulse = (tone * np.sin(np.linspace(0.0, np.pi, pulse_n)) ** 2).astype(np.float32)
    out = np.zeros(period_n * pulses, dtype=np.float32)
    for index in range(pulses):
        out[index * period_n : index * period_n + pulse_n] += pulse
    return out


def clink(rng: np.random.Generator, sample_rate: int) -> Audio:
    """A cup or spoon touching ceramic: inharmonic partials with short ringing decays."""
    n = int(0.25 * sample_rate)
    t = np.arange(n) / sample_rate
    f0 = rng.uniform(1700.0, 2800.0)
    out = np.zeros(n, dtype=np.float32)
    for ratio, gain, tau in ((1.0, 1.0, 0.07), (2.32, 0.6, 0.045), (4.25, 0.35, 0.025)):
        hz = min(f0 * ratio, sample_rate / 2.2)
        out += (gain * np.exp(-t / tau) * np.sin(2 * np.pi * hz * t)).astype(np.float32)
    if rng.random() < 0.35:  # a second, softer touch
        shift = int(rng.uniform(0.06, 0.14) * sample_rate)
        out[shift:] += 0.5 * out[: n - shift]
    return out * raised_fade(n, 4, n // 5)


def key_press(rng: np.random.Generator, sample_rate: int) -> Audio:
    """One keyboard key: a bright plastic tick over a short low 'thock'."""
    n = int(0.04 * sample_rate)
    t = np.arange(n) / sample_rate
    space = rng.random() < 0.15
    tick = rng.standard_normal(n).astype(np.float32) * _decay(n, sample_rate, 0.0015)
    tick = process(tick, sample_rate, [pedalboard.HighpassFilter(1500.0 if not space else 700.0)])
    thock_hz = rng.uniform(250.0, 450.0) * (0.7 if space else 1.0)
    thock = np.sin(2 * np.pi * thock_hz * t) * np.exp(-t / 0.008)
    return (0.7 * tick + 0.5 * thock.astype(np.float32)) * raised_fade(n, 2, n // 4)


def fire_pop(rng: np.random.Generator, sample_rate: int) -> Audio:
    """A resin pop in burning wood: a damped noise burst in the low-mid range."""
    n = int(0.03 * sample_rate)
    burst = rng.standard_normal(n).astype(np.float32)
    burst *= _decay(n, sample_rate, rng.uniform(0.002, 0.008))
    centre = rng.uniform(600.0, 1800.0)
    return process(burst, sample_rate, [pedalboard.PeakFilter(centre, 12.0, 2.0)]) * 0.5


def bubble(rng: np.random.Generator, sample_rate: int) -> Audio:
    """A water bubble: a damped sine whose pitch rises as it collapses (Minnaert)."""
    f0 = float(np.exp(rng.uniform(np.log(350.0), np.log(2200.0))))
    tau = rng.uniform(0.004, 0.014)
    n = int(tau * 5.0 * sample_rate)
    freq = f0 * (1.0 + rng.uniform(0.3, 1.2) * np.linspace(0.0, 1.0, n))
    return sine_from_freq(freq, sample_rate) * _decay(n, sample_rate, tau)


def horn(rng: np.random.Generator, sample_rate: int) -> Audio:
    """A distant car horn: a two-note reedy tone, band-limited by distance."""
    n = int(rng.uniform(0.25, 0.6) * sample_rate)
    t = np.arange(n) / sample_rate
    base = rng.uniform(380.0, 460.0)
    tone = np.zeros(n, dtype=np.float32)
    for hz in (base, base * 1.26):
        for k in range(1, 7):
            tone += (np.sin(2 * np.pi * k * hz * t) / k).astype(np.float32)
    tone *= raised_fade(n, int(0.01 * sample_rate), int(0.03 * sample_rate))
    return process(tone, sample_rate, [pedalboard.LowpassFilter(1800.0)]) * 0.3
