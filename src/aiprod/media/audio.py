"""Programme audio: narration placed on exact samples, music ducked under the voice, SFX
at their cues, then loudness normalisation in two passes.

All of it runs on audio alone (fast), before the video render: the mix is written to a
WAV, measured by ``ebur128`` (pass one), normalised with those figures (pass two),
measured again and, when needed, corrected. The video render only encodes the result.
"""

from __future__ import annotations

import wave
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import soxr

from aiprod.media.ffmpeg.graph import Filter, Graph, OptionValue, f
from aiprod.media.ffmpeg.run import run_ffmpeg
from aiprod.media.measure import Loudness, measure_loudness
from aiprod.media.timeline import SfxPlacement, Timeline, seconds_at
from aiprod.spec.model import MusicSpec
from aiprod.spec.presets import Preset

MIX_RATE = 48000
LRA_TARGET = 20.0  # wide enough that loudnorm can stay linear for spoken-word programmes
# AAC raises true peaks, the more the lower the bitrate (measured on a mix with impacts:
# +0.3 dB at 192k, +0.3 at 128k, +1.8 at 96k), so the ceiling before encoding keeps room.
TRUE_PEAK_MARGINS_DB = ((192, 1.0), (128, 1.5), (0, 2.5))  # (from kbit/s, margin)
MUSIC_REFERENCE_LUFS = -22.0  # music bed level (before volume_db and ducking)
LOUDNORM_MIN_SECONDS = 3.0  # loudnorm's look-ahead window
LOUDNESS_SETTLED_LU = 0.3  # closer than this to the target needs no closing correction
CLOSING_STEPS = 3
LIMITER_MARGIN_DB = 1.0  # alimiter limits sample peaks; inter-sample peaks need room
# The voice chain of a broadcast mix: a gentle compressor evens out Piper's per-sentence
# peak normalisation, then a fast limiter takes the peaks down to about 11.5 dB above the
# voice's loudness (measured: 20 dB raw). That lets every target up to -14 LUFS be reached
# with a plain, exact gain under the true-peak ceiling instead of a dynamic limiter.
VOICE_COMPRESSOR: dict[str, OptionValue] = {
    "threshold": 0.1,
    "ratio": 3,
    "attack": 5,
    "release": 150,
    "makeup": 1,
}
VOICE_LIMITER: dict[str, OptionValue] = {"limit": 0.2, "attack": 3, "release": 50, "level": "false"}
# The mix bus limiter lets effects peak 1 dB over the voice's peaks and no further: an
# impact or a pop then punctuates without setting the level of the whole programme.
BUS_LIMITER: dict[str, OptionValue] = {"limit": 0.22, "attack": 2, "release": 60, "level": "false"}


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
    def from_ebur128(cls, level: Loudness) -> LoudnormMeasurement:
        """Pass one from an ``ebur128`` measurement: the same BS.1770 figures as loudnorm's
        own first pass, at a quarter of the cost (no 192 kHz resampling)."""

        def finite(value: float) -> float:
            return value if np.isfinite(value) else -70.0

        integrated = finite(level.integrated_lufs)
        return cls(
            input_i=integrated,
            input_tp=finite(level.true_peak_dbtp),
            input_lra=level.lra if np.isfinite(level.lra) else 0.0,
            input_thresh=integrated - 10.0,  # BS.1770's relative gate
            target_offset=0.0,
        )

    @property
    def silent(self) -> bool:
        return self.input_i <= -69.0


def true_peak_target(preset: Preset) -> float:
    """The true-peak ceiling for the mix before AAC encoding (loudnorm's floor is -9)."""
    margin = next(m for rate, m in TRUE_PEAK_MARGINS_DB if preset.audio_bitrate_k >= rate)
    return max(-9.0, preset.true_peak_dbtp - margin)


