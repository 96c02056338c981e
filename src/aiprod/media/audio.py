"""Programme audio: narration placed on exact samples, music ducked under the voice, SFX
at their cues, then loudness normalisation in two passes.

Pass one runs here, on the mix alone (audio only, fast): the mix is written to a WAV and
measured by ``loudnorm`` in the same ffmpeg run. Pass two runs inside the one video render
(``loudnorm_second_pass``), with the measured values, so the final level is exact.
"""

from __future__ import annotations

import json
import re
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import soxr

from aiprod.errors import FFmpegError
from aiprod.media.ffmpeg.graph import Filter, Graph, f
from aiprod.media.ffmpeg.run import run_ffmpeg
from aiprod.media.timeline import Timeline, seconds_at
from aiprod.spec.model import MusicSpec
from aiprod.spec.presets import Preset

MIX_RATE = 48000
LRA_TARGET = 20.0  # wide enough that loudnorm can stay linear for spoken-word programmes
TRUE_PEAK_MARGIN_DB = 0.5  # AAC encoding can add a few tenths of a dB of true peak
MUSIC_REFERENCE_LUFS = -22.0  # music bed level (before volume_db and ducking)


@dataclass(frozen=True)
class NarrationPlacement:
    wav: Path
    start_frame: int


def samples_at(frame: int, fps: Fraction, rate: int = MIX_RATE) -> int:
    return round(seconds_at(frame, fps) * rate)


def read_wav_mono(path: Path) -> tuple[np.ndarray, int]:
    """A 16-bit PCM WAV as float32 mono samples and its rate."""
    with wave.open(str(path), "rb") as wav:
        rate, channels = wav.getframerate(), wav.getnchannels()
        data = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    samples = data.astype(np.float32) / 32768.0
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return samples, rate


def write_wav_mono(path: Path, samples: np.ndarray, rate: int) -> None:
    pcm = np.clip(np.round(samples * 32767.0), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm.tobytes())


def assemble_narration(
    placements: Sequence[NarrationPlacement], timeline: Timeline, out: Path
) -> Path:
    """One mono 48 kHz track as long as the video, each clip at its exact sample."""
    total = samples_at(timeline.total_frames, timeline.fps)
    track = np.zeros(total, dtype=np.float32)
    for placement in placements:
        clip, rate = read_wav_mono(placement.wav)
        if rate != MIX_RATE:
            clip = soxr.resample(clip, rate, MIX_RATE, quality="HQ").astype(np.float32)
        start = samples_at(placement.start_frame, timeline.fps)
        end = min(total, start + len(clip))
        track[start:end] += clip[: end - start]
    write_wav_mono(out, track, MIX_RATE)
    return out


@dataclass(frozen=True)
class LoudnormMeasurement:
    input_i: float
    input_tp: float
    input_lra: float
    input_thresh: float
    target_offset: float

    @classmethod
    def parse(cls, stderr: str) -> LoudnormMeasurement:
        """The JSON block loudnorm prints with print_format=json (the last one)."""
        blocks = re.findall(r"\{[^{}]*\"input_i\"[^{}]*\}", stderr)
        if not blocks:
            raise FFmpegError(["ffmpeg", "loudnorm"], 0, "no loudnorm measurement in output")
        data = json.loads(blocks[-1])

        def num(key: str) -> float:
            value = float(data[key])
            return value if np.isfinite(value) else -70.0

        return cls(num("input_i"), num("input_tp"), num("input_lra"),
                   num("input_thresh"), num("target_offset"))

    @property
    def silent(self) -> bool:
        return self.input_i <= -69.0


def true_peak_target(preset: Preset) -> float:
    return preset.true_peak_dbtp - TRUE_PEAK_MARGIN_DB


def loudnorm_first_pass(preset: Preset) -> Filter:
    return f("loudnorm", I=preset.loudness_lufs, TP=true_peak_target(preset), LRA=LRA_TARGET,
             print_format="json")


