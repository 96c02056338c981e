"""Nature ambience recipes: rain, ocean, forest, wind, night, fire and stream.

Each takes a seeded generator, a render length ``n`` (samples), the sample rate and the
loop length ``loop_s`` (slow modulations repeat exactly every ``loop_s`` seconds) and returns
stereo float audio at an arbitrary level.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pedalboard

from aiprod.providers.sfx.dsp import (
    Audio,
    Grid,
    highpass_shape,
    log_bell,
    lowpass_shape,
    make_lfo,
    pan,
    process,
    shaped_noise,
    stereo_noise,
    tilt,
    time_axis,
)
from aiprod.providers.sfx.events import (
    bird_phrase,
    bubble,
    droplet,
    event_times,
    fire_pop,
    scatter,
)
from aiprod.providers.sfx.layers import crackle_layer, cricket_layer


def rain(rng: np.random.Generator, n: int, sample_rate: int, loop_s: float) -> Audio:
    """Steady rain: dense hiss on several surfaces plus a patter of individual drops."""
    intensity = make_lfo(rng, loop_s, (6.0, 17.0))

    def mask(grid: Grid) -> Any:
        f = grid.freqs
        surfaces = log_bell(f, 5500.0, 1.3) + 0.6 * log_bell(f, 1500.0, 1.0)
        body = 0.35 * lowpass_shape(f, 250.0)
        return (
            (0.85 + 0.15 * intensity(grid.times))
            * (surfaces + body)
            * lowpass_shape(f, 14000.0, 3.0)
        )

    bed = stereo_noise(rng, n, sample_rate, mask, correlation=0.2)
    drops = np.zeros_like(bed)
    times = event_times(rng, 80.0, n / sample_rate)
    scatter(drops, rng, sample_rate, times, droplet, gain_db=(-28.0, -10.0), spread=1.0)
    return (bed + drops).astype(np.float32)


def ocean(rng: np.random.Generator, n: int, sample_rate: int, loop_s: float) -> Audio:
    """Waves on a beach: slowly swelling low-passed surf with foam hiss at each crest."""
    swell = make_lfo(rng, loop_s, (8.0, 13.0, 27.0))

    def channel_mask(offset: float) -> Any:
        def mask(grid: Grid) -> Any:
            f = grid.freqs
            s = swell(grid.times + offset) ** 1.5
            surf = (0.3 + 0.7 * s) * lowpass_shape(f, 300.0 + 2200.0 * s, 1.5)
            foam = 0.35 * s**3 * highpass_shape(f, 2500.0) * lowpass_shape(f, 10000.0)
            return surf * tilt(f, -1.5, 300.0) + foam + 0.25 * lowpass_shape(f, 120.0)

        return mask

    left = shaped_noise(rng, n, sample_rate, channel_mask(0.0))
    right = shaped_noise(rng, n, sample_rate, channel_mask(1.3))
    return np.stack([left, right]).astype(np.float32)


def _gusty_air(rng: np.random.Generator, loop_s: float, periods: tuple[float, ...]) -> Any:
    """A wind-noise mask whose band, level and leaf rustle follow a slow gust curve."""
    gust = make_lfo(rng, loop_s, periods)

    def mask(grid: Grid) -> Any:
        f, g = grid.freqs, gust(grid.times)
        air = (0.5 + 0.5 * g) * log_bell(f, 350.0 + 350.0 * g, 1.4) * tilt(f, -1.0, 500.0)
        leaves = 0.12 * (0.3 + 0.7 * g**2) * log_bell(f, 4500.0, 0.9)
        return air + leaves + 0.3 * lowpass_shape(f, 110.0)

    return mask


def forest(rng: np.random.Generator, n: int, sample_rate: int, loop_s: float) -> Audio:
    """A wood in the day: soft wind in the leaves and birds singing here and there."""
    bed = stereo_noise(rng, n, sample_rate, _gusty_air(rng, loop_s, (7.0, 13.0, 29.0)), 0.4)
    birds = np.zeros_like(bed)
    times = event_times(rng, 0.45, n / sample_rate)
    scatter(birds, rng, sample_rate, times, bird_phrase, gain_db=(-12.0, -2.0), spread=0.9)
    space = pedalboard.Reverb(room_size=0.7, damping=0.5, wet_level=0.35, dry_level=0.7)
    return (0.5 * bed + 0.45 * process(birds, sample_rate, [space])).astype(np.float32)


def wind(rng: np.random.Generator, n: int, sample_rate: int, loop_s: float) -> Audio:
    """Open-air wind: a moving low band in gusts, a faint whistle on the strongest ones."""
    gusts = [make_lfo(rng, loop_s, (5.0, 11.0, 19.0)) for _ in range(2)]

    def channel_mask(gust: Any) -> Any:
        def mask(grid: Grid) -> Any:
            f, g = grid.freqs, gust(grid.times)
            body = (0.45 + 0.55 * g) * log_bell(f, 250.0 + 450.0 * g, 1.3)
            whistle = 0.3 * g**2 * log_bell(f, 900.0 + 500.0 * g, 0.06)
            return body * tilt(f, -1.0, 400.0) + whistle + 0.4 * lowpass_shape(f, 100.0)

        return mask

    left, right = (shaped_noise(rng, n, sample_rate, channel_mask(g)) for g in gusts)
    return np.stack([left, right]).astype(np.float32)


def night(rng: np.random.Generator, n: int, sample_rate: int, loop_s: float) -> Audio:
    """A summer night: still air, a far insect trill and several crickets chirping."""

    def air_mask(grid: Grid) -> Any:
        return 0.35 * tilt(grid.freqs, -3.0, 300.0) * lowpass_shape(grid.freqs, 1200.0)

    def trill_mask(grid: Grid) -> Any:
        return 0.4 * log_bell(grid.freqs, 6500.0, 0.08)

    bed = stereo_noise(rng, n, sample_rate, air_mask, correlation=0.5)
    pulse = (0.5 + 0.5 * np.sin(2 * np.pi * 45.0 * time_axis(n, sample_rate))) ** 2
    trill = shaped_noise(rng, n, sample_rate, trill_mask) * pulse.astype(np.float32)
    crickets = pan(trill, rng.uniform(-0.5, 0.5))
    cricket_layer(crickets, rng, sample_rate, count=6)
    air = pedalboard.Reverb(room_size=0.5, damping=0.5, wet_level=0.25, dry_level=0.8)
    return (0.4 * bed + 0.25 * process(crickets, sample_rate, [air])).astype(np.float32)


def fire(rng: np.random.Generator, n: int, sample_rate: int, loop_s: float) -> Audio:
    """A wood fire: a flickering low roar, soft hiss, crackle clusters and resin pops."""
    flicker = make_lfo(rng, loop_s, (0.7, 1.3, 3.1))

    def mask(grid: Grid) -> Any:
        f = grid.freqs
        roar = (0.6 + 0.4 * flicker(grid.times)) * lowpass_shape(f, 450.0, 1.5)
        return roar * tilt(f, -3.0, 200.0) + 0.06 * log_bell(f, 4000.0, 1.0)

    bed = stereo_noise(rng, n, sample_rate, mask, correlation=0.6)
    crackle = crackle_layer(rng, n, sample_rate, rate_hz=35.0)
    pops = np.zeros_like(bed)
    times = event_times(rng, 1.2, n / sample_rate)
    scatter(pops, rng, sample_rate, times, fire_pop, gain_db=(-12.0, -3.0), spread=0.6)
    return np.asarray(bed + 0.4 * crackle + 1.2 * pops, dtype=np.float32)


def stream(rng: np.random.Generator, n: int, sample_rate: int, loop_s: float) -> Audio:
    """A babbling brook: a mid-range water wash full of small bubbling tones."""
    flow = make_lfo(rng, loop_s, (2.0, 5.0))

    def mask(grid: Grid) -> Any:
        f = grid.freqs
        wash = log_bell(f, 1100.0, 1.5) + 0.25 * highpass_shape(f, 4000.0)
        return (0.85 + 0.15 * flow(grid.times)) * wash * lowpass_shape(f, 12000.0)

    bed = stereo_noise(rng, n, sample_rate, mask, correlation=0.3)
    bubbles = np.zeros_like(bed)
    times = event_times(rng, 70.0, n / sample_rate)
    scatter(bubbles, rng, sample_rate, times, bubble, gain_db=(-20.0, -4.0), spread=0.9)
    return (0.2 * bed + bubbles).astype(np.float32)
