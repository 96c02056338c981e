"""Elements to ASS events for libass: kinetic text and vector shapes (``\\p1`` drawings).

User text only ever reaches the markup through ``escape_ass_text``; everything else in an
event is numbers and tags made here. Each text line (or word) is its own event placed with
``\\pos``/``\\move`` at the position typesetting measured, so line pitch, per-word reveals
and accent colours are ours, and libass never re-wraps (``WrapStyle: 2``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from aiprod.captions.ass import AssEvent, AssStyle, ass_override_colour, escape_ass_text
from aiprod.design.fonts import DEFAULT_FAMILY, breaks_anywhere, font_file, is_rtl, script_of
from aiprod.design.layouts import ShapeElement, TextElement
from aiprod.design.motion import (
    EASE_IN_ACCEL,
    EASE_OUT_ACCEL,
    ENTER_MS,
    EXIT_MS,
    SPRING_MS,
    WORD_STAGGER_S,
    count_steps,
    format_number,
    spring_tags,
)
from aiprod.media.stills import Entrance

STYLE = "Design"
# a spin turns the drawing into place during its entrance only: libass draws a rotated
# outline anew (and caches it) for every angle, so a whole-scene spin of a large ring cost
# a rasterisation per frame and hundreds of MB of cache
SPIN_MS = 900
KAPPA = 0.5523  # bezier handle for a quarter circle
_FAMILY_FOR_SCRIPT = {
    "cjk": "Noto Sans CJK SC",
    "arabic": "Noto Sans Arabic",
    "hebrew": "Noto Sans Hebrew",
}


def design_style(font: str | None) -> AssStyle:
    return AssStyle(
        name=STYLE,
        font=font or DEFAULT_FAMILY,
        size=48,
        bold=True,
        outline=0.0,
        shadow=0.0,
        alignment=7,
    )


def _alpha(opacity: float) -> str:
    return f"&H{255 - round(max(0.0, min(1.0, opacity)) * 255):02X}&"


def _colour_tags(colour: str, opacity: float = 1.0) -> str:
    extra = int(colour[7:9], 16) / 255 if len(colour) == 9 else 1.0
    return rf"\1c{ass_override_colour(colour)}\1a{_alpha(opacity * extra)}"


def _n(value: float) -> str:
    return str(round(value))


# ------------------------------------------------------------------ shapes


def rect_path(w: float, h: float, r: float = 0.0) -> str:
    r = max(0.0, min(r, w / 2, h / 2))
    if r < 1:
        return f"m 0 0 l {_n(w)} 0 {_n(w)} {_n(h)} 0 {_n(h)}"
    k = r * (1 - KAPPA)
    return (
        f"m {_n(r)} 0 l {_n(w - r)} 0 b {_n(w - k)} 0 {_n(w)} {_n(k)} {_n(w)} {_n(r)} "
        f"l {_n(w)} {_n(h - r)} b {_n(w)} {_n(h - k)} {_n(w - k)} {_n(h)} {_n(w - r)} {_n(h)} "
        f"l {_n(r)} {_n(h)} b {_n(k)} {_n(h)} 0 {_n(h - k)} 0 {_n(h - r)} "
        f"l 0 {_n(r)} b 0 {_n(k)} {_n(k)} 0 {_n(r)} 0"
    )


def circle_path(cx: float, cy: float, r: float, *, reverse: bool = False) -> str:
    k = r * KAPPA
    if not reverse:
        return (
            f"m {_n(cx)} {_n(cy - r)} b {_n(cx + k)} {_n(cy - r)} {_n(cx + r)} {_n(cy - k)} "
            f"{_n(cx + r)} {_n(cy)} b {_n(cx + r)} {_n(cy + k)} {_n(cx + k)} {_n(cy + r)} "
            f"{_n(cx)} {_n(cy + r)} b {_n(cx - k)} {_n(cy + r)} {_n(cx - r)} {_n(cy + k)} "
            f"{_n(cx - r)} {_n(cy)} b {_n(cx - r)} {_n(cy - k)} {_n(cx - k)} {_n(cy - r)} "
            f"{_n(cx)} {_n(cy - r)}"
        )
    return (
        f"m {_n(cx)} {_n(cy - r)} b {_n(cx - k)} {_n(cy - r)} {_n(cx - r)} {_n(cy - k)} "
        f"{_n(cx - r)} {_n(cy)} b {_n(cx - r)} {_n(cy + k)} {_n(cx - k)} {_n(cy + r)} "
        f"{_n(cx)} {_n(cy + r)} b {_n(cx + k)} {_n(cy + r)} {_n(cx + r)} {_n(cy + k)} "
        f"{_n(cx + r)} {_n(cy)} b {_n(cx + r)} {_n(cy - k)} {_n(cx + k)} {_n(cy - r)} "
        f"{_n(cx)} {_n(cy - r)}"
    )


def ring_path(side: float, line: float) -> str:
    """A ring: outer circle minus inner, drawn in opposite directions (libass fills
    non-zero)."""
    r = side / 2
    return f"{circle_path(r, r, r)} {circle_path(r, r, max(1.0, r - line), reverse=True)}"


def check_path(w: float, h: float, line: float) -> str:
    """A check mark filling ``w`` x ``h``: two strokes as one polygon."""
    t = line
    return (
        f"m 0 {_n(h * 0.55)} l {_n(t)} {_n(h * 0.55 - t)} l {_n(w * 0.38)} {_n(h * 0.8 - t)} "
        f"l {_n(w - t)} 0 l {_n(w)} {_n(t)} l {_n(w * 0.38)} {_n(h)} l 0 {_n(h * 0.55)}"
    )


def cross_path(w: float, h: float, line: float) -> str:
    t = line / math.sqrt(2)
    a = f"m 0 {_n(t)} l {_n(t)} 0 l {_n(w)} {_n(h - t)} l {_n(w - t)} {_n(h)}"
    b = f"m {_n(w - t)} 0 l {_n(w)} {_n(t)} l {_n(t)} {_n(h)} l 0 {_n(h - t)}"
    return f"{a} {b}"


def dots_path(w: float, h: float, pitch: float, radius: float) -> str:
    parts = []
    y = pitch / 2
    row = 0
    while y < h:
        x = pitch / 2 + (pitch / 2 if row % 2 else 0)
        while x < w:
            parts.append(rect_path_at(x - radius, y - radius, radius * 2, radius * 2))
            x += pitch
        y += pitch
        row += 1
    return " ".join(parts)


def rect_path_at(x: float, y: float, w: float, h: float) -> str:
    return f"m {_n(x)} {_n(y)} l {_n(x + w)} {_n(y)} {_n(x + w)} {_n(y + h)} {_n(x)} {_n(y + h)}"


def stripes_path(w: float, h: float, pitch: float, line: float) -> str:
    parts = []
    x = -h
    while x < w:
        parts.append(
            f"m {_n(x)} {_n(h)} l {_n(x + line)} {_n(h)} l {_n(x + line + h)} 0 l {_n(x + h)} 0"
        )
        x += pitch
    return " ".join(parts)


@lru_cache(maxsize=8)
def halftone_path(w: float, h: float, radius: float, *, reverse: bool = False) -> str:
    """A halftone field: diamonds on a grid, largest at one corner, shrinking to 30 % across
    the box: a printed-texture gradient that reads at phone size."""
    pitch = max(2.5, radius * 2.0)
    parts = []
    diagonal = w + h
    y, row = pitch / 2, 0
    while y < h:
        x = pitch / 2 + (pitch / 2 if row % 2 else 0)
        while x < w:
            t = (x + y) / diagonal
            t = 1 - t if reverse else t
            r = radius * (0.3 + 0.7 * (1 - t) ** 0.8)
            if r >= 0.7:
                top, right = f"{_n(x)} {_n(y - r)}", f"{_n(x + r)} {_n(y)}"
                bottom, left = f"{_n(x)} {_n(y + r)}", f"{_n(x - r)} {_n(y)}"
                parts.append(f"m {top} l {right} {bottom} {left}")
            x += pitch
        y += pitch
        row += 1
    return " ".join(parts) or "m 0 0 l 1 0 1 1 0 1"


def quote_mark_path(side: float) -> str:
    """Two filled 'comma' shapes: a disc with a tail, like a bold opening quotation mark."""
    r = side * 0.2
    out = []
    for cx in (side * 0.28, side * 0.72):
        cy = side * 0.62
        out.append(circle_path(cx, cy, r))
        out.append(
            f"m {_n(cx - r)} {_n(cy)} l {_n(cx - r * 0.2)} {_n(side * 0.12)} "
            f"l {_n(cx + r * 0.35)} {_n(side * 0.16)} l {_n(cx + r * 0.2)} {_n(cy - r * 0.5)}"
        )
    return " ".join(out)


def shape_path(el: ShapeElement) -> str:
    b = el.box
    if el.shape in ("rect", "round"):
        return rect_path(b.w, b.h, el.radius)
    if el.shape == "circle":
        r = min(b.w, b.h) / 2
        return circle_path(r, r, r)
    if el.shape == "ring":
        return ring_path(min(b.w, b.h), max(2.0, el.line))
    if el.shape == "check":
        return check_path(b.w, b.h, max(2.0, el.line))
    if el.shape == "cross":
        return cross_path(b.w, b.h, max(2.0, el.line))
    if el.shape == "dots":
        return dots_path(b.w, b.h, max(8.0, el.line * 6), max(1.5, el.line))
    if el.shape in ("halftone", "halftone_r"):
        return halftone_path(b.w, b.h, max(1.0, el.line), reverse=el.shape == "halftone_r")
    if el.shape == "stripes":
        return stripes_path(b.w, b.h, max(10.0, el.line * 5), max(2.0, el.line))
    return quote_mark_path(min(b.w, b.h))


def mask_event(el: ShapeElement) -> AssEvent:
    """A shape's coverage mask, opaque white and motionless: the renderer draws it once,
    gives it the shape's colour and opacity, and lays the picture over the scene's background
    instead of libass blending a frame-sized bitmap on every frame."""
    b = el.box
    tags = rf"\an7\pos({b.x},{b.y})\bord0\shad0\1c&HFFFFFF&\1a&H00&\p1"
    return AssEvent(0.0, 1.0, STYLE, rf"{{{tags}}}{shape_path(el)}{{\p0}}", 0)


def shape_colour(el: ShapeElement) -> tuple[str, float]:
    """The shape's fill as (#RRGGBB, opacity), folding a colour's own alpha into the opacity."""
    extra = int(el.colour[7:9], 16) / 255 if len(el.colour) == 9 else 1.0
    return el.colour[:7], max(0.0, min(1.0, el.opacity * extra))


def shape_event(
    el: ShapeElement,
    scene_start: float,
    scene_end: float,
    layer: int,
) -> AssEvent:
    """The shape's libass event: its entrance, its motion and its exit fade."""
    b = el.box
    start = scene_start + el.delay_s
    ms = 0
    cx, cy = b.x + b.w / 2, b.y + b.h / 2
    motion = el.motion
    colour = _colour_tags(el.colour, el.opacity)
    exit_ms = EXIT_MS
    exit_tag = rf"\fad(0,{exit_ms})"
    if motion == "grow_x":
        pos = rf"\an7\pos({b.x},{b.y})\fscx0\t({ms},{ms + ENTER_MS},{EASE_OUT_ACCEL},\fscx100)"
    elif motion == "grow_y":
        pos = (
            rf"\an1\pos({b.x},{b.y + b.h})\fscy0\t({ms},{ms + ENTER_MS},{EASE_OUT_ACCEL},\fscy100)"
        )
    elif motion == "pop":
        pos = rf"\an5\pos({_n(cx)},{_n(cy)}){spring_tags(ms)}"
    elif motion in ("slide_left", "slide_right"):
        dx = round(b.w * 0.25) * (1 if motion == "slide_left" else -1)
        pos = (
            rf"\an7\move({b.x + dx},{b.y},{b.x},{b.y},{ms},{ms + ENTER_MS})"
            rf"\alpha&HFF&\t({ms},{ms + ENTER_MS},{EASE_OUT_ACCEL},\alpha&H00&)"
        )
        colour = _colour_tags(el.colour, el.opacity).replace(r"\1a", r"\1a")
    elif motion == "spin":
        dur = max(1, round((scene_end - start) * 1000))
        pos = (
            rf"\an5\pos({_n(cx)},{_n(cy)})\org({_n(cx)},{_n(cy)})"
            rf"\frz40{spring_tags(ms)}\t({ms},{min(dur, SPIN_MS)},{EASE_OUT_ACCEL},\frz0)"
        )
    elif motion == "drift":
        dur = max(1, round((scene_end - start) * 1000))
        drift = round(min(b.w, b.h) * 0.04)
        pos = rf"\an7\move({b.x},{b.y},{b.x - drift},{b.y - drift},0,{dur})"
    else:
        pos = rf"\an7\pos({b.x},{b.y})"
    entrance = rf"\fad({ENTER_MS // 2},{exit_ms})" if motion in ("fade", "drift") else exit_tag
    if motion in ("slide_left", "slide_right"):
        # the slide animates \alpha; fold the shape's own opacity into \1a on top of it
        entrance = exit_tag
    text = rf"{{{pos}\bord0\shad0{colour}{entrance}\p1}}{shape_path(el)}{{\p0}}"
    end = max(start + 0.05, scene_end)
    return AssEvent(start, end, STYLE, text, layer)