def loudnorm_second_pass(measured: LoudnormMeasurement, preset: Preset) -> list[Filter]:
    """Normalise with the first pass's figures; back to 48 kHz; AAC-sized frames."""
    if measured.silent:  # nothing to normalise: loudnorm would amplify noise to the target
        return [f("aresample", MIX_RATE), f("asetnsamples", n=1024, p=0)]
    return [
        f("loudnorm", I=preset.loudness_lufs, TP=true_peak_target(preset), LRA=LRA_TARGET,
          measured_I=measured.input_i, measured_TP=measured.input_tp,
          measured_LRA=measured.input_lra, measured_thresh=measured.input_thresh,
          offset=measured.target_offset, linear="true"),
        f("aresample", MIX_RATE),
        # Debian's FFmpeg 5.1: after loudnorm the AAC encoder needs fixed-size frames
        f("asetnsamples", n=1024, p=0),
    ]


@dataclass(frozen=True)
class MixInputs:
    narration: Path
    timeline: Timeline
    music: MusicSpec | None = None
    music_gain_db: float = 0.0  # brings the music file to MUSIC_REFERENCE_LUFS


def music_chain(mix: MixInputs, total_s: Fraction) -> list[Filter]:
    assert mix.music is not None
    fade_out = min(mix.music.fade_out, float(total_s) / 3)
    return [
        f("aresample", MIX_RATE),
        f("aformat", sample_fmts="fltp", channel_layouts="stereo"),
        f("atrim", end=total_s),
        f("volume", f"{mix.music_gain_db + mix.music.volume_db:.2f}dB"),
        f("afade", t="in", st=0, d=min(mix.music.fade_in, float(total_s) / 3)),
        f("afade", t="out", st=max(0.0, float(total_s) - fade_out), d=fade_out),
    ]


def build_mix_command(mix: MixInputs, preset: Preset, out: Path) -> list[str]:
    """Audio-only ffmpeg run: mix to ``out`` and print loudnorm's first-pass figures."""
    tl = mix.timeline
    total_s = seconds_at(tl.total_frames, tl.fps)
    total_samples = samples_at(tl.total_frames, tl.fps)
    args: list[str] = ["-y", "-i", str(mix.narration)]
    graph = Graph()
    graph.add(["0:a"], [f("aformat", sample_fmts="fltp", sample_rates=MIX_RATE,
                          channel_layouts="stereo"), f("asplit", 2)], ["voice", "key"])
    layers = ["voice"]
    if mix.music is not None:
        loop = ["-stream_loop", "-1"]
        args += [*loop, "-i", mix.music.path]
        graph.add(["1:a"], music_chain(mix, total_s), ["bed"])
        if mix.music.duck:
            # the voice keys a compressor on the music: about 10 dB down while speaking
            graph.add(["bed", "key"], [f("sidechaincompress", threshold=0.015, ratio=12,
                                         attack=20, release=450, knee=2)], ["music"])
        else:
            graph.add(["key"], [f("anullsink")])
            graph.add(["bed"], [f("anull")], ["music"])
        layers.append("music")
    else:
        graph.add(["key"], [f("anullsink")])
    for i, cue in enumerate(tl.sfx):
        k = 1 + (1 if mix.music is not None else 0) + i
        args += ["-i", cue.path]
        delay = samples_at(cue.start, tl.fps)
        graph.add([f"{k}:a"], [
            f("aresample", MIX_RATE),
            f("aformat", sample_fmts="fltp", channel_layouts="stereo"),
            f("volume", f"{cue.volume_db:.2f}dB"),
            f("adelay", delays=f"{delay}S", all=1),
        ], [f"fx{i}"])
        layers.append(f"fx{i}")
    mix_filters = [f("amix", inputs=len(layers), normalize=0, duration="first")] if len(
        layers) > 1 else [f("anull")]
    graph.add(layers, [*mix_filters, f("apad"), f("atrim", end_sample=total_samples),
                       f("asplit", 2)], ["mix", "meter"])
    graph.add(["meter"], [loudnorm_first_pass(preset)], ["measured"])
    return [
        *args, "-filter_complex", graph.render(),
        "-map", "[mix]", "-c:a", "pcm_f32le", str(out),
        "-map", "[measured]", "-f", "null", "-",
    ]


def mix_programme_audio(mix: MixInputs, preset: Preset, out: Path) -> LoudnormMeasurement:
    """Run the mix; return loudnorm's first-pass measurement of it."""
    result = run_ffmpeg(build_mix_command(mix, preset, out))
    return LoudnormMeasurement.parse(result.stderr)
