"""Urban and indoor ambience recipes: city, traffic, cafe, crowd and office.

Same signature as the nature recipes: ``(rng, n, sample_rate, loop_s) -> (2, n) audio``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pedalboard

from aiprod.providers.sfx.dsp import (
    Audio,
    Grid,
    log_bell,
    lowpass_shape,
    make_lfo,
    pan,
    process,
    shaped_noise,
    stereo_noise,
    tilt,
)
from aiprod.providers.sfx.events import clink, event_times, horn, scatter
from aiprod.providers.sfx.layers import babble_mask, syllables, traffic_layer, typing_layer


def _rumble(rng: np.random.Generator, loop_s: float, wash: float, low: float = 1.0) -> Any:
    """A mask for the low rumble of a town, with a slowly breathing mid 'wash'."""
    breathe = make_lfo(rng, loop_s, (9.0, 23.0))

    def mask(grid: Grid) -> Any:
        f = grid.freqs
        rumble = low * lowpass_shape(f, 180.0, 1.5) * tilt(f, -2.0, 100.0)
        mid = wash * (0.7 + 0.3 * breathe(grid.times)) * log_bell(f, 600.0, 1.4)
        return rumble + mid

    return mask


def _murmur(
    rng: np.random.Generator,
    n: int,
    sample_rate: int,
    talkers: int,
    floor: float = 0.05,
    cutoff: float = 3500.0,
) -> Audio:
    """Crowd murmur in three groups (left, centre, right) of ``talkers`` voices each."""
    groups = []
    for position in (-0.6, 0.0, 0.6):
        speech = syllables(rng, n / sample_rate, talkers)
        voice = shaped_noise(rng, n, sample_rate, babble_mask(speech, floor, cutoff))
        groups.append(pan(voice, position))
    return np.asarray(sum(groups), dtype=np.float32)


def city(rng: np.random.Generator, n: int, sample_rate: int, loop_s: float) -> Audio:
    """A city street: distant rumble, far traffic, passers-by talking, the odd horn."""
    bed = stereo_noise(
        rng, n, sample_rate, _rumble(rng, loop_s, wash=0.4, low=1.6), correlation=0.5
    )
    events = np.zeros_like(bed)
    traffic_layer(events, rng, sample_rate, rate_hz=0.2, distances=(15.0, 40.0))
    horns = event_times(rng, 0.04, n / sample_rate)
    scatter(events, rng, sample_rate, horns, horn, gain_db=(-18.0, -10.0), spread=0.9)
    voices = _murmur(rng, n, sample_rate, talkers=1, cutoff=2500.0)
    street = pedalboard.Reverb(room_size=0.8, damping=0.5, wet_level=0.3, dry_level=0.7)
    wet = process(events + 0.4 * voices, sample_rate, [street])
    return (0.5 * bed + wet).astype(np.float32)


def traffic(rng: np.random.Generator, n: int, sample_rate: int, loop_s: float) -> Audio:
    """A busy road: steady engine rumble and a stream of cars and trucks passing close."""
    bed = stereo_noise(rng, n, sample_rate, _rumble(rng, loop_s, wash=1.0), correlation=0.6)
    cars = np.zeros_like(bed)
    traffic_layer(cars, rng, sample_rate, rate_hz=0.8, distances=(5.0, 25.0))
    horns = event_times(rng, 0.02, n / sample_rate)
    scatter(cars, rng, sample_rate, horns, horn, gain_db=(-16.0, -8.0), spread=0.9)
    road = pedalboard.Reverb(room_size=0.6, damping=0.6, wet_level=0.15, dry_level=0.9)
    return (0.5 * bed + process(cars, sample_rate, [road])).astype(np.float32)


def cafe(rng: np.random.Generator, n: int, sample_rate: int, loop_s: float) -> Audio:
    """A coffee shop: table conversations, cups and spoons, a warm room tone."""

    def room(grid: Grid) -> Any:
        return 0.25 * lowpass_shape(grid.freqs, 400.0) * tilt(grid.freqs, -2.0, 100.0)

    bed = stereo_noise(rng, n, sample_rate, room, correlation=0.5)
    murmur = _murmur(rng, n, sample_rate, talkers=3, cutoff=4500.0)
    cups = np.zeros_like(bed)
    times = event_times(rng, 1.2, n / sample_rate)
    scatter(cups, rng, sample_rate, times, clink, gain_db=(-20.0, -6.0), spread=0.8)
    space = pedalboard.Reverb(room_size=0.4, damping=0.6, wet_level=0.25, dry_level=0.8)
    return (bed + process(murmur + 0.5 * cups, sample_rate, [space])).astype(np.float32)


def crowd(rng: np.random.Generator, n: int, sample_rate: int, loop_s: float) -> Audio:
    """A large crowd in a hall or square: a dense wall of voices in a big space."""

    def shuffle(grid: Grid) -> Any:
        return 0.3 * lowpass_shape(grid.freqs, 250.0) * tilt(grid.freqs, -2.0, 100.0)

    bed = stereo_noise(rng, n, sample_rate, shuffle, correlation=0.3)
    murmur = _murmur(rng, n, sample_rate, talkers=8, floor=0.15, cutoff=2200.0)
    hall = pedalboard.Reverb(room_size=0.85, damping=0.5, wet_level=0.4, dry_level=0.6)
    return (bed + 0.6 * process(murmur, sample_rate, [hall])).astype(np.float32)


def office(rng: np.random.Generator, n: int, sample_rate: int, loop_s: float) -> Audio:
    """An open-plan office: ventilation hum, keyboards typing, a far conversation."""

    def hvac(grid: Grid) -> Any:
        f = grid.freqs
        return lowpass_shape(f, 350.0, 1.5) * tilt(f, -1.5, 100.0) + 0.12 * log_bell(f, 2000.0, 1.5)

    bed = stereo_noise(rng, n, sample_rate, hvac, correlation=0.6)
    desks = np.zeros_like(bed)
    typing_layer(desks, rng, sample_rate, typists=2)
    speech = syllables(rng, n / sample_rate, talkers=2)
    far = pan(shaped_noise(rng, n, sample_rate, babble_mask(speech)), rng.uniform(-0.5, 0.5))
    room = pedalboard.Reverb(room_size=0.25, damping=0.7, wet_level=0.15, dry_level=0.9)
    wet = process(0.25 * desks + 0.1 * far, sample_rate, [room])
    return (0.3 * bed + wet).astype(np.float32)
