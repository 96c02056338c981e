"""Scene layouts: from a scene's content and the frame's grid to placed, timed elements.

Every ``LayoutKind`` works in every aspect: portrait and square frames stack their parts,
landscape frames set them side by side. Each element carries the ``Box`` the manifest
records (its rest position), what to draw, and how it enters. Text is fitted to its box by
``typeset.fit`` here, so the box is the text's real extent and never its overflow.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Literal, TypeVar

from aiprod.design.boxes import Box, Role
from aiprod.design.fonts import is_rtl
from aiprod.design.grid import Grid, Rect
from aiprod.design.logo import fit_logo
from aiprod.design.motion import ELEMENT_STAGGER_S, ITEM_STAGGER_S
from aiprod.design.typeset import SetText, TypeScale, fit
from aiprod.spec.model import BrandColours, Scene, Stat, VideoBackground

Align = Literal["left", "center", "right"]
Reveal = Literal["words", "rise", "wipe", "pop", "count", "fade"]
ShapeKind = Literal[
    "rect",
    "round",
    "circle",
    "ring",
    "check",
    "cross",
    "dots",
    "stripes",
    "quote_mark",
    "halftone",  # dots growing toward the box's top-left corner (radius = line)
    "halftone_r",  # the same, growing toward the bottom-right corner
]
ShapeMotion = Literal[
    "grow_x", "grow_y", "pop", "fade", "slide_left", "slide_right", "drift", "spin"
]
PictureMotion = Literal["float", "push"]
Layer = Literal["back", "front"]
A = TypeVar("A")


@dataclass(frozen=True)
class TextElement:
    box: Box
    text: SetText
    align: Align
    colour: str
    reveal: Reveal
    delay_s: float
    accent: str | None = None
    accent_words: frozenset[str] = frozenset()
    strike: bool = False
    stat: Stat | None = None  # counts up when set
    language: str = "en"  # how its numbers are written


@dataclass(frozen=True)
class ShapeElement:
    box: Box
    shape: ShapeKind
    colour: str
    opacity: float
    motion: ShapeMotion
    delay_s: float
    layer: Layer = "back"
    radius: float = 0.0
    line: float = 0.0  # stroke width of rings and marks


@dataclass(frozen=True)
class PictureElement:
    box: Box
    motion: PictureMotion
    delay_s: float


Element = TextElement | ShapeElement | PictureElement


@dataclass(frozen=True)
class SceneContext:
    index: int
    count: int
    scene: Scene
    grid: Grid
    scale: TypeScale
    colours: BrandColours
    start_s: float
    end_s: float
    has_picture: bool
    family: str | None = None
    url: str | None = None
    call_to_action: str | None = None
    tagline: str | None = None
    brand_name: str | None = None
    language: str = "en"
    logo_aspect: float | None = None  # the brand logo's width / height, when it has one
    logo_light: bool = False  # a light logo sits on a dark plate, a dark one on white

    @property
    def landscape(self) -> bool:
        """Parts side by side: the content area is wide (16:9, and 1:1 once the caption band
        and margins are taken out)."""
        content = self.grid.content
        return content.w > content.h * 1.25

    @property
    def square(self) -> bool:
        return not self.landscape and self.grid.aspect == "1:1"

    @property
    def mirrored(self) -> bool:
        """Alternate sides scene to scene so consecutive layouts differ."""
        return self.index % 2 == 1


@dataclass
class Builder:
    """Collects a scene's elements; ids are unique within the scene."""

    ctx: SceneContext
    elements: list[Element] = field(default_factory=list)

    def _box(
        self,
        name: str,
        role: Role,
        rect: Rect,
        *,
        text_px: float | None = None,
        colour: str | None = None,
        on: tuple[str, ...] = (),
    ) -> Box:
        c = self.ctx
        return Box(
            id=f"s{c.index}.{name}",
            role=role,
            x=int(rect.x),
            y=int(rect.y),
            w=max(1, round(rect.w)),
            h=max(1, round(rect.h)),
            start_s=round(c.start_s, 3),
            end_s=round(c.end_s, 3),
            text_px=None if text_px is None else round(text_px),
            colour=colour,
            may_overlap=tuple(f"s{c.index}.{o}" for o in on),
        )

    def text(
        self,
        name: str,
        role: Role,
        content: str,
        area: Rect,
        *,
        size: float,
        min_size: float | None = None,
        align: Align = "center",
        valign: Literal["top", "middle", "bottom"] = "middle",
        colour: str | None = None,
        reveal: Reveal = "rise",
        delay_s: float = 0.0,
        max_lines: int = 3,
        accent_words: frozenset[str] = frozenset(),
        on: tuple[str, ...] = (),
        strike: bool = False,
        stat: Stat | None = None,
    ) -> TextElement | None:
        content = content.strip()
        if not content or area.w < 8 or area.h < 8:
            return None
        if align == "left" and is_rtl(content):
            align = "right"  # right-to-left text starts at the right edge
        set_text = fit(
            content,
            area.w,
            area.h,
            max_px=size,
            min_px=min_size,
            max_lines=max_lines,
            family=self.ctx.family,
        )
        if not set_text.lines:
            return None
        w, h = set_text.width, set_text.height
        x = {"left": area.x, "center": area.cx - w / 2, "right": area.right - w}[align]
        y = {"top": area.y, "middle": area.cy - h / 2, "bottom": area.bottom - h}[valign]
        # whole pixels that contain the text and stay inside the area
        x0, y0 = max(area.x, float(int(x))), max(area.y, float(int(y)))
        rect = Rect(x0, y0, min(area.right - x0, w + 1), min(area.bottom - y0, h + 1))
        fill = colour or self.ctx.colours.text
        element = TextElement(
            box=self._box(name, role, rect, text_px=set_text.em_px, colour=fill[:7], on=on),
            text=set_text,
            align=align,
            colour=fill,
            reveal=reveal,
            delay_s=delay_s,
            accent=self.ctx.colours.accent,
            accent_words=accent_words,
            strike=strike,
            stat=stat,
            language=self.ctx.language,
        )
        self.elements.append(element)
        return element

    def shape(
        self,
        name: str,
        shape: ShapeKind,
        rect: Rect,
        *,
        colour: str,
        opacity: float = 1.0,
        motion: ShapeMotion = "fade",
        delay_s: float = 0.0,
        layer: Layer = "back",
        radius: float = 0.0,
        line: float = 0.0,
        role: Role = "shape",
        on: tuple[str, ...] = (),
    ) -> ShapeElement:
        element = ShapeElement(
            box=self._box(name, role, rect, colour=colour[:7], on=on),
            shape=shape,
            colour=colour,
            opacity=opacity,
            motion=motion,
            delay_s=delay_s,
            layer=layer,
            radius=radius,
            line=line,
        )
        self.elements.append(element)
        return element

    def picture(self, rect: Rect, *, motion: PictureMotion = "float", delay_s: float = 0.2) -> Rect:
        square = rect.square()
        box = self._box("picture", "picture", square, on=("picture_disc",))
        self.elements.append(PictureElement(box, motion, delay_s))
        return square


