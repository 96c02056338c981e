"""The motion language: easings, a spring with a small overshoot, staggers, count-ups.

Entrances ease out, exits ease in; springs overshoot 5-10 % and settle in 300-500 ms; words
and items enter in order with a 60-120 ms stagger. libass animates with ``\\t(t1,t2,accel,..)``
where ``accel`` < 1 starts fast (ease-out) and > 1 starts slow (ease-in).
"""

from __future__ import annotations

import math

ENTER_MS = 420  # a line's or shape's entrance
EXIT_MS = 220  # fade out before the scene's transition
WORD_STAGGER_S = 0.09  # per word of a kinetic headline
ITEM_STAGGER_S = 0.45  # per list item (each is read before the next comes)
ELEMENT_STAGGER_S = 0.12  # headline, then support, then picture or number
SPRING_OVERSHOOT = 1.08  # 8 % past the rest value
SPRING_MS = 460
EASE_OUT_ACCEL = 0.45
EASE_IN_ACCEL = 2.2
COUNT_UP_S = 1.1  # how long a number takes to count up to its value
COUNT_STEP_S = 1 / 15  # one event per step: 15 values a second


def ease_out_cubic(t: float) -> float:
    t = min(1.0, max(0.0, t))
    return 1 - (1 - t) ** 3


def ease_in_cubic(t: float) -> float:
    t = min(1.0, max(0.0, t))
    return t**3


def spring(t: float, overshoot: float = SPRING_OVERSHOOT - 1) -> float:
    """0 -> 1 with one damped overshoot of ``overshoot`` (fraction) near t = 0.6."""
    t = min(1.0, max(0.0, t))
    if t >= 1:
        return 1.0
    damping = -math.log(overshoot) / math.pi if overshoot > 0 else 6.0
    omega = math.pi / 0.6  # first peak at t = 0.6
    value = 1 - math.exp(-damping * omega * t) * (
        math.cos(omega * t) + damping * math.sin(omega * t)
    )
    # pull the tail to exactly 1 at t = 1
    return value + (1 - value) * t**6


def spring_tags(start_ms: int, scale_from: int = 0, duration_ms: int = SPRING_MS) -> str:
    """ASS tags: scale from ``scale_from`` % past 100 % (the overshoot) and back to rest."""
    peak = round(SPRING_OVERSHOOT * 100)
    mid = start_ms + round(duration_ms * 0.6)
    end = start_ms + duration_ms
    return (
        rf"\fscx{scale_from}\fscy{scale_from}"
        rf"\t({start_ms},{mid},{EASE_OUT_ACCEL},\fscx{peak}\fscy{peak})"
        rf"\t({mid},{end},\fscx100\fscy100)"
    )


def count_steps(
    value: float, decimals: int, language: str = "en", seconds: float = COUNT_UP_S
) -> list[tuple[float, str]]:
    """(offset seconds, shown value) for a number counting up (ease-out) to ``value``; every
    value is written like the final one (its thousands grouping and decimal separator)."""
    steps = max(2, round(seconds / COUNT_STEP_S))
    grouped = _grouped(value)
    out: list[tuple[float, str]] = []
    last = None
    for i in range(steps + 1):
        shown = value * ease_out_cubic(i / steps)
        text = format_number(shown, decimals, language, grouped=grouped)
        if text != last:
            out.append((i * seconds / steps, text))
            last = text
    final = format_number(value, decimals, language)
    if out[-1][1] != final:
        out.append((seconds, final))
    return out


NUMBER_SEPARATORS = {"en": (",", "."), "fr": ("\u202f", ",")}
"""(thousands, decimal) separators per language: French groups with a narrow no-break space."""


def _grouped(value: float) -> bool:
    """Big numbers have their thousands grouped: '10,000' (but '1250')."""
    return abs(value) >= 10_000


def format_number(
    value: float, decimals: int, language: str = "en", *, grouped: bool | None = None
) -> str:
    """'12,500' / '4.5' in English, '12\u202f500' / '4,5' in French; thousands grouped for
    numbers of 10,000 and more (``grouped`` decides instead, for a count-up's steps)."""
    thousands, point = NUMBER_SEPARATORS.get(language[:2].lower(), NUMBER_SEPARATORS["en"])
    group = _grouped(value) if grouped is None else grouped
    text = f"{value:,.{decimals}f}" if group else f"{value:.{decimals}f}"
    if text.lstrip("-").strip("0.,") == "":
        text = text.lstrip("-")  # no '-0'
    return text.translate({ord(","): thousands, ord("."): point})