def loudnorm_second_pass(
    measured: LoudnormMeasurement, preset: Preset, duration_s: float
) -> list[Filter]:
    """Bring the mix to the preset's loudness using the first pass's figures.

    When a plain gain reaches the target without passing the true-peak ceiling, apply just
    that gain: it is what loudnorm's linear mode does, minus its 192 kHz round trip, and it
    stays exact on programmes shorter than loudnorm's 3 s window (where loudnorm's own
    linear pass misses the target by 20 dB on FFmpeg 5.1). Otherwise loudnorm's dynamic
    mode limits the peaks, on audio padded past its look-ahead.
    """
    if measured.silent:  # nothing to normalise: loudnorm would amplify noise to the target
        return [f("aresample", MIX_RATE)]
    gain = preset.loudness_lufs - measured.input_i
    ceiling = true_peak_target(preset)
    if measured.input_tp + gain <= ceiling:
        return [f("volume", f"{gain:.2f}dB"), f("aresample", MIX_RATE)]
    total = round(duration_s * MIX_RATE)
    return [
        # loudnorm limits with a 3 s look-ahead; padding keeps short programmes on target
        f("apad", pad_dur=LOUDNORM_MIN_SECONDS),
        f(
            "loudnorm",
            I=preset.loudness_lufs,
            TP=ceiling,
            LRA=LRA_TARGET,
            measured_I=measured.input_i,
            measured_TP=measured.input_tp,
            measured_LRA=measured.input_lra,
            measured_thresh=measured.input_thresh,
            offset=measured.target_offset,
            linear="true",
        ),
        f("aresample", MIX_RATE),
        f("aformat", sample_fmts="flt", channel_layouts="stereo"),
        f("atrim", end_sample=total),
    ]


@dataclass(frozen=True)
class MixInputs:
    """Everything the mix needs. Sound-effect placements on ``timeline`` carry file paths."""

    narration: Path
    timeline: Timeline
    music: MusicSpec | None = None
    music_file: Path | None = None  # the user's file, or the composed track
    music_gain_db: float = 0.0  # brings the music file to MUSIC_REFERENCE_LUFS

    @property
    def composed(self) -> bool:
        """Composed music is cut to length with its own intro and ending: no fades."""
        return self.music is not None and self.music.path is None


def music_chain(mix: MixInputs, total_s: Fraction) -> list[Filter]:
    assert mix.music is not None
    chain = [
        f("aresample", MIX_RATE),
        f("aformat", sample_fmts="fltp", channel_layouts="stereo"),
        f("atrim", end=total_s),
        f("volume", f"{mix.music_gain_db + mix.music.volume_db:.2f}dB"),
    ]
    if not mix.composed:  # a looped file: fade in, and fade out before the last frame
        fade_out = min(mix.music.fade_out, float(total_s) / 3)
        chain += [
            f("afade", t="in", st=0, d=min(mix.music.fade_in, float(total_s) / 3)),
            f("afade", t="out", st=max(0.0, float(total_s) - fade_out), d=fade_out),
        ]
    return chain


def sfx_chain(cue: SfxPlacement, fps: Fraction) -> list[Filter]:
    bounded = [f("atrim", end_sample=samples_at(cue.frames, fps))] if cue.frames else []
    return [
        f("aresample", MIX_RATE),
        f("aformat", sample_fmts="fltp", channel_layouts="stereo"),
        *bounded,
        f("volume", f"{cue.volume_db:.2f}dB"),
        f("adelay", delays=f"{samples_at(cue.start, fps)}S", all=1),
    ]


DUCKING: dict[str, OptionValue] = {
    "threshold": 0.015,
    "ratio": 12,
    "attack": 20,
    "release": 450,
    "knee": 2,
}  # measured: the bed drops about 15 dB under Piper's speech


def _voice(graph: Graph) -> None:
    """[voice] for the mix, [key] to drive the ducking (the voice before processing)."""
    graph.add(
        ["0:a"],
        [
            f("aformat", sample_fmts="fltp", sample_rates=MIX_RATE, channel_layouts="stereo"),
            f("asplit", 2),
        ],
        ["speech", "key"],
    )
    graph.add(
        ["speech"],
        [f("acompressor", **VOICE_COMPRESSOR), f("alimiter", **VOICE_LIMITER)],
        ["voice"],
    )


def _music(mix: MixInputs, graph: Graph, args: list[str], total_s: Fraction) -> list[str]:
    """The bed (looped, levelled, ducked under the voice); returns the layers it adds."""
    if mix.music is None:
        graph.add(["key"], [f("anullsink")])
        return []
    if mix.music_file is None:
        raise ValueError("the music bed has no file yet")
    args += ["-stream_loop", "-1", "-i", str(mix.music_file)]
    graph.add(["1:a"], music_chain(mix, total_s), ["bed"])
    if mix.music.duck:
        graph.add(["bed", "key"], [f("sidechaincompress", **DUCKING)], ["music"])
    else:
        graph.add(["key"], [f("anullsink")])
        graph.add(["bed"], [f("anull")], ["music"])
    return ["music"]


def _effects(mix: MixInputs, graph: Graph, args: list[str]) -> list[str]:
    layers = []
    first = 2 if mix.music is not None else 1
    for i, cue in enumerate(mix.timeline.sfx):
        if cue.path is None:
            raise ValueError(f"sound effect {i} ({cue.kind}) has no file yet")
        loop = ["-stream_loop", "-1"] if cue.frames else []  # a bed plays to its length
        args += [*loop, "-i", cue.path]
        graph.add([f"{first + i}:a"], sfx_chain(cue, mix.timeline.fps), [f"fx{i}"])
        layers.append(f"fx{i}")
    return layers


