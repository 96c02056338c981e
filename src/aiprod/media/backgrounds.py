"""Scene backgrounds as filter chains: colour, animated gradient, Ken Burns image, video clip.

Every chain ends with exactly ``frames`` frames of ``width x height`` yuv420p video whose
timestamps count frames at the timeline's rate, so xfade/concat can join them exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from aiprod.media.ffmpeg.graph import Filter, f
from aiprod.spec.model import (
    GRADIENT_PRESETS,
    Background,
    BrandKit,
    ColourBackground,
    GradientBackground,
    ImageBackground,
    KenBurns,
    VideoBackground,
)

KEN_BURNS_ZOOM = 0.12  # 12 % over the scene: visible, never dizzy
GRADIENT_DOWNSCALE = 4  # generate gradients at 1/4 size and scale up: same look, much cheaper
GRADIENT_SEED = 7  # gradients' start angle; fixed so renders are deterministic
# a drifting gradient and a plain colour change little from one frame to the next: drawn
# (with the scene's static decor laid over them) at about 10 frames a second, each frame
# then shown ``slow_factor`` times, which costs a third of drawing every frame at 30 fps
SLOW_RATE = 10


@dataclass(frozen=True)
class Canvas:
    width: int
    height: int
    fps: Fraction


def _hex(colour: str) -> str:
    return "0x" + colour.lstrip("#")[:6]


def normalise(frames: int, canvas: Canvas) -> list[Filter]:
    """Common tail: exact frame count, frame-counting timestamps, constant rate, yuv420p."""
    return [
        f("trim", end_frame=frames),
        f("settb", expr=f"{canvas.fps.denominator}/{canvas.fps.numerator}"),
        f("setpts", "N"),
        f("fps", canvas.fps),
        f("format", "yuv420p"),
        f("setsar", 1),
    ]


def slow_factor(fps: Fraction) -> int:
    """How many output frames each frame of a slow background is shown for (a whole
    number, so the drift stays even)."""
    return max(1, round(fps / SLOW_RATE))


def speed_up(frames: int, canvas: Canvas) -> list[Filter]:
    """A slow background's tail: each frame repeated up to the canvas's rate, then the
    common tail (``normalise``)."""
    return [f("fps", canvas.fps), *normalise(frames, canvas)]


def colour_chain(
    bg: ColourBackground, brand: BrandKit, frames: int, canvas: Canvas
) -> list[Filter]:
    """At the slow rate: finish with ``speed_up``."""
    colour = bg.color or brand.colors.primary
    size = f"{canvas.width}x{canvas.height}"
    k = slow_factor(canvas.fps)
    return [
        f("color", c=_hex(colour), s=size, r=canvas.fps / k),
        f("trim", end_frame=-(-frames // k) + 1),
        f("format", "yuv420p"),
    ]


def gradient_colours(bg: GradientBackground, brand: BrandKit) -> list[str]:
    if bg.colors:
        return list(bg.colors)
    if bg.preset == "brand":
        c = brand.colors
        return [c.primary, c.secondary, c.primary]
    return list(GRADIENT_PRESETS[bg.preset])


def gradient_chain(
    bg: GradientBackground, brand: BrandKit, frames: int, canvas: Canvas
) -> list[Filter]:
    """At the slow rate, turning as fast as ``bg.speed`` per output frame: finish with
    ``speed_up``."""
    colours = gradient_colours(bg, brand)
    k = slow_factor(canvas.fps)
    small_w = max(16, canvas.width // GRADIENT_DOWNSCALE // 2 * 2)
    small_h = max(16, canvas.height // GRADIENT_DOWNSCALE // 2 * 2)
    options = {f"c{i}": _hex(c) for i, c in enumerate(colours)}
    return [
        f(
            "gradients",
            s=f"{small_w}x{small_h}",
            r=canvas.fps / k,
            n=len(colours),
            speed=round(bg.speed * k, 6),
            seed=GRADIENT_SEED,
            **options,
        ),
        f("trim", end_frame=-(-frames // k) + 1),
        f("scale", w=canvas.width, h=canvas.height, flags="bicubic"),
        f("format", "yuv420p"),
    ]


# A clip's YUV goes into the compose's matrix, BT.601 (see ``compose.COLOUR_TAGS``): a clip
# tagged BT.709 (most HD footage) is converted by the scale it passes through anyway; an
# untagged one is taken as BT.601 already, as FFmpeg's scalers take it. Without accurate_rnd
# the conversion lost 3 levels. It costs CPU on clip frames (1080p, a landscape clip covering
# half the programme plus a clip layer: the graph alone 6.8-7.0 s -> 8.6-10.0 s user, with
# the clip cut to the frame's shape before it is scaled; 11.4-12.2 s without that).
CLIP_SCALE = {"out_color_matrix": "bt601", "flags": "bicubic+accurate_rnd"}


def cover(width: int, height: int, *, clip: bool = False) -> list[Filter]:
    """Scale to cover ``width x height`` and crop the centre: no bars, no distortion. A
    ``clip``'s YUV is brought into the compose's matrix on the way."""
    options = CLIP_SCALE if clip else {"flags": "bicubic"}
    # a clip is cut to the frame's shape first: its conversion then runs on the pixels kept
    # (a landscape clip covering a portrait frame: a third of them)
    shape = [
        f(
            "crop",
            w=f"min(iw,trunc(ih*{width}/{height}))",
            h=f"min(ih,trunc(iw*{height}/{width}))",
        )
    ]
    return [
        *(shape if clip else []),
        f("scale", w=width, h=height, force_original_aspect_ratio="increase", **options),
        f("crop", w=width, h=height),
        f("setsar", 1),
    ]


def ken_burns(move: KenBurns, frames: int, canvas: Canvas) -> list[Filter]:
    """Per-frame zoom or pan on an already cover-fitted still (``n`` is the frame number)."""
    w, h, z, n = canvas.width, canvas.height, KEN_BURNS_ZOOM, max(frames - 1, 1)
    if move == "none":
        return []
    if move in ("zoom_in", "zoom_out"):
        zoom = f"(1+{z}*n/{n})" if move == "zoom_in" else f"(1+{z}-{z}*n/{n})"
        return [
            f("scale", w=f"trunc({w}*{zoom}/2)*2", h=-2, eval="frame", flags="bicubic"),
            f("crop", w=w, h=h, x="(iw-ow)/2", y="(ih-oh)/2"),
        ]
    x = f"(iw-ow)*n/{n}" if move == "pan_right" else f"(iw-ow)*(1-n/{n})"
    return [f("crop", w=w, h=h, x=x, y="(ih-oh)/2")]


def image_chain(bg: ImageBackground, frames: int, canvas: Canvas) -> list[Filter]:
    """Decode the still once, cover-fit it (wider for pans), loop it, then move."""
    pan = bg.ken_burns in ("pan_left", "pan_right")
    cover_w = int(canvas.width * (1 + KEN_BURNS_ZOOM)) // 2 * 2 if pan else canvas.width
    return [
        *cover(cover_w, canvas.height),
        f("loop", loop=frames - 1, size=1, start=0),
        f("settb", expr=f"{canvas.fps.denominator}/{canvas.fps.numerator}"),
        f("setpts", "N"),
        f("fps", canvas.fps),
        *ken_burns(bg.ken_burns, frames, canvas),
        *normalise(frames, canvas),
    ]


def video_chain(bg: VideoBackground, frames: int, canvas: Canvas) -> list[Filter]:
    """Resample to the timeline rate first so ``trim`` counts output frames."""
    hold = [] if bg.loop else [f("tpad", stop=-1, stop_mode="clone")]  # freeze last frame
    return [
        f("fps", canvas.fps),
        *hold,
        f("trim", end_frame=frames),
        *cover(canvas.width, canvas.height, clip=True),
        *normalise(frames, canvas),
    ]


def video_input_args(bg: VideoBackground) -> list[str]:
    args = ["-stream_loop", "-1"] if bg.loop else []
    if bg.start:
        args += ["-ss", f"{bg.start:.3f}"]
    return args


def still_chain(frames: int, canvas: Canvas) -> list[Filter]:
    """A picture already made at the frame's size (a split colour, a blurred asset): decoded
    and converted to yuv420p once, then looped: no per-frame scaling or conversion (an RGB
    picture looped, then converted, cost 4.0 s of CPU per 900 frames at 1080x1920; converted
    first, 0.1 s; an animated gradient costs 1.9 s).

    At the slow rate, since it does not move: finish with ``speed_up``."""
    rate = canvas.fps / slow_factor(canvas.fps)
    return [
        f("format", "yuv420p"),
        f("loop", loop=-(-frames // slow_factor(canvas.fps)), size=1, start=0),
        f("settb", expr=f"{rate.denominator}/{rate.numerator}"),
        f("setpts", "N"),
    ]


@dataclass(frozen=True)
class BackgroundChain:
    """One scene's background: the file it reads (none for a generated colour or
    gradient), that input's options, its filters, and whether it runs at the slow rate:
    a slow chain is finished by ``speed_up``, after the scene's static decor is laid over
    it at that rate."""

    filters: list[Filter]
    slow: bool
    source: str | Path | None = None
    input_args: tuple[str, ...] = ()


def background_chain(
    bg: Background, made: Path | None, brand: BrandKit, frames: int, canvas: Canvas
) -> BackgroundChain:
    """The chain for a scene's spec background, or for ``made``, a picture made before the
    render (split colour, blurred asset) that replaces it."""
    if made is not None:
        return BackgroundChain(still_chain(frames, canvas), slow=True, source=made)
    if isinstance(bg, ColourBackground):
        return BackgroundChain(colour_chain(bg, brand, frames, canvas), slow=True)
    if isinstance(bg, GradientBackground):
        return BackgroundChain(gradient_chain(bg, brand, frames, canvas), slow=True)
    if isinstance(bg, ImageBackground):
        return BackgroundChain(image_chain(bg, frames, canvas), slow=False, source=bg.path)
    return BackgroundChain(
        video_chain(bg, frames, canvas),
        slow=False,
        source=bg.path,
        input_args=tuple(video_input_args(bg)),
    )