def settles(el: ShapeElement) -> bool:
    """Whether the shape stands still after its entrance (a drift moves all scene long)."""
    return el.motion != "drift"


@dataclass(frozen=True)
class RestShape:
    """A backdrop shape drawn once into a picture of its own box: ``mask`` (white, opaque)
    on a ``canvas_w`` x ``canvas_h`` canvas whose top-left sits at (x, y) in the frame, in
    the shape's colour and opacity. Its entrance (``entrance`` from ``start_s`` for
    ``enter_s``) is played by the render graph on that picture (scale, slide, fade),
    which then holds it at rest: libass drawing large panels, discs and rings on every frame
    of their entrance, and caching a bitmap for each, was most of the backdrop's cost."""

    mask: AssEvent
    canvas_w: int
    canvas_h: int
    colour: str
    opacity: float
    x: int
    y: int
    start_s: float
    layer: int
    entrance: Entrance = "none"
    enter_s: float = 0.0
    slide_dx: int = 0  # where a slide starts, relative to its place at rest


def _entrance(el: ShapeElement) -> tuple[Entrance, float, int]:
    """(entrance, seconds, slide offset) playing ``shape_event``'s motion."""
    motion = el.motion
    if motion in ("grow_x", "grow_y"):
        return motion, ENTER_MS / 1000, 0
    if motion in ("pop", "spin"):  # a spin's ring is round: its turn would show nothing
        return "pop", SPRING_MS / 1000, 0
    if motion in ("slide_left", "slide_right"):
        dx = round(el.box.w * 0.25) * (1 if motion == "slide_left" else -1)
        return "slide", ENTER_MS / 1000, dx
    if motion == "fade":
        return "fade", ENTER_MS / 2000, 0
    return "none", 0.0, 0


