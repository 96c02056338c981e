"""Cost and time, before and after: per stage, provider, units, unit price, total, ETA.

Local providers cost compute time at a configurable hourly rate. How many seconds a unit
takes is *measured on this machine*: every render updates a small throughput file under
the data directory (a moving average per stage), so estimates follow the hardware.
Defaults are our 2-core reference machine's figures (bench/render.py).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiprod.pipeline.throughput import fold, keys_taught, learned_rates, rate_for
from aiprod.spec.model import VideoSpec
from aiprod.spec.presets import Preset

# seconds of compute per unit on the 2-core reference machine
DEFAULT_SECONDS_PER_UNIT: dict[str, float] = {
    "plan": 0.05,  # per brief
    "narration": 0.04,  # per word, plus the model load below
    "music": 0.06,  # per second of music
    "sfx": 0.25,  # per effect
    "visuals": 0.05,  # per illustration
    "audio": 0.04,  # per programme second
    "compose": 0.0075,  # per frame-megapixel at x264 veryfast
    "qa": 0.03,  # per programme second-megapixel
}
FIXED_SECONDS = {"narration": 1.6}  # Piper model load, once per render
ENCODER_FACTOR = {
    "ultrafast": 0.5,
    "superfast": 0.7,
    "veryfast": 1.0,
    "faster": 1.3,
    "fast": 1.6,
    "medium": 2.0,
    "slow": 3.0,
    "slower": 5.0,
}
SMOOTHING = 0.3  # weight of the newest measurement in the moving average


@dataclass(frozen=True)
class StageCost:
    stage: str
    provider: str
    units: float
    unit: str
    seconds: float
    unit_price: float  # currency per unit
    cost: float

    def to_dict(self) -> dict[str, Any]:
        """As ``dataclasses.asdict`` would give, a tenth of the cost (no deep copies):
        every job submission stores an estimate."""
        return {
            "stage": self.stage,
            "provider": self.provider,
            "units": self.units,
            "unit": self.unit,
            "seconds": self.seconds,
            "unit_price": self.unit_price,
            "cost": self.cost,
        }


@dataclass(frozen=True)
class CostEstimate:
    currency: str
    rate_per_hour: float
    stages: tuple[StageCost, ...]

    @property
    def total(self) -> float:
        return round(sum(s.cost for s in self.stages), 6)

    @property
    def eta_seconds(self) -> float:
        return round(sum(s.seconds for s in self.stages), 1)

    def to_dict(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "rate_per_hour": self.rate_per_hour,
            "total": self.total,
            "eta_seconds": self.eta_seconds,
            "stages": [s.to_dict() for s in self.stages],
        }


@dataclass(frozen=True)
class Workload:
    """What a render will do, in the units the stages are priced in."""

    words: int
    seconds: float  # programme length
    width: int
    height: int
    fps: float
    x264_preset: str
    music_seconds: float
    effects: int
    illustrations: int
    tts_provider: str
    planned: bool  # made from a brief

    @property
    def megapixels(self) -> float:
        return self.width * self.height / 1e6

    def units(self) -> dict[str, tuple[float, str, str]]:
        """stage -> (units, unit name, provider)."""
        frames = self.seconds * self.fps
        table = {
            "plan": (1.0 if self.planned else 0.0, "brief", "rule-based copywriter"),
            "narration": (float(self.words), "word", self.tts_provider),
            "music": (self.music_seconds, "second", "composer (FluidSynth)"),
            "sfx": (float(self.effects), "effect", "sound designer"),
            "visuals": (
                float(self.illustrations),
                "illustration",
                "icons (resvg) and emoji (Pillow)",
            ),
            "audio": (self.seconds, "second", "ffmpeg mix + loudness"),
            "compose": (
                frames * self.megapixels,
                "frame-megapixel",
                f"ffmpeg + x264 {self.x264_preset}",
            ),
            "qa": (self.seconds * self.megapixels, "second-megapixel", "ffmpeg analysis"),
        }
        return {k: v for k, v in table.items() if v[0] > 0}


def estimate(
    work: Workload, throughput: Mapping[str, float], *, rate_per_hour: float, currency: str
) -> CostEstimate:
    stages = []
    for stage, (units, unit, provider) in work.units().items():
        per_unit = rate_for(stage, work, throughput, DEFAULT_SECONDS_PER_UNIT[stage])
        if stage == "compose":
            per_unit *= ENCODER_FACTOR.get(work.x264_preset, 1.0)
        seconds = units * per_unit + FIXED_SECONDS.get(stage, 0.0)
        price_per_unit = per_unit * rate_per_hour / 3600
        cost = seconds * rate_per_hour / 3600
        stages.append(
            StageCost(
                stage,
                provider,
                round(units, 3),
                unit,
                round(seconds, 2),
                round(price_per_unit, 9),
                round(cost, 6),
            )
        )
    return CostEstimate(currency, rate_per_hour, tuple(stages))


def actual(
    work: Workload, stage_seconds: Mapping[str, float], *, rate_per_hour: float, currency: str
) -> CostEstimate:
    """What the render really took, priced the same way."""
    measured = {}
    for stage, (units, _, _) in work.units().items():
        spent = stage_seconds.get(stage, 0.0) - FIXED_SECONDS.get(stage, 0.0)
        if stage == "compose":
            spent /= ENCODER_FACTOR.get(work.x264_preset, 1.0)
        measured[stage] = max(spent, 0.0) / units
    real = estimate(work, measured, rate_per_hour=rate_per_hour, currency=currency)
    return real


class ThroughputStore:
    """Seconds per unit per stage, learned from renders on this machine (a JSON file)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, float]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return dict(DEFAULT_SECONDS_PER_UNIT)
        if not isinstance(data, dict):
            return dict(DEFAULT_SECONDS_PER_UNIT)
        return learned_rates(data, DEFAULT_SECONDS_PER_UNIT)  # bounded, per output size

    def record(self, work: Workload, stage_seconds: Mapping[str, float]) -> None:
        """Fold one render's measurements into the moving averages (atomic write)."""
        current = self.load()
        for stage, (units, _, _) in work.units().items():
            if stage not in stage_seconds or units <= 0:
                continue
            spent = stage_seconds[stage] - FIXED_SECONDS.get(stage, 0.0)
            if stage == "compose":
                spent /= ENCODER_FACTOR.get(work.x264_preset, 1.0)
            seen = max(spent, 0.0) / units
            for key in keys_taught(stage, work):  # per output size: aiprod.pipeline.throughput
                current[key] = fold(current.get(key, current[stage]), seen, SMOOTHING)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(current, indent=2), encoding="utf-8")
        tmp.replace(self.path)