# ---------------------------------------------------------------- content helpers

_NUMBER = re.compile(
    r"(?P<prefix>[$€£]?)\s?(?P<value>\d+(?:[.,]\d+)?)\s?(?P<unit>%|[A-Za-zé€$£]{1,5})?"
)


def headline_of(scene: Scene) -> str:
    if scene.title and scene.title.strip():
        return scene.title.strip()
    first = re.split(r"(?<=[.!?])\s", scene.narration.strip(), maxsplit=1)[0]
    words = first.split()
    return " ".join(words[:7]) + ("…" if len(words) > 7 else "")


def stat_of(scene: Scene) -> Stat | None:
    """The scene's stat, or a number read from its title or narration."""
    if scene.stat is not None:
        return scene.stat
    for text in (scene.title or "", scene.text or "", scene.narration):
        match = _NUMBER.search(text)
        if match:
            raw = match["value"].replace(",", ".")
            decimals = len(raw.split(".")[1]) if "." in raw else 0
            return Stat(
                value=float(raw),
                decimals=min(3, decimals),
                prefix=match["prefix"] or "",
                unit=(match["unit"] or "")[:16],
                label="",
            )
    return None


def accent_words_of(scene: Scene, headline: str) -> frozenset[str]:
    """Words of the headline the viewer should see first: keywords, numbers, else the last."""
    keys = {w.lower() for k in scene.keywords for w in k.split()}
    words = [w.strip(".,!?:;\"'()") for w in headline.split()]
    chosen = {w for w in words if w and (w.lower() in keys or any(ch.isdigit() for ch in w))}
    if not chosen and len(words) > 1:
        chosen = {max(words, key=len)}
    return frozenset(chosen)


def on_colour(fill: str, colours: BrandColours) -> str:
    """The brand colour (text or primary) most legible on ``fill``."""
    return max(
        (colours.text, colours.primary, "#FFFFFF", "#111111"), key=lambda c: contrast(c, fill)
    )