def rest_shape(el: ShapeElement, scene_start: float, layer: int) -> RestShape:
    b = el.box
    pad = 4
    cw = math.ceil(b.w) // 2 * 2 + 2 * pad + 2
    ch = math.ceil(b.h) // 2 * 2 + 2 * pad + 2
    if el.motion in ("pop", "spin"):  # placed by their centre, like their event
        pos = rf"\an5\pos({cw // 2},{ch // 2})"
        x, y = round(b.x + b.w / 2) - cw // 2, round(b.y + b.h / 2) - ch // 2
    else:
        pos = rf"\an7\pos({pad},{pad})"
        x, y = round(b.x) - pad, round(b.y) - pad
    tags = rf"{pos}\bord0\shad0\1c&HFFFFFF&\1a&H00&\p1"
    mask = AssEvent(0.0, 1.0, STYLE, rf"{{{tags}}}{shape_path(el)}{{\p0}}", 0)
    colour, opacity = shape_colour(el)
    entrance, enter_s, dx = _entrance(el)
    return RestShape(
        mask=mask,
        canvas_w=cw,
        canvas_h=ch,
        colour=colour,
        opacity=opacity,
        x=x,
        y=y,
        start_s=scene_start + el.delay_s,
        layer=layer,
        entrance=entrance,
        enter_s=enter_s,
        slide_dx=dx,
    )


