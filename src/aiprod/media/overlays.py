"""Animated titles, lower thirds and burned-in captions as one ASS document for libass.

User text reaches libass only through ``escape_ass_text`` inside a file, never through a
filter string; libass shapes it with HarfBuzz and FriBidi and falls back through fontconfig
(Noto CJK for Chinese/Japanese/Korean, Symbola for emoji), so every script renders.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from aiprod.captions.ass import AssDocument, AssEvent, AssStyle, escape_ass_text
from aiprod.captions.cues import Cue
from aiprod.captions.styles import caption_events
from aiprod.media.timeline import SceneSlot, Timeline, seconds_at
from aiprod.spec.model import BrandKit, VideoSpec
from aiprod.spec.presets import Preset

DEFAULT_FONT = "Noto Sans"
TITLE_IN_MS = 350
TITLE_OUT_MS = 250
TITLE_DELAY_S = 0.1
LOWER_THIRD_DELAY_S = 0.5
SLIDE_PX = 0.02  # of the frame height: how far titles rise as they appear


@dataclass(frozen=True)
class Layout:
    """Where titles and lower thirds sit for a frame shape (captions place themselves)."""

    title_y: float
    title_size: float
    lower_y: float
    lower_size: float

    @classmethod
    def for_frame(cls, width: int, height: int) -> Layout:
        short = min(width, height)
        if height > width:  # vertical: title in the upper third, lower third above captions
            return cls(
                title_y=0.34, title_size=short * 0.085, lower_y=0.56, lower_size=short * 0.052
            )
        return cls(title_y=0.40, title_size=short * 0.085, lower_y=0.76, lower_size=short * 0.042)


def overlay_styles(brand: BrandKit, width: int, height: int, layout: Layout) -> list[AssStyle]:
    font = brand.font or DEFAULT_FONT
    margin = int(width * 0.08)
    colours = brand.colors
    return [
        AssStyle(
            name="Title",
            font=font,
            size=round(layout.title_size),
            bold=True,
            primary_colour=colours.text,
            outline_colour="#000000B0",
            back_colour="#00000060",
            outline=max(2.0, layout.title_size * 0.04),
            shadow=max(1.0, layout.title_size * 0.03),
            alignment=5,
            margin_l=margin,
            margin_r=margin,
        ),
        AssStyle(
            name="LowerThird",
            font=font,
            size=round(layout.lower_size),
            bold=True,
            primary_colour=colours.text,
            # BorderStyle 4 (libass): one box behind all lines, in BackColour, padded by
            # the shadow size; style 3 draws a box per line with seams between them
            back_colour=colours.primary + "E0",
            border_style=4,
            outline=0.0,
            shadow=round(max(4.0, layout.lower_size * 0.35), 1),
            alignment=4,
            margin_l=margin,
            margin_r=margin,
        ),
    ]


def _title_event(slot: SceneSlot, text: str, tl: Timeline, layout: Layout) -> AssEvent:
    start = float(seconds_at(slot.clear_start, tl.fps)) + TITLE_DELAY_S
    end = float(seconds_at(slot.clear_end, tl.fps))
    x, y = tl.width // 2, round(tl.height * layout.title_y)
    rise = round(tl.height * SLIDE_PX)
    tags = (
        rf"{{\move({x},{y + rise},{x},{y},0,{TITLE_IN_MS})\fad({TITLE_IN_MS},{TITLE_OUT_MS})"
        rf"\fscx94\fscy94\t(0,{TITLE_IN_MS},\fscx100\fscy100)}}"
    )
    return AssEvent(
        start=start,
        end=max(end, start + 0.5),
        style="Title",
        layer=1,
        text=tags + escape_ass_text(text),
    )


def _lower_third_event(slot: SceneSlot, text: str, tl: Timeline, layout: Layout) -> AssEvent:
    start = float(seconds_at(slot.clear_start, tl.fps)) + LOWER_THIRD_DELAY_S
    end = float(seconds_at(slot.clear_end, tl.fps))
    x, y = int(tl.width * 0.08), round(tl.height * layout.lower_y)
    slide = int(tl.width * 0.03)
    tags = rf"{{\move({x - slide},{y},{x},{y},0,300)\fad(300,{TITLE_OUT_MS})}}"
    return AssEvent(
        start=start,
        end=max(end, start + 0.5),
        style="LowerThird",
        layer=1,
        text=tags + escape_ass_text(text),
    )


def title_events(spec: VideoSpec, timeline: Timeline, layout: Layout) -> list[AssEvent]:
    events: list[AssEvent] = []
    for slot, scene in zip(timeline.scenes, spec.scenes, strict=True):
        if scene.title and scene.title.strip():
            events.append(_title_event(slot, scene.title.strip(), timeline, layout))
        if scene.text and scene.text.strip():
            events.append(_lower_third_event(slot, scene.text.strip(), timeline, layout))
    return events


def build_overlay(
    spec: VideoSpec,
    preset: Preset,
    timeline: Timeline,
    cues: list[Cue],
    design: tuple[Sequence[AssStyle], Sequence[AssEvent]] | None = None,
) -> AssDocument | None:
    """The overlay document, or None when there is nothing to draw. ``design``: the design
    stage's front styles and events, drawn instead of the plain titles and lower thirds."""
    layout = Layout.for_frame(timeline.width, timeline.height)
    if design is not None:
        styles, events = list(design[0]), list(design[1])
    else:
        styles = overlay_styles(spec.brand, timeline.width, timeline.height, layout)
        events = title_events(spec, timeline, layout)
    if cues and spec.captions.enabled:
        cap_styles, cap_events = caption_events(
            cues,
            style=spec.captions.style or preset.caption_style,
            width=timeline.width,
            height=timeline.height,
            font=spec.brand.font,
            accent=spec.brand.colors.accent,
            text_colour=spec.brand.colors.text,
            uppercase=spec.captions.uppercase,
        )
        styles += cap_styles
        events += cap_events
    if not events:
        return None
    return AssDocument(
        play_res_x=timeline.width,
        play_res_y=timeline.height,
        styles=styles,
        events=events,
        title=spec.title or "AIPROD",
    )


def write_overlay(
    spec: VideoSpec,
    preset: Preset,
    timeline: Timeline,
    cues: list[Cue],
    out: Path,
    design: tuple[Sequence[AssStyle], Sequence[AssEvent]] | None = None,
) -> Path | None:
    document = build_overlay(spec, preset, timeline, cues, design)
    if document is None:
        return None
    out.write_text(document.render(), encoding="utf-8")
    return out


__all__ = ["Layout", "build_overlay", "write_overlay"]