SPEECH_WORDS_PER_SECOND = 2.6  # Piper's joe voice, measured on our demo scripts


def workload_for(
    spec: VideoSpec,
    preset: Preset,
    *,
    planned: bool,
    programme_seconds: float | None = None,
) -> Workload:
    """The workload of a spec; its length is estimated from the words unless known."""
    words = sum(len(s.narration.split()) for s in spec.scenes)
    if programme_seconds is None:
        programme_seconds = sum(
            s.duration or (len(s.narration.split()) / SPEECH_WORDS_PER_SECOND + 2 * s.padding)
            for s in spec.scenes
        )
    kinds = [c for s in spec.scenes for c in s.sfx if c.kind is not None]
    composed = spec.music is not None and spec.music.mood is not None
    return Workload(
        words=words,
        seconds=programme_seconds,
        width=preset.width,
        height=preset.height,
        fps=float(preset.frame_rate),
        x264_preset=preset.x264_preset,
        music_seconds=programme_seconds if composed else 0.0,
        effects=len(kinds),
        illustrations=sum(  # the ones drawn for the render: icons and emoji
            1 for s in spec.scenes if s.illustration and s.illustration.path is None
        ),
        tts_provider="piper" if spec.language.startswith("en") and not spec.voice else "espeak",
        planned=planned,
    )
