"""The one-pass render: every scene, transition, overlay and the final audio in one graph.

``build_render_command`` is pure: it turns the timeline and spec into an ffmpeg argument
list, tested as data. ``aiprod.media.ffmpeg.run`` executes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from aiprod.media.audio import MIX_RATE
from aiprod.media.backgrounds import Canvas, background_chain, slow_factor, speed_up
from aiprod.media.clip_layers import ClipLayer, add_clip_layers
from aiprod.media.ffmpeg.graph import Filter, Graph, f
from aiprod.media.illustrations import PlacedIllustration, add_illustrations
from aiprod.media.layers import PictureLayer, add_layers, frames_shown
from aiprod.media.measure import VideoTap
from aiprod.media.raw_pictures import RawPicture
from aiprod.media.stills import Box, Decor, ShapeStill, SlidingStill
from aiprod.media.timeline import SceneSlot, Timeline, seconds_at
from aiprod.spec.model import (
    LogoPosition,
    VideoSpec,
)
from aiprod.spec.presets import Preset

LOGO_HEIGHT = 0.07  # of the frame's shorter side
LOGO_MARGIN = 0.04
LOGO_OPACITY = 0.9


@dataclass
class InputList:
    """The ``-i`` inputs in order; ``add`` returns the input's index for ``[k:v]``. A
    picture with a raw frame in ``raw`` is read from that instead (``media.raw_pictures``)."""

    args: list[str] = field(default_factory=list)
    count: int = 0
    raw: Mapping[Path, RawPicture] = field(default_factory=dict)

    def add(self, path: str | Path, options: list[str] | None = None) -> int:
        raw = self.raw.get(Path(path))
        if raw is not None:
            path, options = raw.path, raw.input_options()
        self.args += [*(options or []), "-i", str(path)]
        self.count += 1
        return self.count - 1


@dataclass(frozen=True)
class RenderPlan:
    spec: VideoSpec
    preset: Preset
    timeline: Timeline
    # the finished, loudness-normalised programme audio; None: the picture alone, muxed
    # with its sound later (``build_mux_command``), so it needs no sound to start
    audio: Path | None
    overlay_ass: Path | None  # titles, lower thirds and burned-in captions
    output: Path
    threads: int = 0
    # the graph's slice threads: on our 2 cores they cost more than they give beside x264
    # (bench brief at 1080p, 3 pairs: 1.2-4.0 s less wall, 1.1-5.0 s less CPU with one)
    filter_threads: int = 1
    illustrations: tuple[PlacedIllustration, ...] = ()
    # the design stage's backdrop (shapes under the pictures) and its placed pictures
    backdrop_ass: Path | None = None
    layers: tuple[PictureLayer, ...] = ()
    # per scene: its static decor (veil, halftone) in one picture laid over its background
    scene_stills: tuple[Decor | None, ...] = ()
    # per scene, in order over its stills: baked strips slid across it (the brand band) and
    # baked shapes brought in by their entrance
    scene_overlays: tuple[tuple[SlidingStill | ShapeStill, ...], ...] = ()
    # per scene: a background picture made before the render (split colour, blurred asset)
    # that replaces the spec's background; None keeps it
    background_stills: tuple[Path | None, ...] = ()
    # the corner logo leaves when the end card reveals the logo itself (seconds)
    corner_logo_until: float | None = None
    # the user's clips played in their hero boxes (product/asset scenes)
    clip_layers: tuple[ClipLayer, ...] = ()
    # baked pictures read as raw frames (by their PNG's path): far less of ffmpeg's memory
    raw_pictures: Mapping[Path, RawPicture] = field(default_factory=dict)
    # QA's video pass taken on the frames the encoder receives (None: QA decodes the file)
    video_tap: VideoTap | None = None
    # shapes at rest laid over their scene's slow background where no pixel changes
    # (``rests_at_slow_rate``); False draws them over every frame, as tests compare
    slow_rests: bool = True
    # per scene: the front's still parts drawn on its slow background (an ASS document in
    # the scene's own time, see ``aiprod.media.front_rest``), or None
    scene_fronts: tuple[Path | None, ...] = ()


def scene_chain(plan: RenderPlan, slot: SceneSlot, inputs: InputList, graph: Graph) -> str:
    """Add the background chain of one scene; return its output label."""
    bg = plan.spec.scenes[slot.index].background
    canvas = Canvas(plan.timeline.width, plan.timeline.height, plan.timeline.fps)
    scene = f"s{slot.index}"
    made = plan.background_stills[slot.index] if slot.index < len(plan.background_stills) else None
    chain = background_chain(bg, made, plan.spec.brand, slot.frames, canvas)
    label = f"{scene}lo" if chain.slow else scene
    sources = []
    if chain.source is not None:
        sources = [f"{inputs.add(chain.source, list(chain.input_args))}:v"]
    graph.add(sources, chain.filters, [label])
    # static decor goes on a slow background before its frames are repeated
    decor = plan.scene_stills[slot.index] if slot.index < len(plan.scene_stills) else None
    if decor is not None:
        k = inputs.add(decor.png)
        out = f"{label}d"
        graph.add(
            [label, f"{k}:v"],
            [f("overlay", x=decor.x, y=decor.y, eof_action="repeat"), f("format", "yuv420p")],
            [out],
        )
        label = out
    overlays = plan.scene_overlays[slot.index] if slot.index < len(plan.scene_overlays) else ()
    fps, slow = canvas.fps, slow_factor(canvas.fps)
    settled = rests_at_slow_rate(overlays, fps, slow) if chain.slow and plan.slow_rests else {}
    uses = {n: _uses(item, settled.get(n), fps, slow) for n, item in enumerate(overlays)}
    pictures = {n: _picture_input(item, uses[n], f"{scene}i{n}", inputs, graph)
                for n, item in enumerate(overlays)}  # fmt: skip
    for n, first in settled.items():  # shapes at rest, laid over the slow frames
        item = overlays[n]
        assert isinstance(item, ShapeStill)
        out = f"{label}r{n}"
        graph.add(
            [label, pictures[n].pop()],
            [
                f(
                    "overlay",
                    x=item.x,
                    y=item.y,
                    eof_action="repeat",
                    enable=_from(first, slow, fps),
                ),
                f("format", "yuv420p"),
            ],
            [out],
        )
        label = out
    fronts = plan.scene_fronts
    resting = fronts[slot.index] if chain.slow and slot.index < len(fronts) else None
    if resting is not None:  # over the shapes at rest, as the front was over them
        graph.add([label], [f("ass", filename=str(resting))], [f"{label}t"])
        label = f"{label}t"
    if chain.slow:
        graph.add([label], speed_up(slot.frames, canvas), [scene])
        label = scene
    for n, item in enumerate(overlays):
        out = f"{label}m{n}"
        if isinstance(item, ShapeStill):
            held = settled[n] * slow if n in settled else None
            label = _shape_overlays(plan, item, pictures[n], label, out, graph, until=held)
            continue
        enable = f"gte(t,{item.shown_from:.4f})" if item.shown_from > 0 else None
        graph.add(
            [label, pictures[n].pop()],
            [
                f("overlay", x=item.x_expr(), y=item.y, eof_action="repeat", enable=enable),
                f("format", "yuv420p"),
            ],
            [out],
        )
        label = out
    return label


INK_MARGIN = 2  # pixels between pictures whose order may change: yuv420p's chroma is 2x2


def _meets(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def rests_at_slow_rate(
    overlays: tuple[SlidingStill | ShapeStill, ...], fps: Fraction, slow: int
) -> dict[int, int]:
    """The scene's shapes whose rest can be laid over its slow background (before its
    frames are repeated ``slow`` times) instead of over every frame: {index in
    ``overlays``: the first slow frame showing it}. Overlay blends every pixel of its
    picture on every frame it is given; a third as many frames cost a third as much.

    A shape moves under every picture below it that is still drawn frame by frame once it
    rests there (a sliding band, another shape's entrance or rest): only where their pixels
    do not meet, so that no pixel of the frame changes. The frames between its entrance's
    end and the first slow frame showing it hold it as before."""
    settled: dict[int, int] = {}
    for n, item in enumerate(overlays):
        if not isinstance(item, ShapeStill) or item.ink is None:
            continue
        first = -(-item.shown_from_frame(fps) // slow)
        x0, y0, x1, y1 = item.ink
        mine = (x0 - INK_MARGIN, y0 - INK_MARGIN, x1 + INK_MARGIN, y1 + INK_MARGIN)
        if not any(
            _meets(_fast_reach(below), mine)
            for m, below in enumerate(overlays[:n])
            if m not in settled or settled[m] > first  # drawn frame by frame after it rests
        ):
            settled[n] = first
    return settled


def _fast_reach(item: SlidingStill | ShapeStill) -> Box:
    """What a picture drawn frame by frame can cover: a band, the full width of its rows."""
    if isinstance(item, ShapeStill):
        return item.reach()
    far = 1 << 30
    top, bottom = item.ink_rows or (-far, far)
    return -far, top, far, bottom


def _uses(item: SlidingStill | ShapeStill, first: int | None, fps: Fraction, slow: int) -> int:
    """How many branches read the picture: the slow rest (from slow frame ``first``, if
    any), the entrance, the rest held until then."""
    if not isinstance(item, ShapeStill):
        return 1
    held = first is None or item.shown_from_frame(fps) < first * slow
    return int(first is not None) + int(item.animated) + int(held)


def _picture_input(
    item: SlidingStill | ShapeStill, uses: int, label: str, inputs: InputList, graph: Graph
) -> list[str]:
    """The picture's input, split for each branch reading it (taken with ``pop()``)."""
    source = f"{inputs.add(item.png)}:v"
    if uses <= 1:
        return [source]
    branches = [f"{label}p{k}" for k in range(uses)]
    graph.add([source], [f("split", uses)], branches)
    return branches


def _from(first: int, slow: int, fps: Fraction) -> str | None:
    """From slow frame ``first`` on (a slow frame n is stamped n * slow / fps)."""
    return None if first <= 0 else f"gte(t,{float((first - Fraction(1, 2)) * slow / fps):.4f})"


def _shape_overlays(
    plan: RenderPlan,
    item: ShapeStill,
    pictures: list[str],
    video: str,
    out: str,
    graph: Graph,
    *,
    until: int | None = None,
) -> str:
    """A baked shape's entrance (its own short stream), then the shape at rest; ``until``:
    the frame from which the slow background shows it at rest instead."""
    fps = plan.timeline.fps
    if item.animated:
        graph.add([pictures.pop()], item.entrance_chain(fps), [f"{out}e"])
        x, y = item.position()
        # cut by the clock: the stream has a spare frame after its last (``entrance_chain``)
        first, end = item.first_frame(fps), item.shown_from_frame(fps)
        graph.add(
            [video, f"{out}e"],
            [
                f("overlay", x=x, y=y, eof_action="pass", enable=frames_shown(first, end, fps)),
                f("format", "yuv420p"),
            ],
            [f"{out}a"],
        )
        video = f"{out}a"
    # from its first frame at rest, by the clock with half a frame to spare: a start
    # rounded to the 1/10000 s above its frame's time (1.0667 for frame 32, stamped
    # 1.066666) came a frame late, after the entrance had ended (a one-frame blink)
    first = item.shown_from_frame(fps)
    enable = f"gte(t,{float((first - Fraction(1, 2)) / fps):.4f})" if first > 0 else None
    if until is not None:  # held until the slow background shows it
        if first >= until:
            return video
        enable = frames_shown(first, until, fps)
    graph.add(
        [video, pictures.pop()],
        [
            f("overlay", x=item.x, y=item.y, eof_action="repeat", enable=enable),
            f("format", "yuv420p"),
        ],
        [out],
    )
    return out


def _piece(label: str, first: int, end: int) -> list[Filter]:
    return [f("trim", start_frame=first, end_frame=end), f("setpts", "PTS-STARTPTS")]


def split_scene(slot: SceneSlot, label: str, graph: Graph) -> tuple[str | None, str, str | None]:
    """Cut a scene into (head overlapping the previous scene, body, tail overlapping the next).

    Only heads and tails go through xfade; bodies go straight to concat. A chained xfade over
    whole scenes would make FFmpeg queue every frame of the next scene while it passes the
    current one through: measured here, 3x the filter time and 500 MB for a 30 s 1080p video.
    """
    t_in, t_out, n = slot.transition_in, slot.transition_out, slot.frames
    parts = [("h", 0, t_in), ("b", t_in, n - t_out), ("t", n - t_out, n)]
    used = [(tag, a, b) for tag, a, b in parts if b > a]
    if len(used) == 1:
        return None, label, None
    outs = [f"{label}{tag}" for tag, _, _ in used]
    graph.add([label], [f("split", len(used))], [f"{o}_" for o in outs])
    for (_, a, b), out in zip(used, outs, strict=True):
        graph.add([f"{out}_"], _piece(label, a, b), [out])
    named = {tag: f"{label}{tag}" for tag, _, _ in used}
    return named.get("h"), named["b"], named.get("t")


def join_scenes(plan: RenderPlan, labels: list[str], graph: Graph) -> str:
    """Bodies and cross-faded joins, concatenated in order: frame-exact and streaming."""
    fps = plan.timeline.fps
    pieces = [
        split_scene(slot, label, graph)
        for slot, label in zip(plan.timeline.scenes, labels, strict=True)
    ]
    sequence: list[str] = []
    for slot, (_, body, tail) in zip(plan.timeline.scenes, pieces, strict=True):
        sequence.append(body)
        if tail is None:
            continue
        head = pieces[slot.index + 1][0]
        assert head is not None  # a scene's tail always has the next scene's head
        joint = f"x{slot.index}"
        graph.add(
            [tail, head],
            [
                f(
                    "xfade",
                    transition=slot.transition_type or "fade",
                    duration=seconds_at(slot.transition_out, fps),
                    offset=0,
                ),
                # FFmpeg 5.1's xfade stamps its last frame one frame late (0..13, 15):
                # concat then leaves a hole the encoder fills with a repeated frame, a
                # stutter at every cut and the fade-out's last frames cut off the end
                f("settb", expr=f"{fps.denominator}/{fps.numerator}"),
                f("setpts", "N"),
            ],
            [joint],
        )
        sequence.append(joint)
    if len(sequence) == 1:
        return sequence[0]
    # concat stamps in microseconds, rounded down: frame 318 at 10.599999 s, before a
    # layer stamped 318/30 that was then shown a frame late (a picture's exit fade began a
    # frame after its rest had ended: a one-frame blink); stamped again, frame n is n/fps
    restamp = [f("settb", expr=f"{fps.denominator}/{fps.numerator}"), f("setpts", "N")]
    graph.add(sequence, [f("concat", n=len(sequence), v=1, a=0), *restamp], ["joined"])
    return "joined"


def logo_position(position: LogoPosition, margin: int) -> tuple[str, str]:
    x = str(margin) if position.endswith("left") else f"W-w-{margin}"
    y = str(margin) if position.startswith("top") else f"H-h-{margin}"
    return x, y


def add_logo(plan: RenderPlan, video: str, inputs: InputList, graph: Graph) -> str:
    logo = plan.spec.brand.logo
    if logo is None:
        return video
    short = min(plan.timeline.width, plan.timeline.height)
    k = inputs.add(logo)
    height = max(8, int(short * LOGO_HEIGHT) // 2 * 2)
    graph.add(
        [f"{k}:v"],
        [
            f("scale", w=-1, h=height, flags="lanczos"),
            f("format", "rgba"),
            f("colorchannelmixer", aa=LOGO_OPACITY),
        ],
        ["logo"],
    )
    x, y = logo_position(plan.spec.brand.logo_position, int(short * LOGO_MARGIN))
    until = plan.corner_logo_until
    enable = f"lt(t,{until:.4f})" if until is not None else None
    graph.add(
        [video, "logo"], [f("overlay", x=x, y=y, eof_action="repeat", enable=enable)], ["logoed"]
    )
    return "logoed"


def finishing(plan: RenderPlan) -> list[Filter]:
    """Overlays and fades applied to the joined picture, frame-exact."""
    tl = plan.timeline
    filters = []
    if plan.overlay_ass is not None:
        filters.append(f("ass", filename=str(plan.overlay_ass)))
    if tl.fade_in_frames:
        filters.append(f("fade", t="in", s=0, n=tl.fade_in_frames))
    if tl.fade_out_frames:
        filters.append(
            f("fade", t="out", s=tl.total_frames - tl.fade_out_frames, n=tl.fade_out_frames)
        )
    filters.append(f("format", "yuv420p"))
    return filters


def build_filtergraph(plan: RenderPlan, inputs: InputList) -> Graph:
    graph = Graph()
    labels = [scene_chain(plan, slot, inputs, graph) for slot in plan.timeline.scenes]
    video = join_scenes(plan, labels, graph)
    if plan.backdrop_ass is not None:
        graph.add([video], [f("ass", filename=str(plan.backdrop_ass))], ["backdrop"])
        video = "backdrop"
    video = add_layers(plan.layers, video, plan.timeline, graph, inputs.add)
    video = add_clip_layers(plan.clip_layers, video, plan.timeline, graph, inputs.add)
    video = add_illustrations(plan.illustrations, video, plan.timeline, graph, inputs.add)
    video = add_logo(plan, video, inputs, graph)
    tap = plan.video_tap
    graph.add([video], finishing(plan), ["vout" if tap is None else "vfinal"])
    if tap is not None:  # the finished frames, split for the encoder and QA (detectors, frames)
        branches = ["vout", "qadetect", *(["qaframes"] if tap.grabs else [])]
        graph.add(["vfinal"], [f("split", len(branches))], branches)
        graph.add(["qadetect"], [*tap.detectors(), f("nullsink")])
        if tap.grabs:
            graph.add(["qaframes"], tap.grab_chain(), ["qaframes_out"])
    if plan.audio is not None:
        k = inputs.add(plan.audio)
        # Debian's FFmpeg 5.1 AAC encoder wants whole 1024-sample frames from a filtergraph
        graph.add([f"{k}:a"], [f("aresample", MIX_RATE), f("asetnsamples", n=1024, p=0)], ["aout"])
    return graph


# What the picture's YUV means. Every RGB->YUV conversion in the graph uses BT.601's matrix:
# FFmpeg 5.1's drawing code (the ``color`` source, libass) knows no other, and its scalers
# default to it (pictures, gradients, RGBA overlays, the raw yuva frames made beforehand). So
# the file says so: matrix smpte170m (BT.601), primaries and transfer BT.709 (sRGB's). Tagged
# bt709, players decoded #1E3A5F as (26,55,95) and #00C000 as (0,160,0); tagged so, ffmpeg
# gives (29,57,93) and (0,190,0), Chromium draws (30,58,94) and (0,192,1). The graph is
# unchanged: no conversion, no CPU. (tests/integration/test_render_colour.py)
COLOUR_TAGS = ("-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "smpte170m")


def encoder_args(plan: RenderPlan) -> list[str]:
    p, tl = plan.preset, plan.timeline
    gop = max(1, round(tl.fps * 2))
    video = [
        "-c:v",
        "libx264",
        "-preset",
        p.x264_preset,
        "-crf",
        str(p.crf),
        "-pix_fmt",
        "yuv420p",
        "-profile:v",
        "high",
        "-g",
        str(gop),
        *COLOUR_TAGS,
    ]
    return [*video, *audio_encoder_args(p)] if plan.audio is not None else [*video, "-an"]


def audio_encoder_args(p: Preset) -> list[str]:
    return ["-c:a", "aac", "-b:a", f"{p.audio_bitrate_k}k", "-ar", str(p.sample_rate), "-ac", "2"]


def build_render_command(plan: RenderPlan) -> list[str]:
    """The full ffmpeg argument list (without the leading 'ffmpeg')."""
    inputs = InputList(raw=plan.raw_pictures)
    graph = build_filtergraph(plan, inputs)
    threads = ["-threads", str(plan.threads)] if plan.threads else []
    tap = plan.video_tap
    grabbed = tap.grab_output("qaframes_out") if tap is not None and tap.grabs else []
    metadata = ["-metadata", f"title={plan.spec.title}"] if plan.spec.title else []
    return [
        "-y",
        *inputs.args,
        "-filter_complex_threads",
        str(plan.filter_threads),
        "-filter_complex",
        graph.render(),
        "-map",
        "[vout]",
        *(["-map", "[aout]"] if plan.audio is not None else []),
        *encoder_args(plan),
        *threads,
        "-frames:v",
        str(plan.timeline.total_frames),
        # the picture alone is muxed again with its sound, which moves the index then
        *(["-movflags", "+faststart"] if plan.audio is not None else []),
        *metadata,
        "-progress",
        "pipe:1",
        "-nostats",
        str(plan.output),
        *grabbed,  # QA's frames: a second output, after the video's
    ]


def build_audio_encode_command(audio: Path, gain_db: float, preset: Preset, out: Path) -> list[str]:
    """The programme audio encoded as the video's sound (AAC in an MP4 audio file),
    ``gain_db`` quieter/louder: made beside the picture, copied in by ``build_mux_command``."""
    return ["-y", "-i", str(audio), "-af", _audio_chain(gain_db), *audio_encoder_args(preset),
            "-vn", str(out)]  # fmt: skip


def build_mux_command(picture: Path, sound: Path, out: Path) -> list[str]:
    """The picture and its encoded sound in one file, both copied: no encode."""
    return ["-y", "-i", str(picture), "-i", str(sound), "-map", "0:v", "-map", "1:a",
            "-map_metadata", "0", "-c", "copy", "-movflags", "+faststart", str(out)]  # fmt: skip


def _audio_chain(gain_db: float) -> str:
    return ",".join(
        flt.render()
        for flt in (
            f("volume", f"{gain_db:.2f}dB"),
            f("aresample", MIX_RATE),
            f("asetnsamples", n=1024, p=0),
        )
    )