def build_mix_command(mix: MixInputs, preset: Preset, out: Path) -> list[str]:
    """Audio-only ffmpeg run: narration, ducked music and SFX mixed to ``out`` (exact length)."""
    tl = mix.timeline
    args: list[str] = ["-y", "-i", str(mix.narration)]
    graph = Graph()
    _voice(graph)
    layers = ["voice", *_music(mix, graph, args, seconds_at(tl.total_frames, tl.fps))]
    layers += _effects(mix, graph, args)
    mixing = [f("anull")]
    if len(layers) > 1:
        mixing = [
            f("amix", inputs=len(layers), normalize=0, duration="first"),
            f("alimiter", **BUS_LIMITER),
        ]
    end = samples_at(tl.total_frames, tl.fps)
    graph.add(layers, [*mixing, f("apad"), f("atrim", end_sample=end)], ["mix"])
    return [
        *args,
        "-filter_complex",
        graph.render(),
        "-map",
        "[mix]",
        "-c:a",
        "pcm_f32le",
        str(out),
    ]


@dataclass(frozen=True)
class LoudnessOutcome:
    """What normalisation measured before and after, and any closing correction."""

    first_pass: LoudnormMeasurement
    integrated_lufs: float
    true_peak_dbtp: float
    correction_db: float


def _filters(filters: list[Filter]) -> str:
    return ",".join(flt.render() for flt in filters)


def _apply_gain(source: Path, gain_db: float, preset: Preset, out: Path) -> None:
    """``gain_db`` on ``source`` into ``out``; a limiter under the ceiling when it boosts."""
    chain = [f("volume", f"{gain_db:.2f}dB")]
    if gain_db > 0:
        limit = 10 ** ((true_peak_target(preset) - LIMITER_MARGIN_DB) / 20)
        chain.append(f("alimiter", limit=round(limit, 4), attack=2, release=60, level="false"))
    run_ffmpeg(["-y", "-i", str(source), "-af", _filters(chain), "-c:a", "pcm_f32le", str(out)])


def _close_in(
    normalised: Path, level: Loudness, preset: Preset, out: Path
) -> tuple[Loudness, float]:
    """Closing corrections of the normalised audio until it is on target: a limited gain
    loses a little loudness, so the gain is raised again from the measured result."""
    total = 0.0
    for _ in range(CLOSING_STEPS):
        delta = preset.loudness_lufs - level.integrated_lufs
        if abs(delta) <= LOUDNESS_SETTLED_LU:
            break
        total += delta
        _apply_gain(normalised, total, preset, out)
        level = measure_loudness(out)
    return level, round(total, 2)


def normalise_loudness(mix: Path, preset: Preset, duration_s: float, out: Path) -> LoudnessOutcome:
    """Two-pass loudness normalisation of the mix into ``out``, then verified.

    Pass one measures; pass two normalises with those figures. A plain gain is exact;
    loudnorm's dynamic mode is measured again and closed in on the target by up to three
    corrections (it lands up to 1 LU low on speech, and off on programmes under 3 s).
    """
    first = LoudnormMeasurement.from_ebur128(measure_loudness(mix))
    second = loudnorm_second_pass(first, preset, duration_s)
    normalised = out.with_name(out.stem + ".pass2.wav")
    run_ffmpeg(
        ["-y", "-i", str(mix), "-af", _filters(second), "-c:a", "pcm_f32le", str(normalised)]
    )
    if first.silent or second[0].name == "volume":  # a plain gain is exact
        normalised.replace(out)
        gain = preset.loudness_lufs - first.input_i if not first.silent else 0.0
        reached = first.input_i + gain
        return LoudnessOutcome(first, reached, round(first.input_tp + gain, 2), 0.0)
    level, correction = _close_in(normalised, measure_loudness(normalised), preset, out)
    if correction == 0.0:
        normalised.replace(out)
    return LoudnessOutcome(first, level.integrated_lufs, level.true_peak_dbtp, correction)


def mix_programme_audio(mix: MixInputs, preset: Preset, work: Path) -> tuple[Path, LoudnessOutcome]:
    """Mix, then normalise; returns the programme audio file and how loud it came out."""
    mixed, final = work / "mix.wav", work / "programme.wav"
    run_ffmpeg(build_mix_command(mix, preset, mixed))
    outcome = normalise_loudness(mixed, preset, float(mix.timeline.duration), final)
    return final, outcome
