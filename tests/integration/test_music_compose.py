"""compose_music with the real FluidSynth and soundfonts: length, level, ending, determinism."""

from __future__ import annotations

import itertools
import time
import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from aiprod.errors import ProviderRejectedInput, ProviderUnavailable
from aiprod.providers.music import MOODS, Mood, MusicTrack, compose_music
from aiprod.providers.music.render import find_soundfont

RATE = 48000
SECONDS = 6.0
TIMGM = Path("/usr/share/sounds/sf2/TimGM6mb.sf2")

Samples = npt.NDArray[np.float64]


def _read(track: MusicTrack) -> Samples:
    with wave.open(str(track.path), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (2, 2)
        assert wav.getframerate() == track.sample_rate
        frames = wav.readframes(wav.getnframes())
    return np.frombuffer(frames, dtype="<i2").reshape(-1, 2).astype(np.float64) / 32768.0


def _db(samples: Samples) -> float:
    return float(20.0 * np.log10(np.sqrt(np.mean(samples**2)) + 1e-10))


def _band_profile(samples: Samples) -> Samples:
    """Share of energy in octave bands from 31 Hz: a coarse spectral fingerprint."""
    power = np.abs(np.fft.rfft(samples.mean(axis=1))) ** 2
    freqs = np.fft.rfftfreq(len(samples), 1.0 / RATE)
    edges = 31.25 * 2.0 ** np.arange(11)
    bands = np.array(
        [power[(freqs >= lo) & (freqs < hi)].sum() for lo, hi in itertools.pairwise(edges)]
    )
    return np.asarray(bands / bands.sum(), dtype=np.float64)


@pytest.fixture(scope="module")
def tracks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, MusicTrack]:
    folder = tmp_path_factory.mktemp("music")
    return {
        mood: compose_music(mood=mood, duration_s=SECONDS, out=folder / f"{mood}.wav")
        for mood in MOODS
    }


@pytest.mark.parametrize("mood", MOODS)
def test_each_mood_renders_exact_length_audible_and_ends_quietly(
    tracks: dict[str, MusicTrack], mood: Mood
) -> None:
    track = tracks[mood]
    samples = _read(track)
    assert len(samples) == round(SECONDS * RATE)
    assert track.mood == mood and track.duration_s == SECONDS and track.sample_rate == RATE
    assert track.soundfont == find_soundfont()
    body = _db(samples[int(0.5 * RATE) : int(4.0 * RATE)])
    assert body > -30.0
    assert _db(samples[-int(0.05 * RATE) :]) < body - 30.0
    assert 20.0 * np.log10(np.abs(samples).max()) <= -1.0
    assert np.abs(samples[-1]).max() == 0.0


def test_moods_differ_in_tempo_key_and_spectrum(tracks: dict[str, MusicTrack]) -> None:
    assert len({(t.tempo_bpm, t.key) for t in tracks.values()}) == len(MOODS)
    profiles = {mood: _band_profile(_read(track)) for mood, track in tracks.items()}
    for i, first in enumerate(MOODS):
        for second in MOODS[i + 1 :]:
            distance = float(np.abs(profiles[first] - profiles[second]).sum())
            assert distance > 0.1, (first, second, distance)


def test_same_seed_gives_the_same_bytes_another_seed_other_bytes(
    tracks: dict[str, MusicTrack], tmp_path: Path
) -> None:
    again = compose_music(mood="upbeat", duration_s=SECONDS, out=tmp_path / "again.wav")
    other = compose_music(mood="upbeat", duration_s=SECONDS, out=tmp_path / "other.wav", seed=1)
    reference = tracks["upbeat"].path.read_bytes()
    assert again.path.read_bytes() == reference
    assert other.path.read_bytes() != reference
    assert again == MusicTrack(**{**vars(tracks["upbeat"]), "path": again.path})


@pytest.mark.parametrize(
    ("mood", "duration", "rate"), [("calm", 2.0, 48000), ("dramatic", 3.3, 44100)]
)
def test_very_short_tracks_and_other_rates_are_exact(
    tmp_path: Path, mood: Mood, duration: float, rate: int
) -> None:
    track = compose_music(
        mood=mood, duration_s=duration, out=tmp_path / "short.wav", sample_rate=rate
    )
    samples = _read(track)
    assert len(samples) == round(duration * rate)
    assert _db(samples) > -30.0
    assert _db(samples[-int(0.05 * rate) :]) < _db(samples) - 25.0


def test_thirty_seconds_render_quickly_with_each_soundfont(tmp_path: Path) -> None:
    fonts = dict.fromkeys(p for p in (find_soundfont(), TIMGM) if p.is_file())
    for soundfont in fonts:
        started = time.perf_counter()
        out = tmp_path / f"{soundfont.stem}.wav"
        track = compose_music(mood="inspiring", duration_s=30.0, out=out, soundfont=soundfont)
        elapsed = time.perf_counter() - started
        print(f"30 s of music with {soundfont.name}: {elapsed:.2f} s")
        assert elapsed < 15.0
        assert len(_read(track)) == 30 * RATE


def test_bad_requests_and_missing_tools_raise_clear_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "x.wav"
    with pytest.raises(ProviderUnavailable, match="soundfont"):
        compose_music(mood="calm", duration_s=5.0, out=out, soundfont=tmp_path / "none.sf2")
    with pytest.raises(ProviderRejectedInput, match="duration"):
        compose_music(mood="calm", duration_s=0.2, out=out)
    with pytest.raises(ProviderRejectedInput, match="mood"):
        compose_music(mood="sad", duration_s=5.0, out=out)  # type: ignore[arg-type]
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ProviderUnavailable, match="fluidsynth"):
        compose_music(mood="calm", duration_s=5.0, out=out)
    assert not out.exists()
