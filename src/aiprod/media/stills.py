"""Static decor baked once per scene: a shape's coverage mask drawn by libass into one
picture, coloured and made translucent, then laid over the scene's background with
``overlay`` (eof_action=repeat holds the single frame for the whole scene).

libass blending a frame-sized drawing (a halftone texture, a veil) on every frame was most of
the render's cost; ``overlay`` of a still costs a fraction of that and looks the same.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Literal

from PIL import Image

from aiprod.media.ffmpeg.graph import Filter, Graph, f
from aiprod.media.layers import SPARE
from aiprod.media.raw_pictures import RAW_FORMAT, RGBA_SUFFIX, RawPicture, RgbaFrame
from aiprod.media.raw_pictures import SUFFIX as RAW_SUFFIX


@dataclass(frozen=True)
class Still:
    """One baked shape: its mask document (white, opaque), fill colour and opacity."""

    mask_ass: Path
    colour: str  # #RRGGBB
    opacity: float


@dataclass(frozen=True)
class SlidingStill:
    """A baked picture laid over part of its scene: a strip (the brand band) slid by an
    ``overlay`` x expression, its left edge going from ``x0`` to ``x1`` between ``t0`` and
    ``t1`` (seconds of the scene's own clock); or a picture at rest (``x0 == x1``) shown
    from ``shown_from`` on."""

    png: Path
    x0: int
    x1: int
    y: int
    t0: float = 0.0
    t1: float = 0.0
    shown_from: float = 0.0
    # the frame rows its visible pixels cross (end excluded), once drawn; None: unknown
    ink_rows: tuple[int, int] | None = None

    def x_expr(self) -> str | int:
        if self.x0 == self.x1:
            return self.x0
        span = max(0.001, self.t1 - self.t0)
        return f"{self.x0}+({self.x1 - self.x0})*clip((t-{self.t0:.4f})/{span:.4f},0,1)"


Entrance = Literal["none", "grow_x", "grow_y", "pop", "slide", "fade"]
Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in frame pixels, the ends excluded
EASE_OUT = 0.45  # the power of the ease-out (libass \\t accel), as the text's own entrances
OVERSHOOT = 0.08  # a pop passes 108 % at 60 % of its entrance, then settles
PEAK_AT = 0.6


@dataclass(frozen=True)
class ShapeStill:
    """A baked shape (a picture of its own box, top-left at ``x, y``, ``w x h``) brought in
    by an entrance played on the picture from ``start`` (seconds of the scene's clock) for
    ``seconds``, then shown at rest. Two overlays: the entrance's few frames, scaled, turned
    or faded on a canvas with room for the motion (with a spare frame, cut by the clock),
    then the picture itself from the next frame on, held by ``eof_action=repeat``: overlay
    blends every pixel of its picture on every frame, transparent or not, so the picture at
    rest must be the tight one. ``slide_dx``: where a slide starts, relative to ``x``."""

    png: Path
    x: int
    y: int
    w: int
    h: int
    start: float
    entrance: Entrance = "none"
    seconds: float = 0.0
    slide_dx: int = 0
    # the frame box its visible pixels fill at rest, (x0, y0, x1, y1) with the ends
    # excluded, once drawn; None: unknown
    ink: Box | None = None

    def _progress(self) -> str:
        return f"clip((t-{self.start:.4f})/{max(0.001, self.seconds):.4f},0,1)"

    def _eased(self) -> str:
        return f"pow({self._progress()},{EASE_OUT})"

    def _spring(self) -> str:
        """0 -> 1.08 (eased out) in the first 60 %, then back to 1: libass's spring tags."""
        rise, settle = self.seconds * PEAK_AT, self.seconds * (1 - PEAK_AT)
        up = f"pow(clip((t-{self.start:.4f})/{rise:.4f},0,1),{EASE_OUT})"
        down = f"clip((t-{self.start + rise:.4f})/{max(0.001, settle):.4f},0,1)"
        return f"({1 + OVERSHOOT}*{up}-{OVERSHOOT}*{down})"

    @property
    def animated(self) -> bool:
        return self.entrance != "none" and self.seconds > 0

    def first_frame(self, fps: Fraction) -> int:
        return max(0, round(self.start * fps))

    def frames(self, fps: Fraction) -> int:
        """The entrance's own frames (none for a picture that simply appears)."""
        return max(2, math.ceil(self.seconds * fps) + 1) if self.animated else 0

    def rest_from(self, fps: Fraction) -> float:
        """When the picture at rest takes over: the frame after the entrance's last."""
        return float((self.first_frame(fps) + self.frames(fps)) / fps)

    def entrance_chain(self, fps: Fraction) -> list[Filter]:
        """The entrance's frames, from its start, on their own canvas (see ``position``)."""
        chain = [
            f("format", "rgba"),
            f("loop", loop=self.frames(fps) - 1 + SPARE, size=1, start=0),
            f("settb", expr=f"{fps.denominator}/{fps.numerator}"),
            f("setpts", f"N+{self.first_frame(fps)}"),
        ]
        if self.entrance in ("grow_x", "grow_y", "pop"):
            scale = self._spring() if self.entrance == "pop" else self._eased()
            wide = f"max(2,trunc(iw*{scale}/2)*2)"
            size: dict[str, str | int]
            at: dict[str, str | int]
            canvas = (self.w, self.h)
            if self.entrance == "grow_x":
                size, at = {"w": wide, "h": "ih"}, {"x": 0, "y": 0}
            elif self.entrance == "grow_y":
                size = {"w": "iw", "h": f"max(2,trunc(ih*{scale}/2)*2)"}
                at = {"x": 0, "y": "oh-ih"}
            else:  # room for the overshoot, centred
                size, at = {"w": wide, "h": -2}, {"x": "(ow-iw)/2", "y": "(oh-ih)/2"}
                canvas = self._grown(self.w), self._grown(self.h)
            chain += [
                f("scale", **size, eval="frame", flags="bilinear"),
                f("pad", w=canvas[0], h=canvas[1], **at, color="black@0", eval="frame"),
            ]
        if self.entrance in ("slide", "fade"):
            chain.append(f("fade", t="in", st=f"{self.start:.4f}", d=self.seconds, alpha=1))
        return chain

    @staticmethod
    def _grown(side: int) -> int:
        return math.ceil(side * (1 + OVERSHOOT)) // 2 * 2 + 2

    def shown_from_frame(self, fps: Fraction) -> int:
        """The first frame of the scene showing the picture at rest."""
        return round((self.rest_from(fps) if self.animated else self.start) * fps)

    def reach(self) -> Box:
        """Every pixel its entrance or rest can touch: the box at rest (or its ink) grown
        by the entrance's overshoot and slide."""
        x0, y0, x1, y1 = self.ink or (self.x, self.y, self.x + self.w, self.y + self.h)
        grow = abs(self.slide_dx) + math.ceil(max(self.w, self.h) * OVERSHOOT / 2) + 2
        return x0 - grow, y0 - grow, x1 + grow, y1 + grow

    def position(self) -> tuple[str | int, str | int]:
        """The entrance's ``overlay`` x and y: pops are placed by their centre (their
        canvas has room for the overshoot)."""
        if self.entrance == "pop":
            return f"{self.x + self.w / 2:.1f}-w/2", f"{self.y + self.h / 2:.1f}-h/2"
        if self.entrance == "slide" and self.slide_dx:
            return f"{self.x}+({self.slide_dx})*(1-{self._eased()})", self.y
        return self.x, self.y


@dataclass(frozen=True)
class Decor:
    """A scene's static decor merged into one picture cropped to what it covers, its
    top-left at (x, y) in the frame; ``size`` when the picture is a raw RGBA frame."""

    png: Path
    x: int
    y: int
    size: tuple[int, int] | None = None

    @property
    def source(self) -> Path | RgbaFrame:
        """The picture as ``plan_raw_pictures`` takes it."""
        return self.png if self.size is None else RgbaFrame(self.png, *self.size)


def tight_strips(
    scenes: tuple[tuple[SlidingStill | ShapeStill, ...], ...], raw: Mapping[Path, RawPicture]
) -> tuple[tuple[tuple[SlidingStill | ShapeStill, ...], ...], dict[Path, RawPicture]]:
    """Sliding strips cut to the rows they show, and the raw pictures they are read from
    then. ``overlay`` blends every pixel of its picture on every frame: the brand band's
    strip is drawn with room above and below its letters (310 rows at 1080p, 136 of them
    inked), and it slides over every frame of its scene."""
    pictures = dict(raw)
    moved: dict[Path, int] = {}  # a strip shared by several scenes is cut once
    for item in (i for scene in scenes for i in scene if isinstance(i, SlidingStill)):
        picture = raw.get(item.png)
        if picture is None or item.png in moved:
            continue
        box = picture.ink()  # with a transparent row pair each side: 4:2:0 chroma at an
        # odd y blends each chroma row from two pictures' rows, and an edge row must keep
        # the transparent neighbour it had
        top = max(0, box[1] // 2 * 2 - 2) if box else 0
        bottom = min(picture.height, -(-box[3] // 2) * 2 + 2) if box else picture.height
        if bottom - top < picture.height:
            pictures[item.png] = picture.rows(top, bottom, picture.path.with_suffix(".rows.yuva"))
        moved[item.png] = top
    out = tuple(
        tuple(
            replace(i, y=i.y + moved[i.png])
            if isinstance(i, SlidingStill) and i.png in moved
            else i
            for i in scene
        )
        for scene in scenes
    )
    return out, pictures


def with_ink(
    items: tuple[SlidingStill | ShapeStill, ...], raw: Mapping[Path, RawPicture]
) -> tuple[SlidingStill | ShapeStill, ...]:
    """The scene's pictures with where they show, read from their drawn raw frames."""
    out: list[SlidingStill | ShapeStill] = []
    inks: dict[Path, tuple[int, int, int, int] | None] = {}  # a picture used twice read once
    for item in items:
        picture = raw.get(item.png)
        if picture is not None and item.png not in inks:
            inks[item.png] = picture.ink()
        box = inks.get(item.png)
        if box is None:
            out.append(item)
        elif isinstance(item, SlidingStill):
            out.append(replace(item, ink_rows=(item.y + box[1], item.y + box[3])))
        else:
            x0, y0, x1, y1 = box
            out.append(replace(item, ink=(item.x + x0, item.y + y0, item.x + x1, item.y + y1)))
    return tuple(out)


def _open_rgba(path: Path, width: int, height: int) -> Image.Image:
    if path.suffix == RGBA_SUFFIX:  # a frame-sized raw RGBA frame, as the drawing wrote it
        return Image.frombytes("RGBA", (width, height), path.read_bytes())
    with Image.open(path) as picture:
        return picture.convert("RGBA")


def merge_decor(pictures: Sequence[Path], width: int, height: int, out: Path) -> Decor | None:
    """Lay the frame-sized ``pictures`` (PNGs, or raw RGBA frames) over each other in order
    and keep the box their pixels cover: one small input for the graph instead of several
    frame-sized ones (each decoded and converted picture stays in ffmpeg's memory for the
    whole render: 13 MB at 1080p, and overlay blends every pixel of its picture, transparent
    or not). ``out`` ending in ``.rgba`` is written as a raw RGBA frame, else as a PNG."""
    if not pictures:
        return None
    canvas = Image.new("RGBA", (width, height))
    for path in pictures:
        canvas.alpha_composite(_open_rgba(path, width, height))
    box = canvas.getchannel("A").getbbox()
    if box is None:
        return None
    x0, y0 = box[0] // 2 * 2, box[1] // 2 * 2  # even: yuv420p places overlays on even pixels
    cropped = canvas.crop((x0, y0, box[2], box[3]))
    if out.suffix == RGBA_SUFFIX:
        out.write_bytes(cropped.tobytes())
        return Decor(out, x0, y0, cropped.size)
    cropped.save(out, compress_level=1)
    return Decor(out, x0, y0)


@dataclass(frozen=True)
class StillJob:
    """One picture to draw: ``still`` on a ``width`` x ``height`` canvas, into ``out``: an
    RGBA PNG, or with ``raw`` the compose's raw ``yuva420p`` frame (``media.raw_pictures``)
    written by the drawing process itself, for a picture nothing but the compose reads."""

    still: Still
    width: int
    height: int
    out: Path
    raw: bool = False
    rgba: bool = False  # a raw RGBA frame (``RGBA_SUFFIX``): a decor piece, merged in Python


@dataclass
class StillBook:
    """The pictures one render draws, each once: a mask document drawn already at the same
    size, colour and opacity (a brand band or a rest shape repeated in another scene) gives
    back its file instead of a second job (the bench brief: 36 pictures, 22 distinct; the
    drawing and raw conversion took 1.6 s before, 0.9 s after)."""

    folder: Path
    jobs: list[StillJob] = field(default_factory=list)
    # the pictures drawn straight into raw frames: their names (as the compose's inputs
    # know them) -> the raw frames
    raw: dict[Path, RawPicture] = field(default_factory=dict)
    _drawn: dict[tuple[str, int, int, str, float, bool, bool], Path] = field(default_factory=dict)

    def add(
        self,
        name: str,
        document: str,
        size: tuple[int, int],
        colour: str,
        opacity: float,
        *,
        raw: bool = False,
        rgba: bool = False,
    ) -> Path:
        """The PNG that shows ``document`` (an ASS mask) on a ``size`` canvas; its job is
        added unless the same picture was added before. With ``raw`` (a picture only the
        compose reads) it is drawn as its raw frame: no PNG is written, and ``raw`` maps
        the returned name to it (drawing and converting it took a PNG encode, a decode
        and a process more)."""
        width, height = size
        key = (document, width, height, colour, round(opacity, 4), raw, rgba)
        if (drawn := self._drawn.get(key)) is not None:
            return drawn
        mask = self.folder / f"{name}.ass"
        mask.write_text(document, encoding="utf-8")
        png = self.folder / f"{name}.png"
        out = png
        if raw:
            out = png.with_suffix(RAW_SUFFIX)
            self.raw[png] = RawPicture(out, width, height)
        elif rgba:  # the caller reads this file: it is returned
            out = png = png.with_suffix(RGBA_SUFFIX)
        self.jobs.append(StillJob(Still(mask, colour, opacity), width, height, out, raw, rgba))
        self._drawn[key] = png
        return png


def build_stills_command(jobs: Sequence[StillJob]) -> list[str]:
    """ffmpeg arguments drawing every job's RGBA PNG in one process: each picture costs its
    mask's drawing, not an ffmpeg start (about 0.11 s of a 0.16 s picture; a designed 30 s
    video has some thirty of them)."""
    graph = Graph()
    outputs: list[str] = []
    for n, job in enumerate(jobs):
        size = f"{job.width}x{job.height}"
        hexcolour = "0x" + job.still.colour.lstrip("#")[:6]
        graph.add(
            [],
            [
                f("color", c="black", s=size, r=1, d=1),
                f("format", "rgb24"),
                f("ass", filename=str(job.still.mask_ass)),
                f("extractplanes", "r"),
            ],
            [f"mask{n}"],
        )
        graph.add([], [f("color", c=hexcolour, s=size, r=1, d=1), f("format", "rgba")], [f"c{n}"])
        graph.add(
            [f"c{n}", f"mask{n}"],
            [f("alphamerge"), f("colorchannelmixer", aa=round(job.still.opacity, 4))],
            [f"still{n}"],
        )
        if job.raw or job.rgba:  # yuva: by the scaler the compose would insert, the same frame
            form = RAW_FORMAT if job.raw else "rgba"
            outputs += ["-map", f"[still{n}]", "-frames:v", "1", "-pix_fmt", form]
            outputs += ["-f", "rawvideo", str(job.out)]
        else:
            outputs += ["-map", f"[still{n}]", "-frames:v", "1", "-update", "1", str(job.out)]
    return ["-y", "-filter_complex", graph.render(), *outputs]


BATCH_PIXELS = 6_000_000  # per process: all of a batch's pictures are in memory at once


def batches(jobs: Sequence[StillJob], max_pixels: int = BATCH_PIXELS) -> list[list[StillJob]]:
    """``jobs`` in order, in groups of at most ``max_pixels`` (a larger picture alone): one
    process for a render's 26 pictures held 887 MB; a few small processes cost little more
    time and a fraction of the memory."""
    out: list[list[StillJob]] = []
    total = 0
    for job in jobs:
        pixels = job.width * job.height
        if not out or total + pixels > max_pixels:
            out.append([])
            total = 0
        out[-1].append(job)
        total += pixels
    return out


def build_still_command(still: Still, width: int, height: int, out: Path) -> list[str]:
    """ffmpeg arguments drawing ``still`` into an RGBA PNG of ``width`` x ``height``."""
    return build_stills_command([StillJob(still, width, height, out)])


__all__ = [
    "Decor",
    "ShapeStill",
    "SlidingStill",
    "Still",
    "StillJob",
    "batches",
    "build_still_command",
    "build_stills_command",
    "merge_decor",
]