def _luminance(colour: str) -> float:
    def channel(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# ---------------------------------------------------------------- layouts


def _hero_and_text(ctx: SceneContext, picture_share: float) -> tuple[Rect, Rect]:
    """Split the content area into a picture part and a text part, by aspect and side."""
    c, gap = ctx.grid.content, ctx.grid.gap
    if ctx.landscape and ctx.mirrored and ctx.grid.aspect == "1:1":
        # too narrow for a picture-led column pair: the picture above, the text below
        pic, txt = c.rows(picture_share, 1 - picture_share, gap=gap)
        return pic, txt
    if ctx.landscape:  # mirrored: the picture takes the wide side (a picture-led variant)
        pic, txt = c.cols(picture_share, 1 - picture_share, gap=gap * 2)
        return (txt, pic) if ctx.mirrored else (pic, txt)
    if ctx.square:  # a square's text column is too narrow to give away: sides swapped only
        share = picture_share * 0.9
        if ctx.mirrored:
            txt, pic = c.cols(1 - share, share, gap=gap)
        else:
            pic, txt = c.cols(share, 1 - share, gap=gap)
        return pic, txt
    # a tall frame: after a hook (text over picture) the picture comes first
    pic, txt = c.rows(picture_share, 1 - picture_share, gap=gap)
    if ctx.mirrored:
        return pic, txt
    txt, pic = c.rows(1 - picture_share, picture_share, gap=gap)
    return pic, txt


def _headline_lines(ctx: SceneContext) -> int:
    """How many lines a headline may take: three side by side in a wide frame, four in a
    square one (its columns are narrow), five in a tall frame, whose narrow column would
    otherwise set a long headline under its floor."""
    if ctx.grid.aspect == "1:1":
        return 4
    return 3 if ctx.landscape else 5


def _first_fitting(
    ctx: SceneContext,
    head: str,
    candidates: Iterable[A],
    head_box: Callable[[A], Rect],
    *,
    size: float,
    lines: int,
) -> A:
    """The first of ``candidates`` (arrangements of a scene's parts, tried in order of
    preference) whose headline box, ``head_box(candidate)``, sets ``head`` at the headline
    floor with its words whole; else the one that sets it largest, a cut word counting half.

    A layout lists its arrangements from the most picture to the most headline, so a short
    headline keeps the designed proportions and a long one takes the room it needs.
    """
    s = ctx.scale
    best: tuple[float, A] | None = None
    for candidate in candidates:
        box = head_box(candidate)
        fitted = fit(
            head,
            box.w,
            box.h,
            max_px=size,
            min_px=s.headline_floor,
            max_lines=lines,
            family=ctx.family,
        )
        whole = not any(line.endswith("-") for line in fitted.lines)
        if fitted.em_px >= s.headline_floor and whole:
            return candidate
        score = fitted.em_px if whole else fitted.em_px * 0.5
        if best is None or score > best[0]:
            best = (score, candidate)
    if best is None:
        raise ValueError("no arrangement to choose from")
    return best[1]


_BenefitParts = tuple[Rect, Rect, Rect, Rect, bool]
"""A benefit's picture, headline, support and panel areas, and whether the support sits
beside the picture (in a row of its own) rather than under the headline."""


def _benefit_arrangements(
    ctx: SceneContext, picture_share: float, *, support: bool
) -> list[_BenefitParts]:
    """A benefit's arrangements, from the most picture to the most headline.

    ``_hero_and_text`` at first, the headline in 70 % of the text part; in a tall frame, then
    the picture beside the support line in a row of its own, above the headline when the
    scene is mirrored (picture first) and under it otherwise, so that consecutive scenes of
    long headlines still differ; then the picture giving up room (down to a third of its
    share), and at its smallest the headline taking more of the text part (up to 80 %)."""
    c, gap = ctx.grid.content, ctx.grid.gap

    def stacked(k: float, head_share: float) -> _BenefitParts:
        pic, txt = _hero_and_text(ctx, picture_share * k)
        head_area, support_area = txt.rows(head_share, 1 - head_share, gap=gap)
        return pic, head_area, support_area, txt.inset(-gap * 0.6), False

    def in_a_row(head_share: float) -> _BenefitParts:
        if ctx.mirrored:
            row, head_area = c.rows(1 - head_share, head_share, gap=gap)
            pic, support_area = row.cols(0.42, 0.58, gap=gap)
        else:
            head_area, row = c.rows(head_share, 1 - head_share, gap=gap)
            support_area, pic = row.cols(0.58, 0.42, gap=gap)
        if not support:  # the picture alone in its row
            pic, support_area = row, Rect(row.x, row.y, 0, 0)
        return pic, head_area, support_area, head_area.inset(-gap * 0.6), True

    found = [stacked(1.0, 0.7)]
    if not ctx.landscape and not ctx.square:
        found += [in_a_row(h) for h in (0.5, 0.56, 0.62, 0.68)]
    found += [stacked(k, 0.7) for k in (0.85, 0.72, 0.6, 0.5, 0.42, 0.34)]
    found += [stacked(0.34, 0.75), stacked(0.3, 0.78), stacked(0.26, 0.8)]
    return found


def _picture_with_disc(b: Builder, area: Rect, *, delay_s: float, scale: float = 0.92) -> None:
    ctx = b.ctx
    disc = area.square()
    if ctx.has_picture:
        b.shape(
            "picture_disc",
            "circle",
            disc,
            colour=ctx.colours.secondary,
            opacity=0.9,
            motion="pop",
            delay_s=delay_s,
        )
        b.shape(
            "picture_ring",
            "ring",
            disc.inset(-disc.w * 0.04),
            colour=ctx.colours.accent,
            opacity=0.9,
            motion="spin",
            delay_s=delay_s + 0.1,
            line=max(3.0, disc.w * 0.012),
        )
        b.picture(disc.inset(disc.w * (1 - scale) / 2 + disc.w * 0.1), delay_s=delay_s + 0.12)
    else:
        b.shape(
            "picture_disc",
            "circle",
            disc.inset(disc.w * 0.12),
            colour=ctx.colours.secondary,
            opacity=0.85,
            motion="pop",
            delay_s=delay_s,
        )
        b.shape(
            "picture_ring",
            "ring",
            disc,
            colour=ctx.colours.accent,
            opacity=0.9,
            motion="spin",
            delay_s=delay_s + 0.1,
            line=max(3.0, disc.w * 0.02),
        )


def _underline(b: Builder, text: TextElement | None, *, delay_s: float) -> None:
    if text is None:
        return
    box, ctx = text.box, b.ctx
    thick = max(4.0, ctx.scale.headline * 0.09)
    width = min(box.w, max(box.w * 0.45, ctx.scale.headline * 2.5))
    x = (
        box.x
        if text.align == "left"
        else (box.x + box.w - width if text.align == "right" else box.x + (box.w - width) / 2)
    )
    y = box.y + box.h + thick * 0.8
    if y + thick > ctx.grid.content.bottom:
        return
    b.shape(
        "underline",
        "rect",
        Rect(x, y, width, thick),
        colour=ctx.colours.accent,
        motion="grow_x",
        delay_s=delay_s,
        layer="front",
        radius=thick / 2,
    )


def layout_hook(ctx: SceneContext) -> Builder:
    b, c, s, gap = Builder(ctx), ctx.grid.content, ctx.scale, ctx.grid.gap
    head = headline_of(ctx.scene)
    accents = accent_words_of(ctx.scene, head)
    if ctx.landscape:

        def beside(text_share: float, head_share: float) -> tuple[Rect, Rect, Rect]:
            txt, pic = c.cols(text_share, 1 - text_share, gap=gap * 2)
            if ctx.mirrored:
                pic, txt = c.cols(1 - text_share, text_share, gap=gap * 2)
            head_area, support_area = txt.rows(head_share, 1 - head_share, gap=gap)
            return head_area, pic, support_area

        # the text's column widens, then the headline takes more of it, until it fits
        head_area, pic, support_area = _first_fitting(
            ctx,
            head,
            [beside(0.6, 0.72), beside(0.66, 0.76), beside(0.72, 0.8)],
            lambda parts: parts[0],
            size=s.headline * 1.18,
            lines=max(4, _headline_lines(ctx)),
        )
        align: Align = "left"
    else:  # the picture's row gives the headline room until it fits at its floor
        support = 0.16 if ctx.scene.text else 0.0
        pictures = (0.34, 0.28, 0.22, 0.17) if ctx.scene.text else (0.4, 0.32, 0.26, 0.2)
        head_area, pic, support_area = _first_fitting(
            ctx,
            head,
            (c.rows(1 - picture - support, picture, support, gap=gap) for picture in pictures),
            lambda rows: rows[0],
            size=s.headline * 1.18,
            lines=max(4, _headline_lines(ctx)),
        )
        align = "center"
    h = b.text(
        "headline",
        "headline",
        head,
        head_area,
        size=s.headline * 1.18,
        min_size=s.headline_floor,
        align=align,
        valign="bottom",
        reveal="words",
        accent_words=accents,
        max_lines=max(4, _headline_lines(ctx)),
    )
    _underline(b, h, delay_s=0.5)
    _picture_with_disc(b, pic, delay_s=0.35)
    if ctx.scene.text:
        b.text(
            "support",
            "support",
            ctx.scene.text,
            support_area,
            size=s.support,
            align=align,
            valign="top",
            reveal="rise",
            delay_s=0.7,
        )
    return b


def layout_benefit(ctx: SceneContext) -> Builder:
    b, s, gap = Builder(ctx), ctx.scale, ctx.grid.gap
    head = headline_of(ctx.scene)
    lines = _headline_lines(ctx)
    share = 0.4 if not ctx.landscape else 0.42
    # a long headline says the scene: the narration's first sentence is not repeated under
    # it (a support line the user wrote stays)
    support = ctx.scene.text or (
        _support_from_narration(ctx.scene, head) if len(head) < LONG_HEADLINE_CHARS else ""
    )
    pic, head_area, support_area, panel, in_a_row = _first_fitting(
        ctx,
        head,
        _benefit_arrangements(ctx, share, support=bool(support)),
        lambda parts: parts[1],
        size=s.headline,
        lines=lines,
    )
    align: Align = "left" if ctx.landscape or ctx.square else "center"
    b.shape(
        "panel",
        "round",
        panel,
        colour=ctx.colours.primary,
        opacity=0.75,
        motion="slide_left" if not ctx.mirrored else "slide_right",
        radius=gap,
        on=("headline", "support"),
    )
    h = b.text(
        "headline",
        "headline",
        head,
        head_area,
        size=s.headline,
        min_size=s.headline_floor,
        align=align,
        valign="bottom",
        reveal="rise",
        accent_words=accent_words_of(ctx.scene, head),
        max_lines=lines,
        on=("panel",),
    )
    _underline(b, h, delay_s=0.45)
    if support:
        b.text(
            "support",
            "support",
            support,
            support_area.inset(0, gap * 0.3),
            size=s.support,
            align=("right" if ctx.mirrored else "left") if in_a_row else align,
            valign="middle" if in_a_row else "top",
            reveal="wipe",
            delay_s=ELEMENT_STAGGER_S * 4,
            on=("panel",),
        )
    _picture_with_disc(b, pic, delay_s=0.25)
    return b


LONG_HEADLINE_CHARS = 40
"""A headline this long fills most of its column: no support line is drawn from the
narration beside it (in 9:16 it crowded the scene, and consecutive scenes' text blocks, each
most of the column, read alike: content IoU 0.53-0.63)."""


def _support_from_narration(scene: Scene, head: str) -> str:
    """A short supporting line: the narration's first sentence, if it is not the headline."""
    first = re.split(r"(?<=[.!?])\s", scene.narration.strip(), maxsplit=1)[0]
    if not first or first.lower().startswith(head.lower()) or len(first) > 90:
        return ""
    return first


STAT_EM_OF_DISC = 0.3
"""A short number ('3 h') is set no larger than this share of its disc: at the type scale's
full size its box, and the ring around it QA reads its background in, reached past the circle
onto the accent ring."""


def _stat_text(stat: Stat, language: str) -> str:
    from aiprod.design.motion import format_number

    number = format_number(stat.value, stat.decimals, language)
    return f"{stat.prefix}{number}{stat.unit and ' ' + stat.unit}"


def layout_stat(ctx: SceneContext) -> Builder:
    stat = stat_of(ctx.scene)
    if stat is None:
        return layout_benefit(ctx)
    b, c, s, gap = Builder(ctx), ctx.grid.content, ctx.scale, ctx.grid.gap
    label = stat.label or ctx.scene.text or headline_of(ctx.scene)
    if ctx.landscape:
        num_area, label_area = c.cols(0.55, 0.45, gap=gap * 2)
        if ctx.mirrored:
            label_area, num_area = c.cols(0.45, 0.55, gap=gap * 2)
        align: Align = "left"
        label_area = label_area.inset(0, label_area.h * 0.18)
    else:
        num_area, label_area = c.rows(0.6, 0.4, gap=gap)
        align = "center"
    disc = num_area.square()
    b.shape(
        "ring",
        "ring",
        disc,
        colour=ctx.colours.accent,
        opacity=0.95,
        motion="spin",
        line=max(6.0, disc.w * 0.035),
    )
    b.shape(
        "disc",
        "circle",
        disc.inset(disc.w * 0.06),
        colour=ctx.colours.secondary,
        opacity=0.5,
        motion="pop",
        delay_s=0.05,
    )
    b.text(
        "stat",
        "stat",
        _stat_text(stat, ctx.language),
        disc.inset(disc.w * 0.16),  # clear of the accent ring (QA reads the ring around it)
        size=max(s.headline, min(s.stat, disc.w * STAT_EM_OF_DISC)),
        min_size=s.headline,
        reveal="count",
        delay_s=0.15,
        max_lines=1,
        stat=stat,
        colour=ctx.colours.text,
        on=("ring", "disc"),
    )
    lab_area, bar_area = label_area.rows(0.8, 0.2, gap=gap * 0.5)
    b.text(
        "label",
        "headline",
        label,
        lab_area,
        size=s.headline * 0.9,
        min_size=s.support,
        align=align,
        valign="middle" if ctx.landscape else "top",
        reveal="rise",
        delay_s=0.45,
        accent_words=accent_words_of(ctx.scene, label),
    )
    bar_h = max(6.0, gap * 0.35)
    bar = Rect(bar_area.x, bar_area.y + bar_h, bar_area.w, bar_h)
    if not ctx.landscape:
        bar = Rect(bar_area.cx - bar_area.w * 0.3, bar_area.y + bar_h, bar_area.w * 0.6, bar_h)
    b.shape(
        "track",
        "round",
        bar,
        colour=ctx.colours.text,
        opacity=0.18,
        motion="fade",
        radius=bar_h / 2,
        delay_s=0.3,
    )
    b.shape(
        "progress",
        "round",
        bar,
        colour=ctx.colours.accent,
        opacity=1.0,
        motion="grow_x",
        radius=bar_h / 2,
        delay_s=0.3,
        layer="front",
    )
    return b


def layout_list(ctx: SceneContext) -> Builder:
    items = [i for i in ctx.scene.items if i.strip()][:4]
    if len(items) < 2:
        return layout_benefit(ctx)
    b, c, s, gap = Builder(ctx), ctx.grid.content, ctx.scale, ctx.grid.gap
    head = headline_of(ctx.scene)
    lines = _headline_lines(ctx)

    def side_by_side(share: float) -> tuple[Rect, Rect, bool]:
        head_area, list_area = c.cols(share, 1 - share, gap=gap * 2)
        if ctx.mirrored:
            list_area, head_area = c.cols(1 - share, share, gap=gap * 2)
        return head_area, list_area, False

    def stacked(share: float) -> tuple[Rect, Rect, bool]:
        head_area, list_area = c.rows(share, 1 - share, gap=gap)
        return head_area, list_area, True

    def room_for_items(parts: tuple[Rect, Rect, bool]) -> bool:
        return parts[1].h / len(items) - gap * 0.6 >= s.item * 1.9

    # the headline's column widens, then its rows (and lines) grow, until it fits at its
    # floor, while each item's row keeps room for its text
    tall = [stacked(share) for share in (0.3, 0.36, 0.42, 0.5, 0.58, 0.64)]
    arrangements = (
        [side_by_side(0.42), side_by_side(0.5), *filter(room_for_items, tall)]
        if ctx.landscape
        else [tall[0], *filter(room_for_items, tall[1:])]
    )
    head_area, list_area, on_top = _first_fitting(
        ctx, head, arrangements, lambda parts: parts[0], size=s.headline * 0.95, lines=lines
    )
    b.text(
        "headline",
        "headline",
        head,
        head_area,
        size=s.headline * 0.95,
        min_size=s.headline_floor,
        align="center" if on_top else "left",
        valign="bottom" if on_top else "middle",
        reveal="words",
        max_lines=lines,
        accent_words=accent_words_of(ctx.scene, head),
    )
    rows = list_area.rows(*([1.0] * len(items)), gap=gap * 0.6)
    for n, (item, row) in enumerate(zip(items, rows, strict=True)):
        delay = 0.5 + n * ITEM_STAGGER_S
        mark_side = min(row.h * 0.8, s.item * 1.25)
        card = row
        b.shape(
            f"card{n}",
            "round",
            card,
            colour=ctx.colours.secondary,
            opacity=0.42,
            motion="slide_left",
            delay_s=delay,
            radius=min(card.h / 2, gap),
            on=(f"item{n}", f"check{n}", f"checkdisc{n}"),
        )
        mark = Rect(row.x + gap * 0.5, row.cy - mark_side / 2, mark_side, mark_side)
        b.shape(
            f"checkdisc{n}",
            "circle",
            mark,
            colour=ctx.colours.accent,
            motion="pop",
            delay_s=delay + 0.08,
            layer="front",
        )
        b.shape(
            f"check{n}",
            "check",
            mark.inset(mark_side * 0.22),
            colour=ctx.colours.primary,
            motion="pop",
            delay_s=delay + 0.16,
            layer="front",
            line=mark_side * 0.12,
            on=(f"checkdisc{n}",),
        )
        text_area = Rect(
            mark.right + gap * 0.6,
            row.y + row.h * 0.08,
            row.right - mark.right - gap * 1.1,
            row.h * 0.84,
        )
        b.text(
            f"item{n}",
            "list_item",
            item,
            text_area,
            size=s.item,
            min_size=s.small,
            align="left",
            reveal="wipe",
            delay_s=delay + 0.1,
            max_lines=2,
            on=(f"card{n}",),
        )
    return b


def layout_comparison(ctx: SceneContext) -> Builder:
    items = [i for i in ctx.scene.items if i.strip()][:2]
    if len(items) < 2:
        return layout_benefit(ctx)
    b, c, s, gap = Builder(ctx), ctx.grid.content, ctx.scale, ctx.grid.gap
    head = headline_of(ctx.scene)
    lines = _headline_lines(ctx)
    head_area, body = _first_fitting(  # a long headline takes rows from the two cards
        ctx,
        head,
        [
            c.rows(share, 1 - share, gap=gap)
            for share in (0.28, 0.34, 0.4, 0.46, 0.52, 0.58, 0.64, 0.7)
        ],
        lambda rows: rows[0],
        size=s.headline * 0.9,
        lines=lines,
    )
    b.text(
        "headline",
        "headline",
        head,
        head_area,
        size=s.headline * 0.9,
        min_size=s.headline_floor,
        valign="bottom",
        reveal="words",
        max_lines=lines,
        accent_words=accent_words_of(ctx.scene, head),
    )
    halves = body.cols(1, 1, gap=gap)
    if not ctx.landscape and not ctx.square and body.h >= body.w * 0.5:
        # stacked in a tall frame, unless a long headline left them a short band: then the
        # two cards sit side by side under it
        halves = body.rows(1, 1, gap=gap)
    looks: tuple[tuple[ShapeKind, str, float], ...] = (
        ("cross", "#5A5A5A", 0.55),
        ("check", ctx.colours.secondary, 0.9),
    )
    for n, (item, half, (mark_kind, fill, alpha)) in enumerate(
        zip(items, halves, looks, strict=True)
    ):
        delay = 0.4 + n * ITEM_STAGGER_S * 1.4
        b.shape(
            f"card{n}",
            "round",
            half,
            colour=fill,
            opacity=alpha,
            motion="pop",
            delay_s=delay,
            radius=gap,
            on=(f"item{n}", f"mark{n}", f"markdisc{n}"),
        )
        side = min(half.h, half.w) * 0.26
        mark_area, text_area = half.inset(gap * 0.6).rows(0.38, 0.62, gap=gap * 0.3)
        disc = mark_area.square(side)
        colour = ctx.colours.accent if n else "#D9534F"
        b.shape(
            f"markdisc{n}",
            "circle",
            disc,
            colour=colour,
            motion="pop",
            delay_s=delay + 0.1,
            layer="front",
            on=(f"card{n}",),
        )
        b.shape(
            f"mark{n}",
            mark_kind,
            disc.inset(side * 0.24),
            colour="#FFFFFF" if not n else ctx.colours.primary,
            motion="pop",
            delay_s=delay + 0.2,
            layer="front",
            line=side * 0.12,
            on=(f"markdisc{n}", f"card{n}"),
        )
        b.text(
            f"item{n}",
            "list_item",
            item,
            text_area,
            size=s.item * 1.1,
            min_size=s.small,
            reveal="rise",
            delay_s=delay + 0.15,
            max_lines=3,
            on=(f"card{n}",),
            strike=False,
        )
    return b


def layout_quote(ctx: SceneContext) -> Builder:
    quote = ctx.scene.quote
    text = quote.text if quote else (ctx.scene.text or headline_of(ctx.scene))
    author = quote.author if quote and quote.author else None
    b, c, s, gap = Builder(ctx), ctx.grid.content, ctx.scale, ctx.grid.gap
    mark_area, body, foot = c.rows(0.2, 0.62, 0.18, gap=gap * 0.5)
    if ctx.landscape:
        mark_area, body, foot = c.inset(c.w * 0.08, 0).rows(0.22, 0.58, 0.2, gap=gap * 0.5)
    side = mark_area.h
    mark = Rect(body.x if ctx.landscape else mark_area.cx - side / 2, mark_area.y, side, side)
    b.shape("mark", "quote_mark", mark, colour=ctx.colours.accent, motion="pop", delay_s=0.0)
    panel = body.inset(-gap * 0.5)
    b.shape(
        "panel",
        "round",
        panel,
        colour=ctx.colours.secondary,
        opacity=0.35,
        motion="fade",
        radius=gap,
        on=("quote",),
    )
    b.text(
        "quote",
        "quote",
        f"“{text}”",
        body.inset(gap * 0.5),
        size=s.headline * 0.82,
        min_size=s.support,
        reveal="rise",
        delay_s=0.2,
        max_lines=5,
        accent_words=accent_words_of(ctx.scene, text),
        on=("panel",),
    )
    if author:
        b.text(
            "author",
            "support",
            f"— {author}",
            foot,
            size=s.support,
            reveal="wipe",
            delay_s=0.8,
            align="right" if ctx.landscape else "center",
        )
    return b


def layout_product(ctx: SceneContext) -> Builder:
    b, c, s, gap = Builder(ctx), ctx.grid.content, ctx.scale, ctx.grid.gap
    head = headline_of(ctx.scene)
    support = ctx.scene.text or (
        _support_from_narration(ctx.scene, head) if len(head) < LONG_HEADLINE_CHARS else ""
    )
    lines = _headline_lines(ctx)

    def parts(
        share: float, split: float = 0.68, trim: float = 0.12
    ) -> tuple[Rect, Rect, Rect, Rect]:
        """The picture, the card (``share`` of the content; ``trim`` of its height left out
        top and bottom side by side), its headline (``split`` of the card) and support."""
        if ctx.landscape:
            pic, txt = c.cols(1 - share, share, gap=gap * 2)
            if ctx.mirrored:
                txt, pic = c.cols(share, 1 - share, gap=gap * 2)
            card_area = txt.inset(0, txt.h * trim)
            pic = pic.square(pic.h * 0.8)
        else:
            pic, card_area = c.rows(1 - share, share, gap=gap)
            if not ctx.mirrored:  # the card on top, the picture under it
                card_area, pic = c.rows(share, 1 - share, gap=gap)
        inner = card_area.inset(gap * 0.8)
        if not support:
            return pic, card_area, inner, inner
        head_area, support_area = inner.rows(split, 1 - split, gap=gap * 0.3)
        return pic, card_area, head_area, support_area

    # the card grows, the picture shrinks, until a long headline fits at its floor; then the
    # headline takes more of the card (and side by side, the card more of the height)
    arrangements = [
        *(parts(share) for share in (0.5, 0.58, 0.66, 0.74, 0.8)),
        parts(0.8, 0.76, 0.06),
        parts(0.84, 0.8, 0.02),
    ]
    pic, card_area, head_area, support_area = _first_fitting(
        ctx, head, arrangements, lambda p: p[2], size=s.headline, lines=lines
    )
    frame = pic.square()
    b.shape(
        "frame",
        "round",
        frame.inset(-gap * 0.4),
        colour=ctx.colours.accent,
        opacity=1.0,
        motion="pop",
        radius=gap,
        on=("picture",),
    )
    if ctx.has_picture:
        b.picture(frame, motion="push", delay_s=0.15)
    else:
        b.shape(
            "picture_disc",
            "circle",
            frame.inset(frame.w * 0.1),
            colour=ctx.colours.secondary,
            motion="pop",
            delay_s=0.1,
        )
    b.shape(
        "card",
        "round",
        card_area,
        colour=ctx.colours.primary,
        opacity=0.88,
        motion="slide_left",
        radius=gap,
        delay_s=0.3,
        on=("headline", "support"),
    )
    b.text(
        "headline",
        "headline",
        head,
        head_area,
        size=s.headline,
        min_size=s.headline_floor,
        align="left",
        valign="bottom",
        reveal="rise",
        delay_s=0.4,
        max_lines=lines,
        accent_words=accent_words_of(ctx.scene, head),
        on=("card",),
    )
    if support:
        b.text(
            "support",
            "support",
            support,
            support_area,
            size=s.support,
            align="left",
            valign="top",
            reveal="wipe",
            delay_s=0.6,
            on=("card",),
        )
    return b


_OfferParts = tuple[Rect, Rect | None, Rect, Rect]
"""An offer's headline, badge (None: no badge to show), price and code areas."""


def _offer_arrangements(ctx: SceneContext, *, has_badge: bool) -> list[_OfferParts]:
    """An offer's arrangements, from the most badge to the most headline."""
    c, gap, offer = ctx.grid.content, ctx.grid.gap, ctx.scene.offer

    def beside(badge: float, head_share: float) -> _OfferParts:
        """The badge in a column, the headline, price and code stacked beside it."""
        left, right = c.cols(badge, 1 - badge, gap=gap * 2)
        rest = 1 - head_share
        head_area, price_area, code_area = right.rows(
            head_share, rest * 0.58, rest * 0.42, gap=gap * 0.5
        )
        return head_area, left, price_area, code_area

    def stacked(head_share: float, badge: float, price: float, code: float) -> _OfferParts:
        head_area, badge_area, price_area, code_area = c.rows(
            head_share, badge, price, code, gap=gap * 0.5
        )
        return head_area, badge_area, price_area, code_area

    def badge_by_price(head_share: float, middle: float, code: float) -> _OfferParts:
        """A long headline over a row that holds the badge beside the price."""
        head_area, row, code_area = c.rows(head_share, middle, code, gap=gap * 0.5)
        badge_area, price_area = row.cols(0.36, 0.64, gap=gap)
        return head_area, badge_area, price_area, code_area

    def without_badge(head_share: float, price: float, code: float) -> _OfferParts:
        """No badge to show: its room goes to the headline, the price and the code (an
        empty disc would read as a missing element)."""
        area = c.inset(c.w * 0.1, 0) if ctx.landscape else c
        head_area, price_area, code_area = area.rows(head_share, price, code, gap=gap * 0.5)
        return head_area, None, price_area, code_area

    arrangements: list[_OfferParts]
    if not has_badge:
        priced = bool(offer and offer.price) or bool(ctx.scene.text)
        arrangements = [  # nothing for the price row either (a code-only offer): no row
            without_badge(head_share, price if priced else 0.0, code)
            for head_share, price, code in (
                (0.5, 0.28, 0.22),
                (0.56, 0.25, 0.19),
                (0.62, 0.22, 0.16),
            )
        ]
        if not ctx.landscape:
            arrangements.append(without_badge(0.66, 0.2 if priced else 0.0, 0.14))
    elif ctx.landscape:
        arrangements = [
            beside(0.45, 0.4),
            beside(0.38, 0.46),
            beside(0.3, 0.52),
            beside(0.26, 0.6),
            beside(0.22, 0.66),
        ]
    else:
        arrangements = [
            stacked(*shares)
            for shares in (
                (0.34, 0.3, 0.2, 0.16),
                (0.4, 0.24, 0.2, 0.16),
                (0.46, 0.18, 0.2, 0.16),
                (0.52, 0.14, 0.19, 0.15),
            )
        ]
        arrangements += [badge_by_price(0.58, 0.26, 0.16), badge_by_price(0.64, 0.22, 0.14)]
    return arrangements


def layout_offer(ctx: SceneContext) -> Builder:
    offer = ctx.scene.offer
    b, s, gap = Builder(ctx), ctx.scale, ctx.grid.gap
    head = headline_of(ctx.scene)
    lines = _headline_lines(ctx)

    badge_text = (offer.badge if offer and offer.badge else None) or _badge_from(ctx.scene)

    arrangements = _offer_arrangements(ctx, has_badge=bool(badge_text))
    # the badge gives a long headline room: its column narrows, its row shrinks to 14 %,
    # then it moves beside the price
    head_area, badge_area, price_area, code_area = _first_fitting(
        ctx, head, arrangements, lambda parts: parts[0], size=s.headline, lines=lines
    )
    b.text(
        "headline",
        "headline",
        head,
        head_area,
        size=s.headline,
        min_size=s.headline_floor,
        align="left" if ctx.landscape else "center",
        valign="bottom",
        reveal="words",
        accent_words=accent_words_of(ctx.scene, head),
        max_lines=lines,
    )
    if badge_text and badge_area is not None:
        _offer_badge(b, badge_text, badge_area)
    if offer and offer.price:
        price_cols = price_area.cols(0.6, 0.4, gap=gap) if offer.was else [price_area]
        b.text(
            "price",
            "price",
            offer.price,
            price_cols[0],
            size=s.headline * 1.2,
            min_size=s.support,
            align="right" if offer.was else "center",
            reveal="pop",
            delay_s=0.6,
            max_lines=1,
        )
        if offer.was:
            was = b.text(
                "was",
                "price",
                offer.was,
                price_cols[1],
                size=s.headline * 0.6,
                min_size=s.small,
                align="left",
                reveal="fade",
                delay_s=0.7,
                max_lines=1,
                colour=ctx.colours.text + "B0",
                strike=True,
            )
            if was is not None:
                bx = was.box
                b.shape(
                    "strike",
                    "rect",
                    Rect(bx.x, bx.y + bx.h * 0.5, bx.w, max(3.0, bx.h * 0.07)),
                    colour=ctx.colours.accent,
                    motion="grow_x",
                    delay_s=0.9,
                    layer="front",
                    on=("was",),
                )
    elif ctx.scene.text:
        b.text(
            "support",
            "support",
            ctx.scene.text,
            price_area,
            size=s.support,
            reveal="rise",
            delay_s=0.6,
        )
    if offer and offer.code:
        chip_text = fit(
            offer.code,
            code_area.w * 0.8,
            code_area.h * 0.6,
            max_px=s.item,
            min_px=s.small,
            max_lines=1,
            family=ctx.family,
        )
        cw, ch = chip_text.width + gap * 1.6, chip_text.height + gap * 0.8
        chip = Rect(
            code_area.cx - cw / 2, code_area.cy - ch / 2, min(cw, code_area.w), min(ch, code_area.h)
        )
        b.shape(
            "chip",
            "round",
            chip,
            colour=ctx.colours.text,
            opacity=0.95,
            motion="pop",
            delay_s=0.9,
            radius=chip.h / 2,
            layer="front",
            on=("code",),
        )
        b.text(
            "code",
            "chip",
            offer.code,
            chip.inset(gap * 0.5, gap * 0.2),
            size=s.item,
            min_size=s.small,
            colour=ctx.colours.primary,
            reveal="fade",
            delay_s=1.0,
            max_lines=1,
            on=("chip",),
        )
    return b


def _offer_badge(b: Builder, badge_text: str, badge_area: Rect) -> None:
    """The offer's badge: its text on an accent disc with a spinning ring."""
    ctx, s = b.ctx, b.ctx.scale
    disc = badge_area.square()
    b.shape(
        "badge_disc",
        "circle",
        disc,
        colour=ctx.colours.accent,
        motion="pop",
        delay_s=0.3,
        on=("badge",),
    )
    b.shape(
        "badge_ring",
        "ring",
        disc.inset(disc.w * 0.07),
        colour=ctx.colours.primary,
        opacity=0.8,
        motion="spin",
        delay_s=0.4,
        line=max(3.0, disc.w * 0.015),
        on=("badge",),
    )
    b.text(
        "badge",
        "badge",
        badge_text,
        disc.inset(disc.w * 0.2),
        size=s.stat * 0.6,
        min_size=s.support,
        colour=on_colour(ctx.colours.accent, ctx.colours),
        reveal="pop",
        delay_s=0.45,
        max_lines=2,
        on=("badge_disc", "badge_ring"),
    )


def _badge_from(scene: Scene) -> str:
    stat = stat_of(scene)
    if stat is not None and stat.unit == "%":
        return f"-{int(stat.value)}%"
    return ""


def _brand_reveal(b: Builder, area: Rect) -> None:
    """The end card's brand mark: the logo (fitted, keeping its aspect, on a plate) popping
    up with a spring and a fade; without a logo, the brand's name set big as a wordmark."""
    ctx, gap = b.ctx, b.ctx.grid.gap
    if ctx.logo_aspect is not None:
        plate_area = area.inset(area.w * 0.04, area.h * 0.04)
        pad = min(plate_area.w, plate_area.h) * 0.12
        logo = fit_logo(plate_area.inset(pad, pad), ctx.logo_aspect)
        plate = logo.inset(-pad * 0.8, -pad * 0.8)
        b.shape(
            "logo_plate",
            "round",
            plate,
            colour=ctx.colours.primary if ctx.logo_light else "#FFFFFF",
            opacity=0.94,
            motion="pop",
            radius=min(plate.h / 2, gap),
            on=("logo",),
        )
        box = b._box("logo", "logo", logo, on=("logo_plate",))
        # a slow push that ends at its box: the logo never bobs out of its plate
        b.elements.append(PictureElement(box, "push", 0.12))
        return
    if ctx.brand_name:
        b.text(
            "wordmark",
            "headline",
            ctx.brand_name,
            area,
            size=ctx.scale.headline * 1.3,
            min_size=ctx.scale.headline_floor,
            reveal="pop",
            max_lines=2,
            colour=ctx.colours.text,
        )
        b.shape(
            "wordmark_bar",
            "rect",
            Rect(area.cx - area.w * 0.15, area.bottom - gap * 0.2, area.w * 0.3, gap * 0.2),
            colour=ctx.colours.accent,
            motion="grow_x",
            delay_s=0.35,
            layer="front",
        )


def layout_end_card(ctx: SceneContext) -> Builder:
    b, c, s, gap = Builder(ctx), ctx.grid.content, ctx.scale, ctx.grid.gap
    head = ctx.tagline or ctx.brand_name or headline_of(ctx.scene)
    url = ctx.url
    # without a call to action the button says the URL or the scene's title, never the
    # brand's name a second time (a button reading "Volt" under the "Volt" wordmark)
    cta: str | None = ctx.call_to_action or url or headline_of(ctx.scene)
    if not ctx.call_to_action and _same_words(cta, ctx.brand_name):
        cta = None
    body = c.inset(c.w * 0.12, 0) if ctx.landscape else c
    if ctx.logo_aspect is not None or ctx.brand_name:
        return _end_card_with_brand(b, head, cta, url)
    if ctx.has_picture:
        if ctx.landscape or ctx.square:
            pic, body = c.cols(0.32, 0.68, gap=gap * 1.5)
            if ctx.mirrored:
                body, pic = c.cols(0.68, 0.32, gap=gap * 1.5)
        else:
            pic, body = c.rows(0.26, 0.74, gap=gap)
        _picture_with_disc(b, pic, delay_s=0.3)
    name_area, head_area, button_area, url_area = body.rows(0.14, 0.42, 0.28, 0.16, gap=gap * 0.5)
    if ctx.brand_name:
        # on its own plate: a small label must read at 4.5:1 whatever decor lies behind it
        _label_on_plate(
            b,
            ("brand_plate", "brand"),
            ctx.brand_name.upper(),
            name_area,
            role="support",
            size=s.support * 1.1,
            room=(0.84, 0.7),
            pad=(gap * 0.8, gap * 0.3),
            fill=ctx.colours.primary,
            opacity=0.9,
            text_colour=ctx.colours.text,
            reveal="fade",
            delay_s=0.0,
            max_lines=1,
            valign="bottom",
            pill=True,
        )
    b.text(
        "headline",
        "headline",
        head,
        head_area,
        size=s.headline,
        min_size=s.headline_floor,
        reveal="words",
        delay_s=0.15,
        accent_words=accent_words_of(ctx.scene, head),
    )
    _call_to_action(b, cta, url, button_area, url_area, delay_s=0.5)
    big = c.square(c.h * 0.95 if ctx.landscape else c.w * 1.05)
    b.shape(
        "halo",
        "ring",
        big,
        colour=ctx.colours.secondary,
        opacity=0.35,
        motion="spin",
        line=max(4.0, big.w * 0.01),
    )
    return b


def _same_words(text: str | None, other: str | None) -> bool:
    """The same words, whatever the case and the punctuation around them."""
    if not text or not other:
        return False
    return re.findall(r"\w+", text.casefold()) == re.findall(r"\w+", other.casefold())


def _end_card_with_brand(b: Builder, head: str, cta: str | None, url: str | None) -> Builder:
    """Brand mark (logo or wordmark) first, then the tagline, the button and the URL."""
    ctx = b.ctx
    c, s, gap = ctx.grid.content, ctx.scale, ctx.grid.gap
    wordmark = ctx.logo_aspect is None and bool(ctx.brand_name)
    if wordmark and _same_words(head, ctx.brand_name):
        head = headline_of(ctx.scene)  # the wordmark says the name: no second one
    if ctx.landscape:
        mark_area, body = c.cols(0.4, 0.6, gap=gap * 2)
        if ctx.mirrored:
            body, mark_area = c.cols(0.6, 0.4, gap=gap * 2)
        mark_area = mark_area.inset(0, mark_area.h * 0.12)
        head_area, button_area, url_area = body.rows(0.46, 0.32, 0.22, gap=gap * 0.5)
    else:
        # the brand block sits a little low, centred on the frame's optical centre, so the
        # card reads apart from the top-down stacks of the scenes before it
        share = 0.3 if ctx.logo_aspect is not None else 0.22
        _, mark_area, head_area, button_area, url_area = c.rows(
            0.16, share, 0.7 * 0.5, 0.7 * 0.32, 0.7 * 0.14, gap=gap * 0.6
        )
    _brand_reveal(b, mark_area)
    said = f"{cta or ''} {url or ''}"
    repeated = re.search(rf"(?<![\w.]){re.escape(head)}(?![\w.])", said, re.IGNORECASE)
    # beside a wordmark (the scene's biggest text), a line the button or URL says, or the
    # name itself, is left out
    if not wordmark or not (repeated or _same_words(head, ctx.brand_name)):
        b.text(
            "headline",
            "headline",
            head,
            head_area,
            size=s.headline,
            min_size=s.headline_floor,
            reveal="words",
            delay_s=0.35,
            accent_words=accent_words_of(ctx.scene, head),
            max_lines=3,
        )
    _call_to_action(b, cta, url, button_area, url_area, delay_s=0.6)
    return b


def _call_to_action(
    b: Builder, cta: str | None, url: str | None, area: Rect, url_area: Rect, *, delay_s: float
) -> None:
    """The button, then the URL under it unless the button already says it."""
    if cta:
        _cta_button(b, cta, area, delay_s=delay_s)
    if url and url.lower() not in (cta or "").lower():
        b.text(
            "url",
            "url",
            url,
            url_area,
            size=b.ctx.scale.support,
            reveal="rise",
            delay_s=delay_s + 0.35,
            valign="top",
            max_lines=1,
        )


def _cta_button(b: Builder, cta: str, area: Rect, *, delay_s: float) -> None:
    ctx, gap = b.ctx, b.ctx.grid.gap
    _label_on_plate(
        b,
        ("button", "cta"),
        cta,
        area,
        role="button",
        size=ctx.scale.item * 1.05,
        room=(0.86, 0.62),
        pad=(gap * 1.2, gap * 0.7),
        fill=ctx.colours.accent,
        opacity=1.0,
        text_colour=on_colour(ctx.colours.accent, ctx.colours),
        reveal="pop",
        delay_s=delay_s,
        max_lines=2,
        valign="middle",
    )


def _label_on_plate(
    b: Builder,
    names: tuple[str, str],
    text: str,
    area: Rect,
    *,
    role: Role,
    size: float,
    room: tuple[float, float],
    pad: tuple[float, float],
    fill: str,
    opacity: float,
    text_colour: str,
    reveal: Reveal,
    delay_s: float,
    max_lines: int,
    valign: Literal["middle", "bottom"],
    pill: bool = False,
) -> None:
    """A label on a rounded plate sized around it (a button, a name tag): the label is
    fitted in ``room`` (shares of ``area``), the plate adds ``pad`` on each side (its ends
    round when ``pill``), and the label keeps the size it was fitted at: a looser box let
    it grow to the plate's ends."""
    ctx, s, gap = b.ctx, b.ctx.scale, b.ctx.grid.gap
    label = fit(
        text,
        area.w * room[0],
        area.h * room[1],
        max_px=size,
        min_px=s.small,
        max_lines=max_lines,
        family=ctx.family,
    )
    w = min(area.w, label.width + pad[0] * 2)
    h = min(area.h, label.height + pad[1] * 2)
    pad_x, pad_y = min(pad[0], (w - label.width) / 2), min(pad[1], (h - label.height) / 2)
    y = area.cy - h / 2 if valign == "middle" else area.bottom - h
    plate = Rect(area.cx - w / 2, y, w, h)
    plate_name, label_name = names
    b.shape(
        plate_name,
        "round",
        plate,
        colour=fill,
        opacity=opacity,
        motion="pop",
        delay_s=delay_s,
        radius=h / 2 if pill else min(h / 2, gap * 1.2),
        layer="front",
        role="shape",
        on=(label_name,),
    )
    b.text(
        label_name,
        role,
        text,
        plate.inset(pad_x, pad_y),
        size=label.em_px,
        min_size=min(s.small, label.em_px),
        colour=text_colour,
        reveal=reveal,
        delay_s=delay_s + 0.15,
        max_lines=max_lines,
        on=(plate_name,),
    )


LAYOUTS = {
    "hook": layout_hook,
    "benefit": layout_benefit,
    "stat": layout_stat,
    "list": layout_list,
    "comparison": layout_comparison,
    "quote": layout_quote,
    "product": layout_product,
    "offer": layout_offer,
    "end_card": layout_end_card,
}


def default_layout(scene: Scene, index: int, count: int, previous: str | None) -> str:
    """The layout when the spec names none: hook first, end card last, else by content."""
    if scene.layout is not None:
        return scene.layout
    if index == 0 and count > 1:
        return "hook"
    if index == count - 1 and count > 1:
        return "end_card"
    if scene.offer is not None:
        return "offer"
    if scene.quote is not None:
        return "quote"
    if len(scene.items) >= 2:
        return "list" if len(scene.items) > 2 or previous == "comparison" else "comparison"
    if scene.stat is not None and previous != "stat":
        return "stat"
    clip = isinstance(scene.background, VideoBackground)
    asset = scene.illustration is not None and scene.illustration.path
    if (asset or clip) and previous != "product":  # the user's picture or clip as the hero
        return "product"
    if previous == "benefit":  # the same content, a different look: consecutive scenes vary
        return "product" if scene.illustration is not None else "hook"
    return "benefit"


def lay_out(ctx: SceneContext, kind: str) -> list[Element]:
    return LAYOUTS[kind](ctx).elements


def with_times(element: Element, start_s: float, end_s: float) -> Element:
    box = replace(element.box, start_s=round(start_s, 3), end_s=round(end_s, 3))
    return replace(element, box=box)
