"""The design's text and marks at rest, drawn on their scene's slow background.

libass blending the front (headlines, lines, marks) over every frame was the largest part
of the picture's filter time. Once an event has entered it holds still until its exit
fade, and its scene's background runs at a third of the frame rate: drawn there, on a
third of the frames, it looks the same where nothing drawn frame by frame above that
background (a sliding band, a shape's entrance, a picture, a caption, another mark that
stays) meets it. Each event that can be moved is cut in three: its entrance and its exit
stay in the overlay drawn on every frame, and its still middle (``aiprod.captions.settle``)
goes to the scene's own document, on whole slow frames inside the scene's body (never in
a transition, which would carry it along).

Frame times: ffmpeg's ``ass`` filter asks libass for a frame at its time in whole
milliseconds; every cut here sits half a frame before the frame it starts, in
centiseconds, so rounding never moves a frame across it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction

from aiprod.captions.ass import AssEvent, ass_centiseconds
from aiprod.captions.settle import Settled, settle
from aiprod.media.stills import Box as Rect
from aiprod.media.timeline import SceneSlot, Timeline

__all__ = ["Obstacle", "RestingFront", "rest_front"]


@dataclass(frozen=True)
class Obstacle:
    """Something drawn frame by frame above a scene's slow background: where it can draw
    (``rect``) and on which frames of its scene (``first`` to ``end``, excluded; None:
    to the scene's end)."""

    rect: Rect
    first: int = 0
    end: int | None = None

    def meets(self, rect: Rect, first: int, end: int) -> bool:
        a, b = self.rect, rect
        overlap = a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
        return overlap and self.first < end and (self.end is None or first < self.end)


@dataclass(frozen=True)
class RestingFront:
    """The front overlay's events (entrances and exits of the moved ones, and every event
    that stays), and per scene the moved events' still middles in the scene's own time."""

    front: list[AssEvent]
    scenes: dict[int, list[AssEvent]] = field(default_factory=dict)


def _at(frame: int, fps: Fraction) -> float:
    """Half a frame before ``frame``, in whole centiseconds, as seconds."""
    return round((frame - Fraction(1, 2)) * 100 / fps) / 100


def _ms(seconds: float) -> int:
    return ass_centiseconds(seconds) * 10


def _entrance(text: str, settled: Settled) -> str:
    """The event as it was, without its fade-out (its end is now the middle's start)."""
    if not settled.fade_out_ms:
        return text
    old = rf"\fad({settled.fade_in_ms},{settled.fade_out_ms})"
    return text.replace(old, rf"\fad({settled.fade_in_ms},0)", 1)


def _exit(settled: Settled) -> str:
    """The still event with its fade-out."""
    if not settled.fade_out_ms:
        return settled.text
    return "{" + rf"\fad(0,{settled.fade_out_ms})" + settled.text[1:]


def rest_front(
    front: Sequence[AssEvent],
    places: Sequence[tuple[int, Rect]],
    timeline: Timeline,
    slow: Mapping[int, int],
    obstacles: Mapping[int, Sequence[Obstacle]],
    margin: int,
) -> RestingFront:
    """Which events of ``front`` (each at ``places``: its scene and its element's box, as
    x0, y0, x1, y1) rest
    on their scene's slow background. ``slow``: the scenes that have one, with how many
    frames each of its frames is shown for; ``obstacles``: per scene, what is drawn frame
    by frame above it; ``margin``: how far ink reaches past a box (shadows, accents)."""
    fps = timeline.fps
    kept: dict[int, list[Obstacle]] = {}  # per scene: events that stay, from below
    middles: dict[int, list[AssEvent]] = {}
    cut: dict[int, tuple[AssEvent, ...]] = {}
    order = sorted(range(len(front)), key=lambda i: (front[i].layer, i))  # bottom up
    for i in order:
        event, (scene, box) = front[i], places[i]
        slot = timeline.scenes[scene]
        rect = (box[0] - margin, box[1] - margin, box[2] + margin, box[3] + margin)
        k = slow.get(scene)
        settled = settle(event.text) if k else None
        window = _window(event, settled, slot, k, fps)
        first, end = window or (0, 0)
        if (
            settled is None
            or k is None
            or window is None
            or any(
                o.meets(rect, first, end) for o in (*obstacles.get(scene, ()), *kept.get(scene, ()))
            )
        ):
            kept.setdefault(scene, []).append(Obstacle(rect))  # drawn over every frame
            continue
        rate = fps / k
        middles.setdefault(scene, []).append(
            replace(event, start=_at(first // k, rate), end=_at(end // k, rate), text=settled.text)
        )
        enter, leave = _at(slot.start + first, fps), _at(slot.start + end, fps)
        cut[i] = (
            replace(event, end=enter, text=_entrance(event.text, settled)),
            replace(event, start=leave, text=_exit(settled)),
        )
    out: list[AssEvent] = []
    for i, event in enumerate(front):
        out += cut.get(i, (event,))
    return RestingFront(out, middles)


def _window(
    event: AssEvent,
    settled: Settled | None,
    slot: SceneSlot,
    k: int | None,
    fps: Fraction,
) -> tuple[int, int] | None:
    """The scene's frames (whole slow frames, in its body) on which the event is still,
    or None: (first, end excluded)."""
    if not k or settled is None:
        return None
    start, frames = slot.start, slot.frames
    head, tail = slot.transition_in, slot.transition_out
    begin, finish = _ms(event.start), _ms(event.end)
    # libass is asked for frame n at floor(n * 1000 / fps) ms: the first frame it shows
    # settled, and the first one its fade-out (or its end) touches
    still = math.ceil((begin + settled.after_ms + 1) * fps / 1000) - start
    leaving = math.ceil((finish - settled.fade_out_ms - 1) * fps / 1000) - start
    first = -(-max(still, head) // k) * k
    end = min(leaving, frames - tail) // k * k
    if end - first < 2 * k:
        return None
    return first, end
