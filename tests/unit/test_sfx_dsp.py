"""Synthesis building blocks: spectral shaping, loop seams, loop-periodic modulation, levels."""

from __future__ import annotations

import numpy as np

from aiprod.providers.sfx.dsp import (
    Grid,
    level_bed,
    loop_crossfade,
    make_lfo,
    make_rng,
    normalise_peak,
    pan,
    shaped_noise,
)
from aiprod.providers.sfx.wavio import to_pcm16

RATE = 48000


def test_rng_depends_only_on_seed_and_salt() -> None:
    assert make_rng(1, "a").random() == make_rng(1, "a").random()
    assert make_rng(1, "a").random() != make_rng(1, "b").random()
    assert make_rng(1, "a").random() != make_rng(2, "a").random()


def test_flat_mask_gives_unit_white_noise_of_the_exact_length() -> None:
    noise = shaped_noise(make_rng(0), 30001, RATE, lambda grid: np.ones_like(grid.freqs))
    assert noise.shape == (30001,)
    assert 0.95 < float(np.std(noise)) < 1.05


def test_mask_shapes_the_spectrum_over_time() -> None:
    def mask(grid: Grid) -> np.ndarray:
        low = grid.freqs < 1000.0
        return np.where(grid.times < 0.5, low, ~low).astype(np.float64)

    noise = shaped_noise(make_rng(0), RATE, RATE, mask)
    first, second = noise[2000:22000], noise[26000:46000]
    freqs = np.fft.rfftfreq(len(first), 1 / RATE)
    for part, expect_low in ((first, True), (second, False)):
        power = np.abs(np.fft.rfft(part)) ** 2
        low_share = power[freqs < 1000].sum() / power.sum()
        assert (low_share > 0.9) if expect_low else (low_share < 0.1)


def test_loop_crossfade_joins_the_end_to_the_start() -> None:
    ramp = np.linspace(0.0, 1.0, 1200, dtype=np.float32)[None, :].repeat(2, axis=0)
    looped = loop_crossfade(ramp, 1000)
    assert looped.shape == (2, 1000)
    assert abs(float(looped[0, 0]) - float(ramp[0, 1000])) < 1e-6
    np.testing.assert_array_equal(looped[:, 200:], ramp[:, 200:1000])


def test_lfo_repeats_every_loop_and_stays_in_range() -> None:
    lfo = make_lfo(make_rng(0), 7.3, (2.0, 5.0))
    t = np.linspace(0.0, 7.3, 500)
    values = lfo(t)
    assert np.allclose(values, lfo(t + 7.3))
    assert values.min() >= 0.0 and values.max() <= 1.0


def test_levels_and_pan() -> None:
    signal = np.sin(np.linspace(0, 100, 4800)).astype(np.float32)[None, :].repeat(2, axis=0)
    peak = normalise_peak(signal, -6.0)
    assert abs(20 * np.log10(np.abs(peak).max()) + 6.0) < 1e-3
    bed = level_bed(signal, -30.0, -1.0)
    assert abs(20 * np.log10(np.sqrt(np.mean(bed**2))) + 30.0) < 0.01
    loud = level_bed(signal, 0.0, -1.0)
    assert np.abs(loud).max() <= 10 ** (-1 / 20) + 1e-6
    left = pan(np.ones(4, dtype=np.float32), -1.0)
    assert np.allclose(left[0], 1.0) and np.allclose(left[1], 0.0, atol=1e-7)
    assert len(to_pcm16(left)) == 4 * 2 * 2
