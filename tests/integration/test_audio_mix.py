"""The programme mix with real ffmpeg: ducking depth, SFX placement, loudness on target."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from aiprod.media.audio import MIX_RATE, MixInputs, build_mix_command, normalise_loudness
from aiprod.media.ffmpeg.graph import f
from aiprod.media.ffmpeg.run import run_ffmpeg
from aiprod.media.measure import measure_loudness
from aiprod.media.timeline import build_timeline
from aiprod.spec.model import MusicSpec, VideoSpec
from aiprod.spec.presets import resolve_preset

VOICE_HZ, MUSIC_HZ = 1000.0, 110.0


def tone_bursts(path: Path, seconds: int) -> None:
    """A stand-in voice: 1 kHz for 2 s, silence for 2 s, repeated."""
    expr = f"0.5*sin(2*PI*{VOICE_HZ}*t)*lt(mod(t,4),2)"
    source = f("aevalsrc", expr, s=MIX_RATE, d=seconds).render()
    run_ffmpeg(["-y", "-f", "lavfi", "-i", source, "-c:a", "pcm_s16le", str(path)])


def read_f32_wav(path: Path) -> np.ndarray:
    raw = path.read_bytes()
    start = raw.index(b"data") + 8
    samples = np.frombuffer(raw[start:], dtype="<f4")
    return samples.reshape(-1, 2).mean(axis=1)


def level_db(block: np.ndarray, hz: float) -> float:
    """Amplitude of one frequency in a block (a single-bin DFT), in dB."""
    t = np.arange(len(block)) / MIX_RATE
    amplitude = 2 * abs(np.dot(block, np.exp(-2j * np.pi * hz * t))) / len(block)
    return float(20 * np.log10(max(amplitude, 1e-9)))


def mix_for(tmp_path: Path, seconds: int) -> tuple[MixInputs, Path]:
    voice, music = tmp_path / "voice.wav", tmp_path / "music.wav"
    tone_bursts(voice, seconds)
    run_ffmpeg(["-y", "-f", "lavfi", "-i", f"sine=f={MUSIC_HZ}:r=44100:d=3", str(music)])
    spec = VideoSpec.model_validate({"scenes": [{"duration": seconds, "transition": None}]})
    timeline = build_timeline(spec, resolve_preset("brand_campaign"), [None])
    bed = MusicSpec(path=str(music), volume_db=0, fade_in=0, fade_out=0)
    return MixInputs(voice, timeline, bed, music, music_gain_db=-12.0), tmp_path / "mix.wav"


def test_music_ducks_at_least_8_db_under_the_voice(tmp_path: Path) -> None:
    inputs, out = mix_for(tmp_path, 12)
    run_ffmpeg(build_mix_command(inputs, resolve_preset("brand_campaign"), out))
    mix = read_f32_wav(out)
    assert len(mix) == 12 * MIX_RATE  # exactly the timeline's length
    half = MIX_RATE // 2
    # the middle of each burst (voice on) against the end of each gap (released)
    under = [
        level_db(mix[s + half : s + 3 * half], MUSIC_HZ)
        for s in range(0, 12 * MIX_RATE, 4 * MIX_RATE)
    ]
    clear = [
        level_db(mix[s + 5 * half : s + 7 * half], MUSIC_HZ)
        for s in range(0, 12 * MIX_RATE, 4 * MIX_RATE)
    ]
    assert min(c - u for c, u in zip(clear, under, strict=True)) >= 8.0, (clear, under)


def test_music_is_untouched_when_ducking_is_off(tmp_path: Path) -> None:
    inputs, out = mix_for(tmp_path, 8)
    assert inputs.music is not None
    flat = replace(inputs, music=inputs.music.model_copy(update={"duck": False}))
    run_ffmpeg(build_mix_command(flat, resolve_preset("brand_campaign"), out))
    mix = read_f32_wav(out)
    half = MIX_RATE // 2
    assert (
        abs(level_db(mix[half : 3 * half], MUSIC_HZ) - level_db(mix[5 * half : 7 * half], MUSIC_HZ))
        < 1.0
    )


def test_normalised_programme_is_on_target(tmp_path: Path) -> None:
    inputs, out = mix_for(tmp_path, 8)
    preset = resolve_preset("premium_spot")
    run_ffmpeg(build_mix_command(inputs, preset, out))
    outcome = normalise_loudness(out, preset, 8.0, tmp_path / "programme.wav")
    measured = measure_loudness(tmp_path / "programme.wav")
    assert abs(measured.integrated_lufs - -23.0) <= 0.5
    assert measured.true_peak_dbtp <= -1.0
    assert abs(outcome.integrated_lufs - measured.integrated_lufs) <= 0.5