# ------------------------------------------------------------------ text


def _family_tag(text: str) -> str:
    family = _FAMILY_FOR_SCRIPT.get(script_of(text))
    return rf"\fn{family}" if family else ""


def _accented(line: str, accent_words: frozenset[str], accent: str | None, base: str) -> str:
    """Escaped line with accent words coloured (words compared without punctuation)."""
    # right-to-left lines stay one run: libass reorders colour-split runs of an Arabic line
    # word by word in the wrong order (seen with libass 0.17 here)
    if not accent or not accent_words or breaks_anywhere(line) or is_rtl(line):
        return escape_ass_text(line)
    out = []
    for n, word in enumerate(line.split(" ")):
        bare = word.strip(".,!?:;\"'()“”«»")
        piece = escape_ass_text(word)
        if bare and bare in accent_words:
            piece = (
                rf"{{\1c{ass_override_colour(accent)}}}{piece}{{\1c{ass_override_colour(base)}}}"
            )
        out.append(piece if n == 0 else " " + piece)
    return "".join(out)


def _line_x(el: TextElement, line_w: float) -> float:
    b = el.box
    if el.align == "left":
        return b.x
    if el.align == "right":
        return b.x + b.w - 1 - line_w
    return b.x + (b.w - 1 - line_w) / 2


