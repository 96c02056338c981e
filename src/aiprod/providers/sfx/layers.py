"""Compound ambience layers: loop-periodic modulation, passing cars, crowd babble, typing,
crickets and fire crackle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pedalboard

from aiprod.providers.sfx.dsp import (
    Audio,
    Grid,
    log_bell,
    lowpass_shape,
    pan,
    place,
    process,
    raised_fade,
    tilt,
)
from aiprod.providers.sfx.events import cricket_chirp, key_press

SPEED_OF_SOUND = 343.0


def _harmonics(freq: npt.NDArray[Any], sample_rate: int, gains: list[float]) -> Audio:
    """A tone following ``freq`` with harmonic ``k+1`` at ``gains[k]`` (fast: powers of e^iφ)."""
    rotor = np.exp(1j * (2 * np.pi * np.cumsum(freq) / sample_rate)).astype(np.complex64)
    power = rotor.copy()
    out = np.zeros(len(freq), dtype=np.float32)
    for gain in gains:
        out += np.float32(gain) * power.imag
        power *= rotor
    return out


def car_pass(rng: np.random.Generator, sample_rate: int, distance: float, heavy: bool) -> Audio:
    """One vehicle driving past at ``distance`` metres: tyres, engine, doppler and pan."""
    half = 4.0
    n = int(2 * half * sample_rate)
    t = np.arange(n) / sample_rate - half
    x = rng.uniform(7.0, 12.0) * t if heavy else rng.uniform(9.0, 17.0) * t
    r = np.sqrt(distance**2 + x**2)
    doppler = SPEED_OF_SOUND / (SPEED_OF_SOUND + np.gradient(r) * sample_rate)
    engine_hz = (rng.uniform(16.0, 24.0) if heavy else rng.uniform(26.0, 42.0)) * doppler
    engine = _harmonics(
        engine_hz, sample_rate, [rng.uniform(0.3, 1.0) / k**0.7 for k in range(1, 9)]
    )
    cutoff = 900.0 + 5000.0 / (1.0 + distance / 5.0)
    lowpass = [pedalboard.LowpassFilter(cutoff), pedalboard.LowpassFilter(cutoff)]
    tyre = process(
        rng.standard_normal(n).astype(np.float32),
        sample_rate,
        [pedalboard.HighpassFilter(150.0), *lowpass],
    )
    gain = (distance / r) * raised_fade(n, n // 8, n // 8)
    mono = ((tyre + (0.35 if heavy else 0.18) * engine) * gain).astype(np.float32)
    return pan(mono, ((x / r) * rng.choice([-1.0, 1.0])).astype(np.float32))


def traffic_layer(
    track: Audio,
    rng: np.random.Generator,
    sample_rate: int,
    rate_hz: float,
    distances: tuple[float, float],
) -> None:
    """Cars (and some trucks) passing at ``rate_hz`` between ``distances`` metres away."""
    length_s = track.shape[1] / sample_rate
    count = int(rng.poisson(rate_hz * (length_s + 8.0)))
    for centre in sorted(rng.uniform(-4.0, length_s + 4.0, count)):
        distance = float(rng.uniform(*distances))
        car = car_pass(rng, sample_rate, distance, heavy=rng.random() < 0.15)
        level = np.float32(min(1.0, 4.0 / distance))
        place(track, car * level, round((centre - 4.0) * sample_rate))


@dataclass(frozen=True)
class Syllables:
    """Babble as arrays, one entry per syllable: timing, formants, level and voice pitch."""

    start: npt.NDArray[np.float64]
    length: npt.NDArray[np.float64]
    formants: npt.NDArray[np.float64]  # (count, 3) Hz
    level: npt.NDArray[np.float64]
    pitch: npt.NDArray[np.float64]


def syllables(rng: np.random.Generator, length_s: float, talkers: int) -> Syllables:
    """Phrases of syllables for ``talkers`` people talking over ``length_s`` seconds."""
    rows: list[tuple[float, ...]] = []
    for _ in range(talkers):
        now, pitch, level = rng.uniform(-1.0, 1.0), rng.uniform(95.0, 230.0), rng.uniform(0.4, 1.0)
        while now < length_s:
            for _ in range(int(rng.integers(3, 13))):
                length = rng.uniform(0.1, 0.28)
                f1, f2 = rng.uniform(300.0, 850.0), rng.uniform(900.0, 2400.0)
                loud = level * rng.uniform(0.5, 1.0)
                rows.append((now, length, f1, f2, rng.uniform(2400.0, 3200.0), loud, pitch))
                now += length * rng.uniform(1.0, 1.25)
            now += rng.uniform(0.3, 1.6)
    table = np.array(rows, dtype=np.float64).reshape(-1, 7)
    return Syllables(table[:, 0], table[:, 1], table[:, 2:5], table[:, 5], table[:, 6])


def babble_mask(speech: Syllables, floor: float = 0.05, cutoff: float = 3500.0) -> Any:
    """A spectral mask for crowd murmur: formant-shaped, lightly voiced noise bursts,
    low-passed at ``cutoff`` Hz (lower sounds further away)."""

    def mask(grid: Grid) -> Any:
        freqs = grid.freqs
        times = grid.times[:, 0]
        out = np.full((len(times), freqs.shape[1]), floor, dtype=np.float64)
        active = (speech.start < times[-1]) & (speech.start + speech.length > times[0])
        for index in np.flatnonzero(active):
            rel = (times - speech.start[index]) / speech.length[index]
            rows = np.flatnonzero((rel > 0.0) & (rel < 1.0))
            f1, f2, f3 = speech.formants[index]
            shape = log_bell(freqs, f1, 0.3) + 0.7 * log_bell(freqs, f2, 0.25)
            shape += 0.3 * log_bell(freqs, f3, 0.2)
            comb = 0.35 + 0.65 * (0.5 + 0.5 * np.cos(2 * np.pi * freqs / speech.pitch[index])) ** 4
            env = speech.level[index] * np.sin(np.pi * rel[rows])[:, None]
            out[rows] += env * (shape * comb)[0]
        return out * lowpass_shape(freqs, cutoff) * tilt(freqs, -2.0, 500.0)

    return mask


def typing_layer(track: Audio, rng: np.random.Generator, sample_rate: int, typists: int) -> None:
    """Bursts of typing (5-9 keys a second) separated by pauses, one position per typist."""
    length_s = track.shape[1] / sample_rate
    for _ in range(typists):
        position, level = rng.uniform(-0.7, 0.7), rng.uniform(0.4, 1.0)
        now = rng.uniform(0.0, 3.0)
        while now < length_s:
            for _ in range(int(rng.integers(5, 40))):
                key = key_press(rng, sample_rate) * np.float32(level * rng.uniform(0.6, 1.0))
                place(track, pan(key, position), round(now * sample_rate))
                now += 1.0 / rng.uniform(5.0, 9.0)
            now += rng.uniform(1.0, 4.0)


def cricket_layer(track: Audio, rng: np.random.Generator, sample_rate: int, count: int) -> None:
    """``count`` crickets chirping steadily, each with its own pitch, rhythm and place."""
    length_s = track.shape[1] / sample_rate
    for _ in range(count):
        carrier, pulses = rng.uniform(3800.0, 5200.0), int(rng.integers(3, 6))
        period, level = rng.uniform(0.4, 0.8), rng.uniform(0.25, 1.0)
        chirp = pan(
            cricket_chirp(carrier, pulses, sample_rate) * np.float32(level), rng.uniform(-0.8, 0.8)
        )
        now = rng.uniform(0.0, period)
        while now < length_s:
            place(track, chirp * np.float32(rng.uniform(0.8, 1.0)), round(now * sample_rate))
            now += period * rng.uniform(0.95, 1.05)


def crackle_layer(rng: np.random.Generator, n: int, sample_rate: int, rate_hz: float) -> Audio:
    """Wood crackle: clustered sub-millisecond clicks, brightened, as a stereo track."""
    length_s = n / sample_rate
    clicks = np.zeros((2, n), dtype=np.float32)
    centres = rng.uniform(0.0, length_s, int(rng.poisson(rate_hz / 4.0 * length_s)))
    for centre in centres:
        size = int(rng.integers(1, 9))
        times = centre + np.abs(rng.normal(0.0, 0.05, size))
        index = np.minimum((times * sample_rate).astype(int), n - 1)
        amp = np.minimum(rng.pareto(3.0, size) + 0.2, 3.0) * rng.choice([-1.0, 1.0], size)
        channel = int(rng.random() < 0.5)
        clicks[channel, index] += amp
        clicks[1 - channel, index] += 0.6 * amp
    return process(
        clicks,
        sample_rate,
        [pedalboard.HighpassFilter(1200.0), pedalboard.PeakFilter(3500.0, 6.0, 1.0)],
    )
