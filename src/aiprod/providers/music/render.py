"""Score → MIDI file (pretty_midi) → raw float audio (the FluidSynth CLI).

FluidSynth's own chorus and reverb are switched off: the render is then a pure function of
the MIDI file and the soundfont (byte-identical twice), and the reverb is added in mastering.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pretty_midi

from aiprod.errors import ProviderUnavailable
from aiprod.media.ffmpeg.run import require_tool, run_process
from aiprod.providers.music.score import Score

SOUNDFONT_DIRS = (Path("/usr/share/sounds/sf2"), Path("/usr/share/soundfonts"))
SOUNDFONT_NAMES = ("FluidR3_GM.sf2", "TimGM6mb.sf2", "default-GM.sf2")
SYNTH_GAIN = 0.3
MIDI_RESOLUTION = 960
TAIL_PAD_S = 1.0  # keep the MIDI file (and so the render) going past the end

FloatAudio = npt.NDArray[np.float32]


def find_soundfont(explicit: Path | None = None) -> Path:
    """The soundfont to use: ``explicit`` if given, else FluidR3_GM, else TimGM6mb.

    Raises ``ProviderUnavailable`` when the file is missing or none is installed.
    """
    if explicit is not None:
        if not explicit.is_file():
            raise ProviderUnavailable(f"soundfont not found: {explicit}")
        return explicit
    for name in SOUNDFONT_NAMES:
        for folder in SOUNDFONT_DIRS:
            if (folder / name).is_file():
                return folder / name
    raise ProviderUnavailable(
        "no General MIDI soundfont found (install fluid-soundfont-gm or timgm6mb-soundfont)"
    )


def require_fluidsynth() -> str:
    """Path of the fluidsynth executable; ``ProviderUnavailable`` when not installed."""
    return require_tool("fluidsynth")


def write_midi(score: Score, path: Path) -> Path:
    """Write ``score`` as a standard MIDI file at ``path``."""
    midi = pretty_midi.PrettyMIDI(resolution=MIDI_RESOLUTION, initial_tempo=score.tempo_bpm)
    for track in score.tracks:
        instrument = pretty_midi.Instrument(track.program, is_drum=track.is_drum, name=track.name)
        controls = [(0.0, 7, track.volume), (0.0, 10, track.pan), (0.0, 91, 0), (0.0, 93, 0)]
        controls += [(time, 11, value) for time, value in track.expression]
        instrument.control_changes = [
            pretty_midi.ControlChange(number, value, time) for time, number, value in controls
        ]
        instrument.notes = [
            pretty_midi.Note(velocity=n.velocity, pitch=n.pitch, start=n.start, end=n.end)
            for n in track.notes
        ]
        midi.instruments.append(instrument)
    marker = pretty_midi.ControlChange(64, 0, score.duration_s + TAIL_PAD_S)
    midi.instruments[0].control_changes.append(marker)
    midi.write(str(path))
    return path


def fluidsynth_command(midi: Path, soundfont: Path, raw_out: Path, sample_rate: int) -> list[str]:
    """The FluidSynth fast-render command: stereo little-endian float32 raw samples."""
    return [
        "fluidsynth",
        "-n",
        "-i",
        "-q",
        "-R",
        "0",
        "-C",
        "0",
        "-g",
        str(SYNTH_GAIN),
        "-r",
        str(sample_rate),
        "-o",
        "synth.polyphony=512",
        "-o",
        "synth.cpu-cores=1",
        "-T",
        "raw",
        "-O",
        "float",
        "-E",
        "little",
        "-F",
        str(raw_out),
        str(soundfont),
        str(midi),
    ]


def render_midi(
    midi: Path, soundfont: Path, raw_out: Path, sample_rate: int, *, timeout_s: float
) -> FloatAudio:
    """Render ``midi`` with FluidSynth; return ``(frames, 2)`` float32 samples (memory-mapped)."""
    command = fluidsynth_command(midi, soundfont, raw_out, sample_rate)
    run_process(command, timeout=timeout_s)
    if not raw_out.is_file() or raw_out.stat().st_size < 8:
        raise ProviderUnavailable(f"fluidsynth produced no audio for {midi.name}")
    samples = np.memmap(raw_out, dtype="<f4", mode="r")
    frames = len(samples) // 2
    return samples[: frames * 2].reshape(frames, 2)
