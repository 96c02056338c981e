"""An event at rest: its override tags with every animation played to its end.

The design's text and marks enter with ``\\move``, ``\\t`` and ``\\fad`` and then hold still
until their exit fade. ``settle`` finds when an event stops changing and writes the tags it
shows from then on (``\\pos`` at the end of its move, each transform's final values, no
fade), so the still part can be drawn as its own event: libass draws the same pixels for it.
Events whose motion lasts (a move or transform without times, ``\\fade``) do not settle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Settled", "settle", "split_tags"]

_BLOCK = re.compile(r"\{([^{}]*)\}")
_ANIMATED = re.compile(r"\\(?:t\(|move\(|fad\(|fade\(|k[fo]?\d|K\d)")
_NAME = re.compile(r"\\([a-z]+|\d[a-z])", re.IGNORECASE)


@dataclass(frozen=True)
class Settled:
    """``text``: the event's text as it shows from ``after_ms`` (from its start) until its
    fade-out of ``fade_out_ms`` begins; ``fade_in_ms``: the fade-in it had."""

    text: str
    after_ms: int
    fade_in_ms: int
    fade_out_ms: int


def _top_level(text: str, separator: str, *, keep: bool) -> list[str]:
    """``text`` cut at each ``separator`` outside parentheses (kept at the piece's start)."""
    pieces: list[str] = []
    depth, start = 0, 0
    for n, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if char == separator and depth == 0:
            pieces.append(text[start:n])
            start = n if keep else n + 1
    pieces.append(text[start:])
    return pieces


def split_tags(block: str) -> list[str]:
    """The tags of an override block, each with its backslash and arguments; parentheses
    nest (``\\t(0,200,\\clip(1,2,3,4))`` is one tag)."""
    return [tag for tag in _top_level(block, "\\", keep=True) if tag.startswith("\\")]


def _arguments(tag: str) -> list[str]:
    inner = tag[tag.index("(") + 1 : tag.rindex(")")]
    return [a.strip() for a in _top_level(inner, ",", keep=False)]


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def settle(text: str) -> Settled | None:
    """The event's settled form (see the module's docstring), or None if it never settles.
    Only the first override block may animate; later blocks (colour runs) must not."""
    first = _BLOCK.match(text)
    if first is None:
        return Settled(text, 0, 0, 0)
    rest = text[first.end() :]
    if any(_ANIMATED.search(block) for block in _BLOCK.findall(rest)):
        return None
    out: list[str] = []
    after = fade_in = fade_out = 0
    for tag in split_tags(first.group(1)):
        name = _NAME.match(tag)
        kind = name.group(1).lower() if name else ""
        if kind in ("fade", "k", "kf", "ko"):  # a two-part fade, karaoke: timed throughout
            return None
        args = _arguments(tag) if kind in ("fad", "move", "t") else []
        if kind == "fad":
            times = [_number(a) for a in args]
            if len(times) != 2 or times[0] is None or times[1] is None:
                return None
            fade_in, fade_out = int(times[0]), int(times[1])
            after = max(after, fade_in)
        elif kind == "move":
            end = _number(args[5]) if len(args) == 6 else None
            if end is None:  # no times: it moves all the event long
                return None
            after = max(after, int(end))
            out.append(rf"\pos({args[2]},{args[3]})")
        elif kind == "t":
            until = _number(args[1]) if len(args) >= 3 and _number(args[0]) is not None else None
            if until is None:  # no times: it changes all the event long
                return None
            after = max(after, int(until))
            inner = args[-1]
            if _ANIMATED.search(inner):
                return None
            out.extend(split_tags(inner))
        else:
            out.append(tag)
    return Settled("{" + "".join(out) + "}" + rest, after, fade_in, fade_out)