def text_events(
    el: TextElement, scene_start: float, scene_end: float, layer: int
) -> list[AssEvent]:
    if el.stat is not None and el.reveal == "count":
        return _count_events(el, scene_start, scene_end, layer)
    t = el.text
    font = t.font
    base = rf"\q2\bord0\shad{max(1, round(t.em_px * 0.035))}\4c&H000000&\4a&H90&"
    size = rf"\fs{t.ass_size:.1f}"
    colour = _colour_tags(el.colour)
    events: list[AssEvent] = []
    rtl = any(is_rtl(line) for line in t.lines)
    top = el.box.y
    for n, line in enumerate(t.lines):
        # libass places its (taller) line; the box holds the glyphs (see FontMetrics)
        y = top + n * t.pitch - font.draw_offset(t.em_px)
        line_w = font.width(line, t.em_px)
        x = _line_x(el, line_w)
        fam = _family_tag(line)
        start = scene_start + el.delay_s + n * 0.12
        end = max(start + 0.1, scene_end)
        if el.reveal == "words" and not rtl and not breaks_anywhere(line) and " " in line:
            events += _word_events(el, line, x, y, start, end, layer, base + size + fam)
            continue
        body = _accented(line, el.accent_words, el.accent, el.colour[:7])
        lh = font.ass_line_height(t.em_px)
        if el.reveal in ("rise", "words"):
            rise = round(lh * 0.6)
            clip = (
                rf"\clip({_n(x - 4)},{_n(y - lh * 0.1)},{_n(x + line_w + 4)},{_n(y + lh * 1.05)})"
            )
            tags = (
                rf"\an7\move({_n(x)},{_n(y + rise)},{_n(x)},{_n(y)},0,{ENTER_MS})"
                rf"{clip}\fad(0,{EXIT_MS})"
            )
            # shadows under a clip look cut: fade the whole line in as it rises
            tags += rf"\alpha&HFF&\t(0,{ENTER_MS // 2},\alpha&H00&)"
        elif el.reveal == "wipe":
            x0, x1 = x - 4, x + line_w + 6
            y0, y1 = y - lh * 0.1, y + lh * 1.05
            if rtl:
                start_clip = rf"\clip({_n(x1)},{_n(y0)},{_n(x1)},{_n(y1)})"
            else:
                start_clip = rf"\clip({_n(x0)},{_n(y0)},{_n(x0)},{_n(y1)})"
            tags = (
                rf"\an7\pos({_n(x)},{_n(y)}){start_clip}"
                rf"\t(0,{ENTER_MS + 200},{EASE_OUT_ACCEL},"
                rf"\clip({_n(x0)},{_n(y0)},{_n(x1)},{_n(y1)}))"
                rf"\fad(0,{EXIT_MS})"
            )
        elif el.reveal == "pop":
            cx, cy = x + line_w / 2, y + lh / 2
            tags = rf"\an5\pos({_n(cx)},{_n(cy)}){spring_tags(0, 40)}\fad(120,{EXIT_MS})"
        else:
            tags = rf"\an7\pos({_n(x)},{_n(y)})\fad({ENTER_MS},{EXIT_MS})"
        text = rf"{{{tags}{base}{size}{fam}{colour}}}{body}"
        events.append(AssEvent(start, end, STYLE, text, layer))
    return events


