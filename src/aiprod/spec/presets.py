"""Output presets: frame size and rate, caption look, loudness target, encoder settings.

Built-ins are listed here explicitly; custom presets come from a YAML or JSON file
(a mapping of name -> preset fields, or a list of presets) and may override built-ins.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from aiprod.errors import InvalidSpec, SpecProblem


class Preset(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]{0,40}$")
    description: str = ""
    width: int = Field(ge=64, le=7680)
    height: int = Field(ge=64, le=4320)
    fps: str = Field(default="30", description="frame rate: integer or ratio like 30000/1001")
    caption_style: Literal["clean", "social"] = "clean"
    loudness_lufs: float = Field(ge=-40, le=-5)
    true_peak_dbtp: float = Field(default=-1.0, ge=-9, le=0)
    x264_preset: Literal[
        "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower"
    ] = "veryfast"
    crf: int = Field(default=21, ge=0, le=51)
    audio_bitrate_k: int = Field(default=192, ge=64, le=512)
    sample_rate: int = Field(default=48000)

    @field_validator("fps")
    @classmethod
    def _fps(cls, value: str) -> str:
        try:
            rate = Fraction(str(value))
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"'{value}' is not a frame rate") from None
        if not 1 <= rate <= 120:
            raise ValueError("frame rate must be between 1 and 120")
        return str(rate)

    @field_validator("width", "height")
    @classmethod
    def _even(cls, value: int) -> int:
        if value % 2:
            raise ValueError("must be even (4:2:0 video)")
        return value

    @property
    def frame_rate(self) -> Fraction:
        return Fraction(self.fps)

    @property
    def aspect(self) -> str:
        return (
            "vertical"
            if self.height > self.width
            else ("square" if self.height == self.width else "horizontal")
        )


BUILTIN_PRESETS: tuple[Preset, ...] = (
    Preset(
        name="quick_social",
        description="9:16 vertical for Reels/Shorts/TikTok: bold captions, -14 LUFS",
        width=1080,
        height=1920,
        caption_style="social",
        loudness_lufs=-14.0,
    ),
    Preset(
        name="square_social",
        description="1:1 square for feeds: bold captions, -14 LUFS",
        width=1080,
        height=1080,
        caption_style="social",
        loudness_lufs=-14.0,
    ),
    Preset(
        name="brand_campaign",
        description="16:9 1080p for web and YouTube: clean captions, -16 LUFS",
        width=1920,
        height=1080,
        caption_style="clean",
        loudness_lufs=-16.0,
    ),
    Preset(
        name="premium_spot",
        description="16:9 1080p broadcast spot: higher-quality encode, EBU R128 -23 LUFS",
        width=1920,
        height=1080,
        caption_style="clean",
        loudness_lufs=-23.0,
        x264_preset="medium",
        crf=17,
        audio_bitrate_k=256,
    ),
)


def _problems(exc: ValidationError, prefix: str) -> list[SpecProblem]:
    return [
        SpecProblem(".".join(str(p) for p in (prefix, *e["loc"]) if p != ""), e["msg"])
        for e in exc.errors()
    ]


def load_preset_file(path: Path) -> list[Preset]:
    """Read custom presets; every problem is reported at once as InvalidSpec."""
    from aiprod.spec.load import read_document  # local: load imports this module

    raw = read_document(path)
    items: list[tuple[str, Any]]
    if isinstance(raw, dict):
        if bad := [str(k) for k, v in raw.items() if v is not None and not isinstance(v, dict)]:
            raise InvalidSpec(
                [SpecProblem(k, "expected a preset's fields (a mapping)") for k in bad], str(path)
            )
        items = [(str(k), {"name": k, **(v or {})}) for k, v in raw.items()]
    elif isinstance(raw, list):
        items = [(str(i), v) for i, v in enumerate(raw)]
    else:
        raise InvalidSpec([SpecProblem("", "expected a mapping or a list of presets")], str(path))
    presets, problems = [], []
    for key, value in items:
        try:
            presets.append(Preset.model_validate(value))
        except ValidationError as exc:
            problems.extend(_problems(exc, key))
    if problems:
        raise InvalidSpec(problems, str(path))
    return presets


def available_presets(extra_file: Path | None = None) -> dict[str, Preset]:
    """Built-ins, then custom presets from ``extra_file`` (same name overrides)."""
    presets = {p.name: p for p in BUILTIN_PRESETS}
    if extra_file is not None:
        presets.update({p.name: p for p in load_preset_file(extra_file)})
    return presets


def resolve_preset(name: str, extra_file: Path | None = None) -> Preset:
    presets = available_presets(extra_file)
    if name not in presets:
        known = ", ".join(sorted(presets))
        raise InvalidSpec([SpecProblem("preset", f"unknown preset '{name}' (known: {known})")])
    return presets[name]
