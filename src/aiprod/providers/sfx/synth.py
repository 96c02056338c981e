"""Deterministic sound-effect synthesis: one-shots and ambience beds as 16-bit WAV files.

``synthesize_sfx`` renders 48 kHz stereo (by default) with numpy and pedalboard; the same
arguments always give the same bytes. Peaks stay at or below -1 dBFS.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import cast

import numpy as np

from aiprod.errors import ProviderRejectedInput
from aiprod.providers.sfx import oneshots
from aiprod.providers.sfx.ambience import render_ambience
from aiprod.providers.sfx.asset import (
    AMBIENCE_CATEGORIES,
    DEFAULT_DURATION_S,
    DURATION_RANGE_S,
    SFX_KINDS,
    SYNTH_LICENCE,
    SYNTH_SOURCE,
    SfxAsset,
    SfxKind,
)
from aiprod.providers.sfx.dsp import Audio, make_rng, normalise_peak
from aiprod.providers.sfx.wavio import write_wav

OneShot = Callable[[np.random.Generator, int, int], Audio]

ONE_SHOTS: dict[str, OneShot] = {
    "whoosh": oneshots.whoosh,
    "pop": oneshots.pop,
    "click": oneshots.click,
    "riser": oneshots.riser,
    "impact": oneshots.impact,
}
ONE_SHOT_PEAK_DBFS = -1.5  # leaves room for 16-bit rounding under the -1 dBFS ceiling
SAMPLE_RATE_RANGE = (16000, 192000)


def check_kind(kind: str) -> SfxKind:
    """``kind`` as an SfxKind, or ProviderRejectedInput listing the known kinds."""
    if kind not in SFX_KINDS:
        raise ProviderRejectedInput(
            f"unknown sound effect {kind!r} (known: {', '.join(SFX_KINDS)})"
        )
    return cast(SfxKind, kind)


def resolve_duration(kind: str, duration: float | None) -> float:
    """The length to render: the kind's default, or ``duration`` if it is in range."""
    if duration is None:
        return DEFAULT_DURATION_S[kind]
    low, high = DURATION_RANGE_S[kind]
    if not low <= duration <= high:
        raise ProviderRejectedInput(
            f"{kind} duration must be between {low} and {high} s (got {duration})"
        )
    return float(duration)


def check_category(kind: str, category: str | None) -> str | None:
    """Ambience needs one of AMBIENCE_CATEGORIES; one-shots keep any label as given."""
    if kind == "ambience" and category not in AMBIENCE_CATEGORIES:
        known = ", ".join(AMBIENCE_CATEGORIES)
        raise ProviderRejectedInput(f"unknown ambience category {category!r} (known: {known})")
    return category


def render_sfx(
    kind: str, seed: int, num_samples: int, category: str | None, sample_rate: int
) -> Audio:
    """The stereo float signal for one effect, levelled (no file written)."""
    rng = make_rng(seed, "sfx", kind, category or "")
    if kind == "ambience" and category is not None:
        return render_ambience(category, rng, num_samples, sample_rate)
    audio = ONE_SHOTS[kind](rng, num_samples, sample_rate)
    return normalise_peak(audio[:, :num_samples], ONE_SHOT_PEAK_DBFS)


def synthesize_sfx(
    kind: SfxKind,
    *,
    out: Path,
    seed: int = 0,
    duration: float | None = None,
    category: str | None = None,
    sample_rate: int = 48000,
) -> SfxAsset:
    """Synthesise one effect into ``out`` (16-bit stereo WAV) and describe it.

    ``duration`` (seconds) defaults per kind (whoosh 0.6, riser 3, ambience 10, ...);
    ambience needs a ``category`` from AMBIENCE_CATEGORIES and is exactly ``duration``
    long and loopable. Raises ProviderRejectedInput for an unknown kind or category, or a
    duration or sample rate out of range. Deterministic: same arguments, same bytes.
    """
    checked = check_kind(kind)
    seconds = resolve_duration(checked, duration)
    label = check_category(checked, category)
    if not SAMPLE_RATE_RANGE[0] <= sample_rate <= SAMPLE_RATE_RANGE[1]:
        raise ProviderRejectedInput(f"sample rate {sample_rate} Hz is not supported")
    num_samples = round(seconds * sample_rate)
    audio = render_sfx(checked, seed, num_samples, label, sample_rate)
    write_wav(out, audio, sample_rate)
    return SfxAsset(
        path=out,
        kind=checked,
        category=label,
        duration_s=num_samples / sample_rate,
        source=SYNTH_SOURCE,
        licence=SYNTH_LICENCE,
        seed=seed,
    )