def _word_events(
    el: TextElement,
    line: str,
    x: float,
    y: float,
    start: float,
    end: float,
    layer: int,
    common: str,
) -> list[AssEvent]:
    """One event per word, popping up in order: spring scale from its baseline."""
    t = el.text
    font, em = t.font, t.em_px
    events = []
    words = line.split(" ")
    cursor = 0.0
    space = font.width(" ", em)
    for n, word in enumerate(words):
        w = font.width(word, em)
        bare = word.strip(".,!?:;\"'()“”«»")
        fill = el.accent if (el.accent and bare in el.accent_words) else el.colour
        cx = x + cursor + w / 2
        bottom = y + font.ass_line_height(em)
        begin = start + n * WORD_STAGGER_S
        tags = (
            rf"\an2\pos({_n(cx)},{_n(bottom)}){spring_tags(0, 30)}"
            rf"\alpha&HFF&\t(0,120,\alpha&H00&)\fad(0,{EXIT_MS})"
        )
        text = rf"{{{tags}{common}{_colour_tags(fill or el.colour)}}}{escape_ass_text(word)}"
        events.append(AssEvent(begin, max(begin + 0.1, end), STYLE, text, layer))
        cursor += w + space
    return events


def _count_events(
    el: TextElement, scene_start: float, scene_end: float, layer: int
) -> list[AssEvent]:
    """A number counting up: one short event per shown value, the last one held."""
    assert el.stat is not None
    stat, t = el.stat, el.text
    b = el.box
    cx, cy = b.x + b.w / 2, b.y + b.h / 2
    unit_size = t.ass_size * 0.5
    unit = rf"{{\fs{unit_size:.1f}}}{escape_ass_text(' ' + stat.unit)}" if stat.unit else ""
    prefix = escape_ass_text(stat.prefix)
    base = rf"\q2\an5\pos({_n(cx)},{_n(cy)})\bord0\shad{max(1, round(t.em_px * 0.03))}\4a&H90&"
    size = rf"\fs{t.ass_size:.1f}"
    colour = _colour_tags(el.colour)
    start = scene_start + el.delay_s
    steps = count_steps(stat.value, stat.decimals, el.language)
    events = []
    for n, (offset, shown) in enumerate(steps):
        begin = start + offset
        last = n == len(steps) - 1
        end = scene_end if last else start + steps[n + 1][0]
        if end <= begin:
            continue
        tags = base + size + colour
        if n == 0:
            tags += r"\alpha&HFF&\t(0,100,\alpha&H00&)"
        if last:
            tags += rf"{spring_tags(0, 92)}\fad(0,{EXIT_MS})"
        value = escape_ass_text(shown)
        events.append(AssEvent(begin, end, STYLE, rf"{{{tags}}}{prefix}{value}{unit}", layer))
    if not events:
        final = format_number(stat.value, stat.decimals, el.language)
        events.append(
            AssEvent(
                start,
                max(start + 0.1, scene_end),
                STYLE,
                rf"{{{base}{size}{colour}}}{prefix}{escape_ass_text(final)}{unit}",
                layer,
            )
        )
    return events


