"""The design stage: one plan for the whole video, from the spec and its timeline.

For every scene: its layout (the spec's, or chosen from its content and neighbours), the
placed elements, and their boxes. Background shapes are drawn once into pictures that the
render graph brings in and holds (a *backdrop* ASS pass remains only for shapes that move
all scene long); the *front* pass (text, marks, buttons, over the pictures, with the
burned-in captions) is libass's. Pictures are raster layers the render graph moves.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from aiprod.captions.ass import AssEvent, AssStyle
from aiprod.design.backgrounds import (
    choose_backgrounds,
    decor_kind,
    hero_clip,
    split_look,
)
from aiprod.design.boxes import Box, SafeZone
from aiprod.design.draw import (
    MarqueeBand,
    RestShape,
    design_style,
    marquee_band,
    rest_shape,
    settles,
    shape_event,
    text_events,
)
from aiprod.design.grid import Grid, Rect, make_grid
from aiprod.design.layouts import (
    Builder,
    Element,
    PictureElement,
    SceneContext,
    ShapeElement,
    TextElement,
    contrast,
    default_layout,
    lay_out,
)
from aiprod.design.logo import logo_aspect, logo_is_light
from aiprod.design.typeset import TypeScale
from aiprod.media.backgrounds import gradient_colours
from aiprod.media.scene_backgrounds import SplitLook
from aiprod.spec.model import (
    GradientBackground,
    ImageBackground,
    Scene,
    VideoBackground,
    VideoSpec,
)

BACKDROPS = ("blob", "split", "rings", "stripes")


@dataclass(frozen=True)
class SceneTimes:
    start_s: float  # first clear frame (after the transition in)
    end_s: float  # last clear frame


@dataclass(frozen=True)
class SceneDesign:
    index: int
    layout: str
    start_s: float
    end_s: float
    elements: tuple[Element, ...]
    boxes: tuple[Box, ...]
    background: str = "gradient"  # see aiprod.design.backgrounds
    split: SplitLook | None = None

    @property
    def pictures(self) -> list[PictureElement]:
        """The scene's illustration (the brand logo of an end card is ``logo``)."""
        return [e for e in self.elements if isinstance(e, PictureElement) and e.box.role != "logo"]

    @property
    def logo(self) -> PictureElement | None:
        return next(
            (e for e in self.elements if isinstance(e, PictureElement) and e.box.role == "logo"),
            None,
        )


@dataclass(frozen=True)
class DesignPlan:
    width: int
    height: int
    zone: SafeZone
    grid: Grid
    scenes: tuple[SceneDesign, ...]
    style: AssStyle
    backdrop: tuple[AssEvent, ...]
    front: tuple[AssEvent, ...]
    stage_s: float
    # per scene: the static full-frame shapes (veil, halftone) baked once into a still
    stills: tuple[tuple[ShapeElement, ...], ...] = ()
    # per scene: the scrolling brand bands, drawn once into strips the render graph slides
    bands: tuple[tuple[MarqueeBand, ...], ...] = ()
    # per scene: backdrop shapes as pictures, with the entrance the render graph plays
    rests: tuple[tuple[RestShape, ...], ...] = ()
    # for each event of ``front``: its scene and the box of the element it draws
    front_places: tuple[tuple[int, Box], ...] = ()

    @property
    def aspect(self) -> str:
        return self.grid.aspect

    def section(self) -> dict[str, Any]:
        """The manifest's ``design`` section (QA reads it)."""
        return {
            "aspect": self.aspect,
            "width": self.width,
            "height": self.height,
            "safe_zone": self.zone.to_dict(),
            "stage_s": round(self.stage_s, 4),
            "scenes": [
                {
                    "index": s.index,
                    "layout": s.layout,
                    "background": s.background,
                    "start_s": round(s.start_s, 3),
                    "end_s": round(s.end_s, 3),
                    "boxes": [b.to_dict() for b in s.boxes],
                }
                for s in self.scenes
            ],
        }


# large decor that needs no per-frame motion: drawn once per scene into a still under
# everything else, since libass blending frame-sized bitmaps on every frame (and caching a
# bitmap per sub-pixel position of a drifting one) was most of the render's time and memory
BAKED = frozenset({"bg_scrim", "bg_halftone", "bg_blob", "bg_stripes"})


