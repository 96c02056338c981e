"""16-bit PCM WAV files for sound effects (stdlib ``wave``), written atomically."""

from __future__ import annotations

import os
import tempfile
import wave
from pathlib import Path

import numpy as np

from aiprod.errors import MediaError
from aiprod.providers.sfx.dsp import Audio


def to_pcm16(audio: Audio) -> bytes:
    """Interleaved little-endian 16-bit PCM of a mono or stereo float signal."""
    frames = audio if audio.ndim == 1 else audio.T
    pcm = np.clip(np.round(frames * 32767.0), -32768, 32767).astype("<i2")
    return pcm.tobytes()


def write_wav(path: Path, audio: Audio, sample_rate: int) -> None:
    """Write ``audio`` as 16-bit PCM; a temp file plus rename, so readers never see half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        with wave.open(tmp_name, "wb") as wav:
            wav.setnchannels(1 if audio.ndim == 1 else audio.shape[0])
            wav.setsampwidth(2)
            wav.setframerate(sample_rate)
            wav.writeframes(to_pcm16(audio))
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def read_wav(path: Path) -> tuple[Audio, int]:
    """A 16-bit PCM WAV as float32 ``(channels, n)`` in [-1, 1) and its sample rate."""
    try:
        with wave.open(str(path), "rb") as wav:
            if wav.getsampwidth() != 2:
                raise MediaError(str(path), "not a 16-bit PCM WAV")
            channels, rate = wav.getnchannels(), wav.getframerate()
            data = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    except (OSError, EOFError, wave.Error) as exc:
        raise MediaError(str(path), f"not readable as WAV ({exc})") from None
    audio = (data.astype(np.float32) / 32768.0).reshape(-1, channels).T
    return np.ascontiguousarray(audio), rate


def wav_duration(path: Path) -> float:
    """Length in seconds from a PCM WAV header; raises MediaError if it is not one."""
    try:
        with wave.open(str(path), "rb") as wav:
            return wav.getnframes() / wav.getframerate()
    except (OSError, EOFError, wave.Error) as exc:
        raise MediaError(str(path), f"not readable as WAV ({exc})") from None
