"""Vendor audio (MP3, Ogg, whatever FFmpeg reads) to the WAV the mixer wants.

The command is data (:func:`decode_command`) and runs through the one module that starts
processes. The output is 16-bit stereo at ``sample_rate`` with exactly
``round(seconds * sample_rate)`` frames: a longer answer is trimmed and faded out, a shorter
one is padded with silence (or looped, for ambience beds).
"""

from __future__ import annotations

from pathlib import Path

from aiprod.media.ffmpeg.run import run_ffmpeg
from aiprod.providers.base import CallRecord, ProviderFailed

SAMPLE_RATE = 48000


def decode_command(
    source: Path,
    out: Path,
    *,
    seconds: float,
    sample_rate: int = SAMPLE_RATE,
    fade_out_s: float = 0.0,
    loop: bool = False,
) -> list[str]:
    """FFmpeg arguments (without ``ffmpeg``) decoding ``source`` into the WAV ``out``."""
    frames = max(1, round(seconds * sample_rate))
    chain = [
        f"aresample={sample_rate}",
        "aformat=sample_fmts=s16:channel_layouts=stereo",
        f"apad=whole_len={frames}",
        f"atrim=end_sample={frames}",
    ]
    fade = min(fade_out_s, seconds / 4)
    if fade > 0:
        chain.append(f"afade=t=out:st={seconds - fade:.6f}:d={fade:.6f}")
    looped = ["-stream_loop", "-1"] if loop else []
    return [
        "-y", "-loglevel", "error", *looped, "-i", str(source), "-vn", "-af", ",".join(chain),
        "-ar", str(sample_rate), "-ac", "2", "-c:a", "pcm_s16le", str(out),
    ]  # fmt: skip


def decode_to_wav(
    data: bytes,
    out: Path,
    *,
    seconds: float,
    record: CallRecord,
    suffix: str = ".audio",
    fade_out_s: float = 0.0,
    loop: bool = False,
) -> Path:
    """Write the vendor's ``data`` as the WAV ``out`` (atomically); ProviderFailed
    ("invalid_output") when FFmpeg cannot read it as audio."""
    out.parent.mkdir(parents=True, exist_ok=True)
    raw = out.with_name(f".{out.stem}.download{suffix}")
    partial = out.with_name(f".{out.stem}.partial.wav")
    raw.write_bytes(data)
    try:
        run_ffmpeg(
            decode_command(raw, partial, seconds=seconds, fade_out_s=fade_out_s, loop=loop),
            timeout=120.0 + seconds,
        )
        partial.replace(out)
    except Exception as error:  # FFmpegError or OS error: the answer is not usable audio
        record.status = "invalid_output"
        tail = str(error).strip().splitlines()[-1:] or ["?"]
        raise ProviderFailed(
            "invalid_output", f"the audio cannot be decoded: {tail[0][:200]}", record=record
        ) from None
    finally:
        raw.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)
    return out