def _backdrop(ctx: SceneContext, kind: str) -> list[ShapeElement]:
    """A background treatment under everything: a halftone field plus split colour, rings,
    stripes or a soft blob, on alternating sides."""
    b = Builder(ctx)
    w, h, c = ctx.grid.width, ctx.grid.height, ctx.colours
    short = min(w, h)
    flip = ctx.mirrored
    b.shape(
        "bg_halftone",
        "halftone_r" if flip else "halftone",
        Rect(0, 0, w, h),
        colour=c.text,
        opacity=0.13,
        motion="fade",
        line=max(1.0, short * 0.0062),
    )
    if kind == "split":
        if ctx.landscape:
            area = Rect(0, 0, w * 0.42, h) if not flip else Rect(w * 0.58, 0, w * 0.42, h)
            b.shape(
                "bg_split",
                "rect",
                area,
                colour=c.secondary,
                opacity=0.45,
                motion="slide_left" if not flip else "slide_right",
            )
        else:
            b.shape(
                "bg_split",
                "rect",
                Rect(0, h * 0.55, w, h * 0.45),
                colour=c.secondary,
                opacity=0.4,
                motion="grow_y",
            )
    elif kind == "rings":
        for n, scale in enumerate((1.1, 0.7)):
            side = short * scale
            cx, cy = (w * 0.85, h * 0.2) if not flip else (w * 0.15, h * 0.8)
            b.shape(
                f"bg_ring{n}",
                "ring",
                Rect(cx - side / 2, cy - side / 2, side, side),
                colour=c.secondary if n % 2 else c.accent,
                opacity=0.22 + 0.08 * n,
                motion="spin",
                delay_s=0.1 * n,
                line=max(3.0, short * 0.012),
            )
    elif kind == "stripes":
        band = (
            Rect(-w * 0.1, h * 0.66, w * 1.2, h * 0.3)
            if not flip
            else Rect(-w * 0.1, h * 0.04, w * 1.2, h * 0.3)
        )
        b.shape(
            "bg_stripes",
            "stripes",
            band,
            colour=c.secondary,
            opacity=0.35,
            motion="drift",
            line=max(3.0, short * 0.01),
        )
    else:
        b.shape(
            "bg_blob",
            "circle",
            Rect(w - short * 0.6, h - short * 0.7, short * 1.1, short * 1.1),
            colour=c.secondary,
            opacity=0.35,
            motion="drift",
        )
    return [e for e in b.elements if isinstance(e, ShapeElement)]


def needs_scrim(scene: Scene, spec: VideoSpec) -> bool:
    """Photos and clips, and gradients too light for the text colour, get a dark veil."""
    bg = scene.background
    if isinstance(bg, ImageBackground | VideoBackground):
        return True
    if isinstance(bg, GradientBackground):
        text = spec.brand.colors.text
        return any(contrast(text, c[:7]) < 4.5 for c in gradient_colours(bg, spec.brand))
    return False


def _scrim(ctx: SceneContext) -> ShapeElement:
    """A dark brand veil over a photo or clip, so text over it keeps its contrast."""
    b = Builder(ctx)
    w, h = ctx.grid.width, ctx.grid.height
    return b.shape(
        "bg_scrim",
        "rect",
        Rect(0, 0, w, h),
        colour=ctx.colours.primary,
        opacity=0.72,
        motion="fade",
    )


def _marquee(ctx: SceneContext, word: str) -> list[MarqueeBand]:
    """Two bands of the brand's name scrolling in opposite directions behind everything."""
    w, h = ctx.grid.width, ctx.grid.height
    em = min(w, h) * 0.16
    rows = (0.9,) if not ctx.landscape else (0.93,)
    out = []
    for n, row in enumerate(rows):
        out.append(
            marquee_band(
                word,
                y=h * row,
                em_px=em,
                width=w,
                colour=ctx.colours.secondary if n else ctx.colours.accent,
                opacity=0.28 if n else 0.22,
                start=ctx.start_s,
                end=ctx.end_s,
                leftward=(n + ctx.index) % 2 == 0,
            )
        )
    return out


def choose_layouts(scenes: list[Scene]) -> list[str]:
    kinds: list[str] = []
    for n, scene in enumerate(scenes):
        kinds.append(default_layout(scene, n, len(scenes), kinds[-1] if kinds else None))
    return kinds


