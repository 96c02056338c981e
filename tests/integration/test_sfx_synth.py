"""Sound-effect synthesis end to end: real WAV files, measured like a sound designer would."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from aiprod.errors import ProviderRejectedInput
from aiprod.providers.sfx import AMBIENCE_CATEGORIES, SYNTH_LICENCE, SfxKind, synthesize_sfx
from aiprod.providers.sfx.wavio import read_wav

RATE = 48000
ONE_SHOTS: dict[SfxKind, float] = {
    "whoosh": 0.6,
    "pop": 0.15,
    "click": 0.06,
    "riser": 3.0,
    "impact": 2.5,
}
AMBIENCE_S = 6.0
Signal = npt.NDArray[np.float32]


def render(tmp_path: Path, kind: SfxKind, **kwargs: object) -> tuple[Signal, Path]:
    name = f"{kind}-{kwargs.get('category', '')}-{kwargs.get('seed', 0)}-{time.monotonic_ns()}"
    asset = synthesize_sfx(kind, out=tmp_path / f"{name}.wav", **kwargs)  # type: ignore[arg-type]
    audio, rate = read_wav(asset.path)
    assert rate == RATE
    assert audio.shape[0] == 2
    return audio, asset.path


def peak_dbfs(audio: Signal) -> float:
    return float(20 * np.log10(np.max(np.abs(audio))))


def window_db(mono: Signal, seconds: float = 0.1) -> npt.NDArray[np.float64]:
    size = round(seconds * RATE)
    frames = mono[: len(mono) // size * size].reshape(-1, size).astype(np.float64)
    return np.asarray(20 * np.log10(np.sqrt(np.mean(frames**2, axis=1)) + 1e-12), np.float64)


def centroid(mono: Signal) -> float:
    power = np.abs(np.fft.rfft(mono.astype(np.float64))) ** 2
    freqs = np.fft.rfftfreq(len(mono), 1 / RATE)
    return float(np.sum(power * freqs) / np.sum(power))


def octave_profile(mono: Signal) -> npt.NDArray[np.float64]:
    """Energy share (dB) in ten octave bands from 31 Hz to 16 kHz."""
    power = np.abs(np.fft.rfft(mono.astype(np.float64))) ** 2
    freqs = np.fft.rfftfreq(len(mono), 1 / RATE)
    edges = [31.25 * 2**k for k in range(11)]
    bands = np.array(
        [power[(freqs >= lo) & (freqs < hi)].sum() for lo, hi in itertools.pairwise(edges)]
    )
    return np.asarray(10 * np.log10(bands / bands.sum()), np.float64)


@pytest.mark.parametrize("kind", list(ONE_SHOTS))
def test_one_shot_renders_at_its_length_loud_enough_and_under_the_ceiling(
    tmp_path: Path, kind: SfxKind
) -> None:
    audio, _ = render(tmp_path, kind)
    assert audio.shape[1] == round(ONE_SHOTS[kind] * RATE)
    assert -1.0 - 1.0 < peak_dbfs(audio) <= -1.0
    assert float(np.sqrt(np.mean(audio**2))) > 10 ** (-40 / 20)


@pytest.mark.parametrize("kind", [*ONE_SHOTS, "ambience"])
def test_same_arguments_give_the_same_bytes_and_another_seed_does_not(
    tmp_path: Path, kind: SfxKind
) -> None:
    extra: dict[str, object] = {"category": "rain", "duration": 2.0} if kind == "ambience" else {}
    _, first = render(tmp_path, kind, seed=7, **extra)
    _, second = render(tmp_path, kind, seed=7, **extra)
    _, other = render(tmp_path, kind, seed=8, **extra)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()


def test_whoosh_sweeps_its_band_up_then_down(tmp_path: Path) -> None:
    audio, _ = render(tmp_path, "whoosh")
    mono = audio.mean(axis=0)
    n = len(mono)
    early = centroid(mono[int(0.15 * n) : int(0.3 * n)])
    middle = centroid(mono[int(0.42 * n) : int(0.58 * n)])
    late = centroid(mono[int(0.75 * n) : int(0.9 * n)])
    assert middle > 1.5 * early
    assert middle > 1.5 * late


def test_whoosh_travels_across_the_stereo_field(tmp_path: Path) -> None:
    audio, _ = render(tmp_path, "whoosh")
    n = audio.shape[1]
    balance = [
        float(np.sum(audio[1, a:b] ** 2) / np.sum(audio[0, a:b] ** 2))
        for a, b in ((int(0.1 * n), int(0.3 * n)), (int(0.7 * n), int(0.9 * n)))
    ]
    assert max(balance) / min(balance) > 3.0


@pytest.mark.parametrize("duration", [1.5, 4.0])
def test_riser_builds_to_its_end(tmp_path: Path, duration: float) -> None:
    audio, _ = render(tmp_path, "riser", duration=duration)
    levels = window_db(audio.mean(axis=0), duration / 8)
    assert audio.shape[1] == round(duration * RATE)
    assert levels[-1] > levels[0] + 15.0
    assert levels[-1] >= np.max(levels) - 1.0


def test_impact_puts_most_energy_below_200_hz(tmp_path: Path) -> None:
    audio, _ = render(tmp_path, "impact")
    mono = audio.mean(axis=0).astype(np.float64)
    power = np.abs(np.fft.rfft(mono)) ** 2
    freqs = np.fft.rfftfreq(len(mono), 1 / RATE)
    assert power[freqs < 200].sum() / power.sum() > 0.6
    levels = window_db(mono.astype(np.float32))
    assert int(np.argmax(levels)) <= 1  # hits at once, then decays


def test_pop_and_click_are_short_transients(tmp_path: Path) -> None:
    kinds: tuple[SfxKind, ...] = ("pop", "click")
    for kind in kinds:
        audio, _ = render(tmp_path, kind)
        levels = window_db(audio.mean(axis=0), 0.01)
        assert int(np.argmax(levels)) <= 1
        assert levels[-1] < levels.max() - 20.0


@pytest.mark.parametrize("category", AMBIENCE_CATEGORIES)
def test_ambience_is_exact_gentle_steady_and_loops(tmp_path: Path, category: str) -> None:
    audio, _ = render(tmp_path, "ambience", category=category, duration=AMBIENCE_S, seed=3)
    assert audio.shape[1] == round(AMBIENCE_S * RATE)
    assert peak_dbfs(audio) <= -1.0
    levels = window_db(audio.mean(axis=0))
    assert levels.min() > -60.0  # never drops out
    assert levels.max() - np.median(levels) < 12.0  # no loud spikes
    seam = np.abs(audio[:, 0] - audio[:, -1]).max()
    typical_step = np.abs(np.diff(audio, axis=1)).mean()
    assert seam < 8.0 * typical_step + 1e-3  # the end runs into the start


def test_every_ambience_category_sounds_different(tmp_path: Path) -> None:
    """Each pair differs in spectral balance (an octave band) or in how much it moves."""
    features = {}
    contents = set()
    for category in AMBIENCE_CATEGORIES:
        audio, path = render(tmp_path, "ambience", category=category, duration=AMBIENCE_S)
        mono = audio.mean(axis=0)
        features[category] = (octave_profile(mono), float(np.std(window_db(mono, 0.05))))
        contents.add(path.read_bytes())
    assert len(contents) == len(AMBIENCE_CATEGORIES)
    for first, second in itertools.combinations(AMBIENCE_CATEGORIES, 2):
        (profile_a, motion_a), (profile_b, motion_b) = features[first], features[second]
        spectral = float(np.max(np.abs(profile_a - profile_b)))
        assert spectral > 3.0 or abs(motion_a - motion_b) > 1.5, (first, second, spectral)


def test_asset_describes_the_file(tmp_path: Path) -> None:
    asset = synthesize_sfx("ambience", out=tmp_path / "bed.wav", category="forest", duration=2.5)
    assert asset.kind == "ambience"
    assert asset.category == "forest"
    assert asset.duration_s == 2.5
    assert asset.source == "synthesised"
    assert asset.synthesised
    assert asset.licence == SYNTH_LICENCE
    assert asset.seed == 0


def test_other_sample_rates_work(tmp_path: Path) -> None:
    asset = synthesize_sfx("whoosh", out=tmp_path / "w.wav", sample_rate=44100)
    audio, rate = read_wav(asset.path)
    assert rate == 44100
    assert audio.shape[1] == round(0.6 * 44100)


@pytest.mark.parametrize(
    ("kind", "kwargs"),
    [
        ("laser", {}),
        ("ambience", {}),
        ("ambience", {"category": "spaceship"}),
        ("riser", {"duration": 1.0}),
        ("riser", {"duration": 5.0}),
        ("whoosh", {"sample_rate": 8000}),
    ],
)
def test_bad_requests_are_rejected(tmp_path: Path, kind: str, kwargs: dict[str, object]) -> None:
    with pytest.raises(ProviderRejectedInput):
        synthesize_sfx(kind, out=tmp_path / "x.wav", **kwargs)  # type: ignore[arg-type]
    assert not (tmp_path / "x.wav").exists()
