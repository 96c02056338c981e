"""Loopable ambience beds: pick the category's recipe, render with a pre-roll, make the
result loop seamlessly at exactly the requested length, and set a gentle, steady level.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from aiprod.providers.sfx import ambience_nature as nature
from aiprod.providers.sfx import ambience_urban as urban
from aiprod.providers.sfx.dsp import Audio, level_bed, loop_crossfade

Recipe = Callable[[np.random.Generator, int, int, float], Audio]

RECIPES: dict[str, Recipe] = {
    "rain": nature.rain,
    "city": urban.city,
    "ocean": nature.ocean,
    "forest": nature.forest,
    "cafe": urban.cafe,
    "crowd": urban.crowd,
    "office": urban.office,
    "wind": nature.wind,
    "night": nature.night,
    "fire": nature.fire,
    "stream": nature.stream,
    "traffic": urban.traffic,
}

PREROLL_S = 1.0  # rendered then dropped, so reverbs and filters start settled
CROSSFADE_S = 1.0  # the loop seam is cross-faded over this long (at most a quarter)
BED_RMS_DBFS = -27.0
BED_PEAK_DBFS = -1.5


def render_ambience(
    category: str, rng: np.random.Generator, num_samples: int, sample_rate: int
) -> Audio:
    """A stereo bed of exactly ``num_samples`` that loops seamlessly (end runs into start)."""
    recipe = RECIPES[category]
    preroll = round(PREROLL_S * sample_rate)
    fade = max(1, min(round(CROSSFADE_S * sample_rate), num_samples // 4))
    total = preroll + num_samples + fade
    audio = recipe(rng, total, sample_rate, num_samples / sample_rate)
    looped = loop_crossfade(audio[:, preroll:], num_samples)
    return level_bed(looped, BED_RMS_DBFS, BED_PEAK_DBFS)