def caption_box(grid: Grid, index: int, times: SceneTimes) -> Box | None:
    if grid.band is None:
        return None
    band = grid.band
    return Box(
        id=f"s{index}.captions",
        role="caption",
        x=int(band.x),
        y=int(band.y),
        w=int(band.w),
        h=int(band.h),
        start_s=round(times.start_s, 3),
        end_s=round(times.end_s, 3),
    )


def plan_design(
    spec: VideoSpec,
    width: int,
    height: int,
    times: list[SceneTimes],
    *,
    caption_look: str | None,
) -> DesignPlan:
    """Lay out every scene and draw it; ``caption_look`` is None when nothing is burned in."""
    began = time.perf_counter()
    brand = spec.brand
    grid = make_grid(
        width,
        height,
        caption_look=caption_look,
        logo_position=brand.logo_position if brand.logo else None,
    )
    scale = TypeScale.for_frame(width, height)
    kinds = choose_layouts(list(spec.scenes))
    grounds = choose_backgrounds(list(spec.scenes), kinds)
    marquee_word = (brand.name or spec.title or "").strip()[:40]
    scenes: list[SceneDesign] = []
    backdrop: list[AssEvent] = []
    front: list[AssEvent] = []
    stills: list[tuple[ShapeElement, ...]] = []
    bands: list[tuple[MarqueeBand, ...]] = []
    rests: list[tuple[RestShape, ...]] = []
    places: list[tuple[int, Box]] = []
    for n, (scene, kind, at) in enumerate(zip(spec.scenes, kinds, times, strict=True)):
        ctx = SceneContext(
            index=n,
            count=len(spec.scenes),
            scene=scene,
            grid=grid,
            scale=scale,
            colours=brand.colors,
            start_s=at.start_s,
            end_s=at.end_s,
            has_picture=scene.illustration is not None or hero_clip(scene, kind) is not None,
            family=brand.font,
            url=brand.url,
            call_to_action=brand.call_to_action
            or (spec.brief.call_to_action if spec.brief else None),
            tagline=brand.tagline,
            brand_name=brand.name,
            language=spec.language,
            logo_aspect=logo_aspect(brand.logo),
            logo_light=logo_is_light(brand.logo),
        )
        decor = _backdrop(ctx, decor_kind(BACKDROPS, n, grounds[n]))
        if needs_scrim(scene, spec) and grounds[n] != "asset_blur":  # already darkened
            decor.insert(0, _scrim(ctx))
        elements = lay_out(ctx, kind)
        boxes = [e.box for e in elements]
        band = caption_box(grid, n, at)
        if band is not None:
            boxes.append(band)
        split = (
            split_look(brand.colors, n, kind, boxes, width, height)
            if grounds[n] == "split"
            else None
        )
        scenes.append(
            SceneDesign(
                n, kind, at.start_s, at.end_s, tuple(elements), tuple(boxes), grounds[n], split
            )
        )
        baked = [d for d in decor if d.box.id.split(".", 1)[1] in BAKED]
        stills.append(tuple(baked))
        bands.append(tuple(_marquee(ctx, marquee_word)) if marquee_word else ())
        resting: list[RestShape] = []
        back = [(d, 0) for d in decor if d not in baked]
        back += [(e, 1) for e in elements if isinstance(e, ShapeElement) and e.layer == "back"]
        for shape, layer in back:  # pictures the graph brings in; libass only for drifts
            if settles(shape):
                resting.append(rest_shape(shape, at.start_s, layer))
            else:
                backdrop.append(shape_event(shape, at.start_s, at.end_s, layer))
        rests.append(tuple(resting))
        for el in elements:
            drawn: list[AssEvent] = []
            if isinstance(el, ShapeElement) and el.layer != "back":
                drawn = [shape_event(el, at.start_s, at.end_s, 2)]
            elif isinstance(el, TextElement):
                drawn = text_events(el, at.start_s, at.end_s, 3)
            front += drawn
            places += [(n, el.box)] * len(drawn)
    return DesignPlan(
        width=width,
        height=height,
        zone=grid.zone,
        grid=grid,
        scenes=tuple(scenes),
        style=design_style(brand.font),
        backdrop=tuple(backdrop),
        front=tuple(front),
        stage_s=time.perf_counter() - began,
        stills=tuple(stills),
        bands=tuple(bands),
        rests=tuple(rests),
        front_places=tuple(places),
    )