@dataclass(frozen=True)
class MarqueeBand:
    """A band of repeated outlined words scrolling slowly across the frame: the backdrop's
    moving texture. Drawn once by libass into a wide strip (``mask``: white outline at
    ``\\pos`` inside a ``strip_w`` x ``strip_h`` canvas), then slid by an ``overlay`` x
    expression: libass re-rasterising a huge outlined text at every new position was a
    large share of the render's CPU."""

    mask: AssEvent
    strip_w: int
    strip_h: int
    colour: str  # #RRGGBB
    opacity: float
    y: int  # the strip's top edge, frame pixels
    x0: int  # the strip's left edge at start_s and at end_s
    x1: int
    start_s: float
    end_s: float


def marquee_band(
    text: str,
    *,
    y: float,
    em_px: float,
    width: int,
    colour: str,
    opacity: float,
    start: float,
    end: float,
    leftward: bool,
) -> MarqueeBand:
    """The scrolling band of ``text`` (user text, the brand: escaped here), level, centred
    vertically on ``y``."""
    from aiprod.design.fonts import metrics

    unit = f"{text.strip().upper()}  \u2022  "
    font = metrics(unit)
    repeat = max(2, int(width * 2.2 / max(1.0, font.width(unit, em_px))) + 1)
    band = unit * repeat
    band_w = font.width(band, em_px)
    travel = band_w - width * 1.2
    x0, x1 = (
        (-width * 0.1, -width * 0.1 - travel * 0.35)
        if leftward
        else (
            -width * 0.1 - travel * 0.35,
            -width * 0.1,
        )
    )
    pad = max(8, round(em_px * 0.25))
    strip_w = int(band_w + 2 * pad) // 2 * 2 + 2
    strip_h = int(em_px * 1.8) // 2 * 2
    size = font.ass_size(em_px)
    tags = (
        rf"\q2\an4\pos({pad},{strip_h // 2})\fs{size:.1f}"
        rf"{_family_tag(unit)}\1a&HFF&\3c&HFFFFFF&\3a&H00&"
        rf"\bord{max(1.0, em_px * 0.025):.1f}\shad0"
    )
    mask = AssEvent(0.0, 1.0, STYLE, rf"{{{tags}}}{escape_ass_text(band)}", 0)
    return MarqueeBand(
        mask=mask,
        strip_w=strip_w,
        strip_h=strip_h,
        colour=colour[:7],
        opacity=max(0.0, min(1.0, opacity)),
        y=round(y - strip_h / 2),
        x0=round(x0 - pad),
        x1=round(x1 - pad),
        start_s=start,
        end_s=max(start + 0.1, end),
    )


def brand_font_available(family: str | None) -> bool:
    """Whether fontconfig has the brand family (else libass falls back; so do we)."""
    if not family:
        return False
    try:
        return bool(font_file(family, True))
    except FileNotFoundError:
        return False


__all__ = ["EASE_IN_ACCEL", "design_style", "shape_event", "text_events"]
