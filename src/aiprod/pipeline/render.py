"""Render a validated spec into delivered files: video, thumbnail, captions, QA, manifest.

    probe ─▶ narration ─▶ timeline ─▶ music ─▶ sfx ─▶ audio (mix + loudness pass 1) ─▶
    design ─▶ visuals ─▶ compose (one ffmpeg graph, loudness pass 2) ─▶ qa ∥ thumbnail ─▶
    deliver

Each is a declared stage (:mod:`aiprod.pipeline.stages`) run by a ``StageRunner`` over one
``RenderContext``: the cached ones are answered from the stage cache when their inputs are
unchanged, and every stage leaves a record in the manifest's ``stages`` list.

Everything up to the audio mix is the same in every aspect ratio: :meth:`Renderer.prepare_audio`
does it once and renders of the other aspects reuse it (see :mod:`aiprod.pipeline.formats`).

Intermediate files live in a work folder under the data directory and are removed after
the render. Outputs are written to a hidden staging folder inside the output folder and
moved into place together at the end, so a failed render never leaves half a set of files
(or a half-written ``video.mp4``) behind, nor damages the files of a previous render.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import threading
import uuid
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from aiprod.captions.ass import AssDocument, AssEvent
from aiprod.captions.cues import CaptionWord, Cue, build_cues
from aiprod.captions.sidecar import to_srt, to_webvtt
from aiprod.captions.styles import recommended_line_chars
from aiprod.config import Settings
from aiprod.design.backgrounds import asset_path, hero_clip
from aiprod.design.draw import mask_event, shape_colour
from aiprod.design.engine import DesignPlan, SceneTimes, plan_design
from aiprod.errors import QAFailed
from aiprod.media.audio import (
    MUSIC_REFERENCE_LUFS,
    LoudnessOutcome,
    MixInputs,
    NarrationPlacement,
    assemble_narration,
    mix_programme_audio,
)
from aiprod.media.backgrounds import Canvas, background_chain, slow_factor
from aiprod.media.clip_layers import ClipLayer
from aiprod.media.compose import (
    LOGO_HEIGHT,
    LOGO_MARGIN,
    RenderPlan,
    build_audio_encode_command,
    build_mux_command,
    build_render_command,
    rests_at_slow_rate,
)
from aiprod.media.contact_sheet import SHEET_NAME, Tile, write_contact_sheet
from aiprod.media.ffmpeg.run import run_ffmpeg, run_ffmpeg_all, run_ffmpeg_with_progress
from aiprod.media.front_rest import Obstacle, RestingFront, rest_front
from aiprod.media.illustrations import PlacedIllustration
from aiprod.media.layers import PictureLayer
from aiprod.media.measure import (
    DEFAULT_SETTINGS,
    AudioAnalysis,
    Interval,
    Measurements,
    VideoAnalysis,
    VideoTap,
    analyse_audio,
    measure_all,
    measure_loudness,
)
from aiprod.media.overlays import write_overlay
from aiprod.media.probe_inputs import probe_spec_inputs
from aiprod.media.raw_pictures import (
    RGBA_SUFFIX,
    RawPicture,
    build_raw_command,
    plan_raw_pictures,
    split_raw,
)
from aiprod.media.scene_backgrounds import blurred_png, clip_frame, split_png
from aiprod.media.stills import (
    Decor,
    ShapeStill,
    SlidingStill,
    StillBook,
    batches,
    build_stills_command,
    merge_decor,
    tight_strips,
    with_ink,
)
from aiprod.media.thumbnail import extract_thumbnail, thumbnail_frame, write_jpeg
from aiprod.media.timeline import Timeline, build_timeline, frames_for, seconds_at
from aiprod.pipeline.cost import CostEstimate, ThroughputStore, workload_for
from aiprod.pipeline.cost import actual as actual_cost
from aiprod.pipeline.cost import estimate as cost_estimate
from aiprod.pipeline.manifest import build_manifest, write_json
from aiprod.pipeline.pictures import with_pictures_by_meaning
from aiprod.pipeline.progress import ProgressSink, SilentProgress, StageClock
from aiprod.pipeline.sound import SoundPlan, sound_plan
from aiprod.pipeline.stages.audio import AudioStage
from aiprod.pipeline.stages.base import StageRecord, StageRunner, in_stage_order
from aiprod.pipeline.stages.cache import StageCache
from aiprod.pipeline.stages.compose import ComposeStage
from aiprod.pipeline.stages.context import RenderContext
from aiprod.pipeline.stages.music import MUSIC
from aiprod.pipeline.stages.narration import narrate
from aiprod.pipeline.stages.picture import PICTURE_FILE, QA_FRAMES_FILE, Drawn, PictureStage
from aiprod.pipeline.stages.qa import QAStage
from aiprod.pipeline.stages.sfx import SFX
from aiprod.pipeline.stages.visuals import VisualsStage
from aiprod.providers.credits import ProviderCalls, picture_credits, write_credits
from aiprod.providers.tts.base import SpeechClip
from aiprod.providers.tts.registry import forget_providers
from aiprod.providers.vision.review import reused_review, review_frames
from aiprod.qa.design import read_section
from aiprod.qa.gate import QAExpectations, run_qa, sample_points
from aiprod.qa.report import QAReport
from aiprod.qa.semantic import key_points_check
from aiprod.spec.model import (
    ColourBackground,
    ImageBackground,
    Scene,
    VideoBackground,
    VideoSpec,
)
from aiprod.spec.presets import Preset
from aiprod.sysmem import give_back_memory

SOUND_NICE = 10  # the sound thread's nice value: it runs on the CPU the picture leaves
PEAK_GUARD_DB = 0.2  # how far under the preset's true-peak limit the encoded file must stay

OUTPUT_FILES = (
    "video.mp4",
    "thumbnail.jpg",
    SHEET_NAME,
    "captions.srt",
    "captions.vtt",
    "qa.json",
    "manifest.json",
)


@dataclass(frozen=True)
class EncodedSound:
    """The programme mix encoded as the video's sound (AAC), under the true-peak limit:
    ``gain_db`` is what it took (0 unless AAC's overshoot crossed the limit), ``analysis``
    QA's audio pass over exactly these samples (None when re-encoded: QA measures the
    file). ``settings``: the preset's bitrate and rate it was made for."""

    path: Path
    gain_db: float
    analysis: AudioAnalysis | None
    settings: tuple[int, int]


def audio_settings(preset: Preset) -> tuple[int, int]:
    return (preset.audio_bitrate_k, preset.sample_rate)


@dataclass(frozen=True)
class PreparedAudio:
    """The sound of one plan, shared by its renders in every aspect: narration clips, the
    timing, the music bed and effects, and the finished programme mix (files in the work
    folder of the renderer that prepared it)."""

    clips: list[SpeechClip | None]
    tts: str | None
    timeline: Timeline
    sound: SoundPlan
    mix: Path
    loudness: LoudnessOutcome
    stage_seconds: dict[str, float]
    records: tuple[StageRecord, ...] = ()  # the shared stages' records, in order
    keys: dict[str, str] = field(default_factory=dict)  # their cache keys
    # what the first format that checks finds for all: the advisory vision review (the
    # scenes' pictures and words are the same in every aspect; see review_once)
    shared: dict[str, Any] = field(default_factory=dict)
    encoded: EncodedSound | None = None  # the mix as the videos' sound, made beside the mix

    def timeline_for(self, preset: Preset) -> Timeline:
        """The same frames and cues in the preset's frame size."""
        return replace(self.timeline, width=preset.width, height=preset.height)


@dataclass(frozen=True)
class RenderResult:
    out_dir: Path
    timeline: Timeline
    qa: QAReport
    stage_seconds: dict[str, float]
    manifest: dict[str, object]

    @property
    def video(self) -> Path:
        return self.out_dir / "video.mp4"


def caption_words(timeline: Timeline, clips: list[SpeechClip | None]) -> list[CaptionWord]:
    """Word timings moved from clip time to programme time."""
    words: list[CaptionWord] = []
    for slot, clip in zip(timeline.scenes, clips, strict=True):
        if clip is None:
            continue
        offset = float(seconds_at(slot.narration_start, timeline.fps))
        words.extend(CaptionWord(w.text, offset + w.start, offset + w.end) for w in clip.words)
    return words


def narration_seconds(clips: list[SpeechClip | None]) -> list[float | None]:
    return [clip.duration if clip else None for clip in clips]


def scene_rest_seconds(timeline: Timeline) -> list[float]:
    """A time per scene when it is at rest: the middle of the part shown without a
    transition, kept clear of the programme's fade in and out."""
    first = timeline.fade_in_frames
    last = max(first, timeline.total_frames - timeline.fade_out_frames - 1)
    return [
        float(seconds_at(min(last, max(first, (s.clear_start + s.clear_end) // 2)), timeline.fps))
        for s in timeline.scenes
    ]


def without(seconds: dict[str, float], stage: str) -> dict[str, float]:
    return {name: value for name, value in seconds.items() if name != stage}


def is_static(scene: Scene) -> bool:
    """A background the user chose to hold still (a solid colour, a still with no move)."""
    bg = scene.background
    return isinstance(bg, ColourBackground) or (
        isinstance(bg, ImageBackground) and bg.ken_burns == "none"
    )


def intentional_ranges(timeline: Timeline, spec: VideoSpec) -> list[Interval]:
    """Fades, still scenes and scenes the user made silent: not defects."""
    fps = timeline.fps
    ranges = [
        Interval(0.0, float(seconds_at(timeline.fade_in_frames, fps))),
        Interval(
            float(seconds_at(timeline.total_frames - timeline.fade_out_frames, fps)),
            float(timeline.duration),
        ),
    ]
    for slot, scene in zip(timeline.scenes, spec.scenes, strict=True):
        if slot.transition_type in ("fadeblack",):
            mid = seconds_at(slot.end - slot.transition_out, fps)
            ranges.append(Interval(float(mid), float(seconds_at(slot.end, fps))))
        if is_static(scene) or (not scene.narration.strip() and spec.music is None):
            ranges.append(
                Interval(float(seconds_at(slot.start, fps)), float(seconds_at(slot.end, fps)))
            )
    return ranges


class Renderer:
    """One render of one spec. Create, call ``run()``; not reusable."""

    # the front's still parts drawn on their scenes' slow backgrounds where that changes
    # no pixel (``aiprod.media.front_rest``); tests turn it off to compare
    slow_front = True

    def __init__(
        self,
        spec: VideoSpec,
        preset: Preset,
        *,
        out_dir: Path,
        settings: Settings,
        progress: ProgressSink | None = None,
        audio: PreparedAudio | None = None,
        estimate: CostEstimate | None = None,
        prior_stages: Sequence[StageRecord] = (),
    ) -> None:
        self.spec, self.preset, self.settings = spec, preset, settings
        self.estimate = estimate  # the caller's, made before the render (budget check)
        self.prepared = audio
        self.final_dir = out_dir
        run_id = uuid.uuid4().hex[:12]
        # every output is written here first and published together at the end, so a
        # failed render never leaves half a set of files, nor clobbers a previous render
        self.out_dir = out_dir / f".aiprod-render-{run_id}"
        self.clock = StageClock(progress or SilentProgress())
        self.sink = progress or SilentProgress()
        self.work = settings.work_root / run_id
        self.ctx = RenderContext(spec, preset, settings, self.work, self.out_dir, self.sink)
        cache = StageCache(settings.cache_dir, max_bytes=settings.stage_cache_max_bytes)
        self.stages = StageRunner(self.clock, cache, keys=self.ctx.keys)
        if audio is None:  # shared audio carries the records of everything before it
            self.stages.records.extend(prior_stages)  # plan, when a brief was planned
        self.peak_correction_db = 0.0
        # passes of QA's the compose took on its way (None: QA takes them from the file)
        self.measured_video: VideoAnalysis | None = None
        self.measured_audio: AudioAnalysis | None = None
        self.design: DesignPlan | None = None
        # the manifest's design section (boxes per scene, safe zone), set by the layout
        # stage before QA; None when no layout engine ran: the design checks are skipped
        self.design_section: dict[str, Any] | None = None

    def run(self) -> RenderResult:
        """Render, publish the outputs (also when QA fails, for inspection), clean up."""
        self.work.mkdir(parents=True, exist_ok=True)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        try:
            result = self._run()
            self._publish()
        finally:
            shutil.rmtree(self.out_dir, ignore_errors=True)
            if not self.settings.keep_work_files:
                shutil.rmtree(self.work, ignore_errors=True)
        if not result.qa.passed:
            raise QAFailed(result.qa.failures())
        return replace(result, out_dir=self.final_dir)

    def _publish(self) -> None:
        """Move the finished files into the output folder, the video last."""
        names = sorted(p.name for p in self.out_dir.iterdir())
        names.sort(key=lambda name: name == "video.mp4")
        for name in names:
            (self.out_dir / name).replace(self.final_dir / name)

    def _costs(self, timeline: Timeline) -> dict[str, object]:
        """Estimated (before) and actual (measured) cost; teaches the throughput store."""
        rate, currency = self.settings.compute_rate_per_hour, self.settings.currency
        store = ThroughputStore(self.settings.throughput_file)
        planned = self.spec.brief is not None
        before = self.estimate
        if before is None:  # the caller had none: priced here, as it would have been
            guess = workload_for(self.spec, self.preset, planned=planned)
            before = cost_estimate(guess, store.load(), rate_per_hour=rate, currency=currency)
        work = workload_for(
            self.spec, self.preset, planned=planned, programme_seconds=float(timeline.duration)
        )
        # the stages answered by the cache cost nothing and teach nothing about speed
        spent = self.stages.computed_seconds()
        # priced and learnt as one: the picture is the compose's work, joining it to its
        # sound a fraction of a second; that fraction alone teaches nothing of the speed
        drawn = spent.pop("picture", None)
        if drawn is not None:
            spent["compose"] = round(spent.get("compose", 0.0) + drawn, 3)
        after = actual_cost(work, spent, rate_per_hour=rate, currency=currency)
        store.record(work, spent if drawn is not None else without(spent, "compose"))
        return {"estimate": before.to_dict(), "actual": after.to_dict()}

    def prepare_audio(self) -> PreparedAudio:
        """The stages every aspect shares: probe, narration, timing, sound, the mix.
        Its files live in this renderer's work folder until ``run()`` cleans it."""
        self.work.mkdir(parents=True, exist_ok=True)
        self._prepare_timing()
        return self._prepare_sound(self.ctx, self.stages, self.clock)

    def _prepare_timing(self) -> None:
        """Probe, narration and the timeline: what the picture needs of the sound."""
        ctx, stages = self.ctx, self.stages
        with stages.plain("probe"):
            probe_spec_inputs(self.spec)
        narrate(ctx, stages)
        with stages.plain("timeline"):
            ctx.timeline = build_timeline(self.spec, self.preset, narration_seconds(ctx.clips))
        ctx.calls = ProviderCalls.for_job(self.spec, self.settings)

    def _prepare_sound(
        self, ctx: RenderContext, stages: StageRunner, clock: StageClock
    ) -> PreparedAudio:
        """Music, effects and the mix over the timing ``ctx`` holds, run by ``stages``."""
        clips, calls = ctx.clips, ctx.calls
        with clock.stage("sound"):  # one progress stage, two stage records
            music = stages.cached(MUSIC, ctx)
            effects = stages.cached(SFX, ctx)
        sound = sound_plan(ctx.need_timeline(), music, effects, calls)
        timeline = sound.timeline
        ctx.timeline, ctx.sound, ctx.music_file, ctx.music = timeline, sound, *music
        mixing = AudioStage(lambda: self._mix(timeline, clips, sound))
        audio, loudness = stages.cached(mixing, ctx, clock="audio")
        ctx.mix, ctx.loudness = audio, loudness
        with clock.stage("audio"):  # the videos' sound, encoded once
            encoded = self._encode_sound(audio)
        return PreparedAudio(
            clips,
            ctx.tts,
            timeline,
            sound,
            audio,
            loudness,
            dict(clock.seconds),
            tuple(stages.records),
            dict(stages.keys),
            encoded=encoded,
        )

    def _sound_beside(self, pool: ThreadPoolExecutor) -> Future[PreparedAudio]:
        """Music, effects and the mix on another thread, beside the picture (which needs
        none of them): with their own context, stage runner and a silent clock, so nothing
        the picture reads changes under it and no progress is reported from two threads.
        ``_adopt`` takes their results in."""
        ctx = replace(self.ctx, keys=dict(self.ctx.keys), sink=SilentProgress())
        clock = StageClock(SilentProgress())
        stages = StageRunner(clock, self.stages.cache, keys=ctx.keys)
        return pool.submit(self._prepare_sound_niced, ctx, stages, clock)

    def _prepare_sound_niced(
        self, ctx: RenderContext, stages: StageRunner, clock: StageClock
    ) -> PreparedAudio:
        """``_prepare_sound`` on a thread that yields the CPU to the picture: the sound
        needs a few seconds of the picture's twenty, and took them from its start (the
        stills drawn before the graph ran 0.2-0.3 s longer beside it). Linux gives each
        thread its own nice value, and the ffmpeg runs it starts inherit it."""
        with contextlib.suppress(OSError):  # lowering one's own priority needs no right
            me = threading.get_native_id()
            os.setpriority(
                os.PRIO_PROCESS, me, min(19, os.getpriority(os.PRIO_PROCESS, me) + SOUND_NICE)
            )
        return self._prepare_sound(ctx, stages, clock)

    def _adopt(self, shared: PreparedAudio) -> Timeline:
        """Sound made elsewhere (beside the picture, or by the family's first render): its
        stages' records, times and keys join this render's, its outputs this context; the
        timeline with its effects, in this render's frame size."""
        self.prepared = shared
        self.clock.seconds.update(shared.stage_seconds)
        self.stages.records.extend(shared.records)
        self.stages.keys.update(shared.keys)
        ctx = self.ctx
        ctx.clips, ctx.tts = shared.clips, shared.tts
        ctx.timeline = timeline = shared.timeline_for(self.preset)
        ctx.sound, ctx.mix, ctx.loudness = shared.sound, shared.mix, shared.loudness
        return timeline

    def _run(self) -> RenderResult:
        # Alone, a render makes its sound beside its picture; the renders of a family share
        # a sound made before them (``prepare_audio``), and only draw.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="render-sound") as pool:
            running: Future[PreparedAudio] | None = None
            try:
                timeline = self._timing()
                clips = self.ctx.clips
                cues = self._captions(timeline, clips)
                with self.stages.plain("design"):
                    self.design = self._design(timeline)
                    if self.design_section is None:  # a section set beforehand (tests) is kept
                        self.design_section = self.design.section()
                    self.ctx.spec = self.spec  # pictures chosen by meaning: what compose draws
                drawing = VisualsStage(self._sized_for_design(self.design))
                art = self.ctx.art = self.stages.cached(drawing, self.ctx, clock="visuals")
                if self.prepared is None:  # the visuals' providers have answered: no calls meet
                    running = self._sound_beside(pool)
                # ffmpeg's render is the run's largest process: not beside our peaks, nor
                # beside the voice model (130 MB resident, reloaded in about a second by the
                # next render)
                forget_providers()
                give_back_memory()
                frames = timeline.total_frames
                with self.clock.stage("compose", frames):
                    painting = PictureStage(lambda: self._picture(timeline, cues, art))
                    drawn = self.stages.cached(painting, self.ctx)
                    picture, self.measured_video = drawn.video, drawn.measured
                    if running is not None:
                        timeline = self._adopt(running.result())
                        running = None
                    sound = self.prepared
                    assert sound is not None
                    joining = ComposeStage(lambda: self._compose(picture, sound))
                    self.peak_correction_db = self.stages.cached(joining, self.ctx)
            finally:
                if running is not None:  # the picture failed: the sound's end is awaited
                    running.cancel()
                    wait([running])
        checking = QAStage(lambda: self._qa_and_thumbnail(timeline, clips), self.design_section)
        report = self.stages.cached(checking, self.ctx, clock="qa")
        if (report.vision or {}).get("status") == "checked":
            sound.shared.setdefault("vision", report.vision)  # the first aspect's
        return self._deliver(timeline, cues, report)

    def _timing(self) -> Timeline:
        """The narration and timeline this render draws to: made now, or the family's."""
        if self.prepared is None:
            self._prepare_timing()
            return self.ctx.need_timeline()
        return self._adopt(self.prepared)  # its time is part of this render's too

    def _deliver(self, timeline: Timeline, cues: list[Cue], report: QAReport) -> RenderResult:
        """Credits and the manifest; the result."""
        shared = self.prepared
        assert shared is not None
        clips, tts_name, sound = shared.clips, shared.tts, shared.sound
        with self.stages.plain("deliver"):
            pictures = picture_credits(self.spec)
            write_credits(self.out_dir, sound.credits, self.spec.title, pictures)
            manifest = build_manifest(
                spec=self.spec,
                preset=self.preset,
                timeline=timeline,
                clips=clips,
                tts=tts_name,
                cues=cues,
                qa=report,
                stage_seconds=self.clock.seconds,
                loudness=shared.loudness,
                sound=sound,
                out_dir=self.out_dir,
            )
            manifest["cost"] = self._costs(timeline)
            manifest["design"] = self.design_section
            manifest["audio"]["encode_peak_correction_db"] = self.peak_correction_db
        manifest["stages"] = [record.to_dict() for record in in_stage_order(self.stages.records)]
        write_json(self.out_dir / "manifest.json", manifest)  # after deliver: its time too
        return RenderResult(self.out_dir, timeline, report, dict(self.clock.seconds), manifest)

    def _design(self, timeline: Timeline) -> DesignPlan:
        """Lay out every scene for this frame (layouts, type, shapes, motion, boxes)."""
        opts = self.spec.captions
        burned = opts.enabled and opts.burn_in
        look = (opts.style or self.preset.caption_style) if burned else None
        times = [
            SceneTimes(
                float(seconds_at(slot.design_start, timeline.fps)),
                float(seconds_at(slot.design_end, timeline.fps)),
            )
            for slot in timeline.scenes
        ]
        self.spec = with_pictures_by_meaning(self.spec)
        return plan_design(self.spec, timeline.width, timeline.height, times, caption_look=look)

    def _sized_for_design(self, design: DesignPlan) -> VideoSpec:
        """The spec with each illustration sized as its layout shows it, so pictures are
        drawn once at their display size."""
        short = min(design.width, design.height)
        scenes = []
        for scene, laid in zip(self.spec.scenes, design.scenes, strict=True):
            pictures = laid.pictures
            if scene.illustration is None or not pictures:
                scenes.append(scene)
                continue
            size = min(0.8, max(0.06, pictures[0].box.w / short))
            art = scene.illustration.model_copy(update={"size": size})
            scenes.append(scene.model_copy(update={"illustration": art}))
        return self.spec.model_copy(update={"scenes": scenes})

    def _layers(
        self, art: list[PlacedIllustration], timeline: Timeline
    ) -> tuple[list[PictureLayer], list[PlacedIllustration]]:
        """Pictures the layouts placed become moving layers; a layout that shows no picture
        (an end card without one) leaves it out rather than let it land on its text."""
        if self.design is None:
            return [], art
        layers = []
        for item in art:
            pictures = self.design.scenes[item.scene].pictures
            if not pictures:
                continue
            box = pictures[0].box
            layers.append(
                PictureLayer(
                    scene=item.scene,
                    png=item.png,
                    x=box.x,
                    y=box.y,
                    size=box.w,
                    start=item.start,
                    frames=item.frames,
                    motion=pictures[0].motion,
                )
            )
        return layers, []

    def _captions(self, timeline: Timeline, clips: list[SpeechClip | None]) -> list[Cue]:
        opts = self.spec.captions
        look = opts.style or self.preset.caption_style
        # the burned-in look decides how many characters fit on a line of this frame
        fits = recommended_line_chars(
            look, timeline.width, timeline.height, uppercase=opts.uppercase
        )
        cues = build_cues(
            caption_words(timeline, clips),
            max_chars_per_line=min(opts.max_chars_per_line, fits),
            max_cps=opts.max_cps,
            boundaries=[float(timeline.duration)],
        )
        (self.out_dir / "captions.srt").write_text(to_srt(cues), encoding="utf-8")
        (self.out_dir / "captions.vtt").write_text(to_webvtt(cues), encoding="utf-8")
        return cues

    def _mix(
        self, timeline: Timeline, clips: list[SpeechClip | None], sound: SoundPlan
    ) -> tuple[Path, LoudnessOutcome]:
        placements = [
            NarrationPlacement(clip.path, slot.narration_start)
            for slot, clip in zip(timeline.scenes, clips, strict=True)
            if clip is not None
        ]
        narration = assemble_narration(placements, timeline, self.work / "narration.wav")
        gain = 0.0
        if sound.music_file is not None:
            music_level = measure_loudness(sound.music_file).integrated_lufs
            gain = max(-30.0, min(30.0, MUSIC_REFERENCE_LUFS - music_level))
        mix = MixInputs(narration, timeline, self.spec.music, sound.music_file, gain)
        return mix_programme_audio(mix, self.preset, self.work)

    def _picture(self, timeline: Timeline, cues: list[Cue], art: list[PlacedIllustration]) -> Drawn:
        """Draw and encode the video stream (no sound) into the work folder's picture file;
        QA's tap measures it on the way."""
        design = self.design
        front = None
        backdrop = None
        stills: tuple[Decor | None, ...] = ()
        bands: tuple[tuple[SlidingStill | ShapeStill, ...], ...] = ()
        drawn_raw: dict[Path, RawPicture] = {}  # the bands and rests, drawn as raw frames
        if design is not None:
            front = ([design.style], list(design.front))
            backdrop = self._write_backdrop(design, timeline)
            book = StillBook(self.work)
            decor = self._bake_stills(design, timeline, book)
            bands = self._bake_overlays(design, timeline, book)
            # many pictures per ffmpeg process, the processes side by side (one a CPU)
            run_ffmpeg_all([build_stills_command(batch) for batch in batches(book.jobs)])
            stills = self._merge_decor(decor, timeline)
            bands, drawn_raw = tight_strips(bands, book.raw)
            bands = tuple(with_ink(scene, drawn_raw) for scene in bands)
        layers, art = self._layers(art, timeline)
        layers += self._logo_layers(timeline)
        backgrounds = self._background_stills(timeline)
        clips = self._clip_layers(timeline)
        scene_fronts: tuple[Path | None, ...] = ()
        if design is not None and self.slow_front:
            resting = self._rest_front(design, timeline, backgrounds, bands, layers, art, clips)
            front = ([design.style], resting.front)
            scene_fronts = self._write_scene_fronts(design, timeline, resting)
        overlay = write_overlay(
            self.spec,
            self.preset,
            timeline,
            cues if self.spec.captions.burn_in else [],
            self.work / "overlay.ass",
            front,
        )
        converting = plan_raw_pictures(
            [
                *(d.source for d in stills if d is not None),
                *(o.png for scene in bands for o in scene if o.png not in drawn_raw),
                *(b for b in backgrounds if b is not None),
            ]
        )
        if converting:
            parts = split_raw(converting, os.cpu_count() or 1)
            run_ffmpeg_all([build_raw_command(part) for part in parts])
        raw = {**drawn_raw, **converting}
        video = self.work / PICTURE_FILE
        tap = self._video_tap(timeline)
        plan = RenderPlan(
            spec=self.spec,
            preset=self.preset,
            timeline=timeline,
            audio=None,
            overlay_ass=overlay,
            output=video,
            threads=self.settings.ffmpeg_threads,
            illustrations=tuple(art),
            backdrop_ass=backdrop,
            layers=tuple(layers),
            scene_stills=stills,
            scene_overlays=bands,
            background_stills=backgrounds,
            corner_logo_until=self._logo_reveal_at(timeline),
            clip_layers=tuple(clips),
            scene_fronts=scene_fronts,
            raw_pictures=raw,
            video_tap=tap,
        )
        log = run_ffmpeg_with_progress(
            build_render_command(plan),
            on_frame=lambda n: self.sink.stage_advanced("compose", n),
            timeout=self.settings.render_timeout_s,
            keep=tap.keeps,
        )
        return Drawn(video, tap.analysis(log))

    def _rest_front(
        self,
        design: DesignPlan,
        timeline: Timeline,
        backgrounds: tuple[Path | None, ...],
        overlays: tuple[tuple[SlidingStill | ShapeStill, ...], ...],
        layers: list[PictureLayer],
        art: list[PlacedIllustration],
        clips: list[ClipLayer],
    ) -> RestingFront:
        """The front's still parts moved onto their scenes' slow backgrounds, where nothing
        drawn frame by frame above those backgrounds meets them (``aiprod.media.front_rest``)."""
        fps, w, h = timeline.fps, timeline.width, timeline.height
        far = 1 << 30
        everywhere = Obstacle((-far, -far, far, far))
        canvas = Canvas(w, h, fps)
        slow: dict[int, int] = {}
        obstacles: dict[int, list[Obstacle]] = {n: [] for n in range(len(timeline.scenes))}
        for slot, scene, made in zip(
            timeline.scenes,
            self.spec.scenes,
            backgrounds or (None,) * len(timeline.scenes),
            strict=True,
        ):
            n = slot.index
            if background_chain(scene.background, made, self.spec.brand, slot.frames, canvas).slow:
                slow[n] = slow_factor(fps)
            items = overlays[n] if n < len(overlays) else ()
            resting = rests_at_slow_rate(items, fps, slow[n]) if n in slow else {}
            for m, item in enumerate(items):
                if isinstance(item, SlidingStill):  # slides across the frame's width
                    top, bottom = item.ink_rows or (-far, far)
                    obstacles[n].append(Obstacle((-far, top, far, bottom)))
                else:  # its entrance, and its rest unless the slow background holds it
                    until = resting[m] * slow[n] if m in resting else None
                    obstacles[n].append(Obstacle(item.reach(), item.first_frame(fps), until))
            if self.spec.captions.burn_in:
                obstacles[n] += [
                    Obstacle((b.x, b.y, b.right, b.bottom))
                    for b in design.scenes[n].boxes
                    if b.role == "caption"
                ]
        for event in design.backdrop:  # shapes moving all scene long, over the background
            for slot in timeline.scenes:
                if seconds_at(slot.start, fps) <= event.start < seconds_at(slot.end, fps):
                    obstacles[slot.index].append(everywhere)
        for layer in layers:  # its float and its entrance's overshoot, and some
            grow = math.ceil(layer.size * 0.15)
            x0, y0 = layer.x - grow, layer.y - grow
            side = layer.size + 2 * grow
            obstacles[layer.scene].append(Obstacle((x0, y0, x0 + side, y0 + side)))
        for picture in art:
            obstacles[picture.scene].append(everywhere)
        for clip in clips:
            rect = (clip.x - 2, clip.y - 2, clip.x + clip.w + 2, clip.y + clip.h + 2)
            obstacles[clip.scene].append(Obstacle(rect))
        if self.spec.brand.logo is not None:  # the corner logo, up to six times as wide
            short = min(w, h)
            side = max(8, int(short * LOGO_HEIGHT) // 2 * 2) + 4
            inset = int(short * LOGO_MARGIN)
            left = self.spec.brand.logo_position.endswith("left")
            top = self.spec.brand.logo_position.startswith("top")
            x0 = inset - 2 if left else w - inset - 6 * side
            y0 = inset - 2 if top else h - inset - side
            for found in obstacles.values():
                found.append(Obstacle((x0, y0, x0 + 6 * side + 2, y0 + side + 2)))
        margin = max(8, round(min(w, h) * 0.015))
        places = [(n, (b.x, b.y, b.right, b.bottom)) for n, b in design.front_places]
        return rest_front(design.front, places, timeline, slow, obstacles, margin)

    def _write_scene_fronts(
        self, design: DesignPlan, timeline: Timeline, resting: RestingFront
    ) -> tuple[Path | None, ...]:
        """Each scene's still front as its own document, in the scene's own time."""
        out: list[Path | None] = []
        for slot in timeline.scenes:
            events = resting.scenes.get(slot.index)
            if not events:
                out.append(None)
                continue
            document = AssDocument(
                play_res_x=timeline.width,
                play_res_y=timeline.height,
                styles=[design.style],
                events=events,
                title="AIPROD front at rest",
            )
            path = self.work / f"front{slot.index}.ass"
            path.write_text(document.render(), encoding="utf-8")
            out.append(path)
        return tuple(out)

    def _compose(self, picture: Path, sound: PreparedAudio) -> float:
        """Write ``video.mp4``: the picture and its encoded sound, both copied; the gain
        its audio needed to stay under the peak limit."""
        encoded = sound.encoded
        if encoded is None or encoded.settings != audio_settings(self.preset):
            encoded = self._encode_sound(sound.mix)  # a family member with other settings
        run_ffmpeg(build_mux_command(picture, encoded.path, self.out_dir / "video.mp4"))
        self.measured_audio = encoded.analysis
        return encoded.gain_db

    def _encode_sound(self, mix: Path) -> EncodedSound:
        """The mix as AAC, under the true-peak limit: AAC can push true peaks over the
        ceiling on sharp effects at low bitrates; if it did, it is encoded again a little
        quieter. The audio pass that finds out is QA's own (loudness, silence, the
        loudness series), kept for QA when the sound stays as it is."""
        limit = self.preset.true_peak_dbtp - PEAK_GUARD_DB
        out = self.work / f"sound-{self.preset.audio_bitrate_k}k-{self.preset.sample_rate}.m4a"
        run_ffmpeg(build_audio_encode_command(mix, 0.0, self.preset, out))
        measured = analyse_audio(out, settings=DEFAULT_SETTINGS)
        if not measured.loudness.true_peak_dbtp > limit:
            return EncodedSound(out, 0.0, measured, audio_settings(self.preset))
        gain = -round(measured.loudness.true_peak_dbtp - limit + PEAK_GUARD_DB, 2)
        run_ffmpeg(build_audio_encode_command(mix, gain, self.preset, out))
        return EncodedSound(out, gain, None, audio_settings(self.preset))

    def _video_tap(self, timeline: Timeline) -> VideoTap:
        """QA's black and frozen detectors and the frames it looks at, taken in the render's
        own graph from the frames the encoder receives: the file needs no decode for QA."""
        expect = self._expectations(timeline, self.ctx.clips)
        return VideoTap(
            expect.detect,
            timeline.total_frames,
            float(timeline.duration),
            grab=tuple(self._frames_to_grab(timeline, expect)),
            frames_file=self.work / QA_FRAMES_FILE,
            size=(timeline.width, timeline.height),
        )

    @staticmethod
    def _frames_to_grab(timeline: Timeline, expect: QAExpectations) -> list[int]:
        """The frames QA looks at: one per scene at rest, and the thumbnail's."""
        return [p.frame for p in sample_points(expect)] + [thumbnail_frame(timeline)]

    def _logo_layers(self, timeline: Timeline) -> list[PictureLayer]:
        """The end card's logo: a layer fitted to its box (aspect kept) that pops in with a
        spring and a fade (see ``aiprod.media.layers``)."""
        logo = self.spec.brand.logo
        if self.design is None or logo is None:
            return []
        out = []
        for laid, slot in zip(self.design.scenes, timeline.scenes, strict=True):
            element = laid.logo
            if element is None:
                continue
            box = element.box
            side = max(box.w, box.h)  # the layer fits the logo in a square, keeping its shape
            start = slot.design_start + frames_for(element.delay_s, timeline.fps)
            out.append(
                PictureLayer(
                    scene=laid.index,
                    png=Path(logo),
                    x=round(box.x + box.w / 2 - side / 2),
                    y=round(box.y + box.h / 2 - side / 2),
                    size=side,
                    start=start,
                    frames=max(1, slot.design_end - start),
                    motion=element.motion,
                )
            )
        return out

    def _logo_reveal_at(self, timeline: Timeline) -> float | None:
        """When the first end card with the logo starts: the corner logo leaves then."""
        if self.design is None:
            return None
        for laid, slot in zip(self.design.scenes, timeline.scenes, strict=True):
            if laid.logo is not None:
                return float(seconds_at(slot.start, timeline.fps))
        return None

    def _background_stills(self, timeline: Timeline) -> tuple[Path | None, ...]:
        """The design's split-colour and blurred-asset backgrounds, made once as pictures
        (see ``aiprod.media.scene_backgrounds``); None where the spec's background stays."""
        if self.design is None:
            return ()
        out: list[Path | None] = []
        w, h = timeline.width, timeline.height
        tint = self.spec.brand.colors.primary[:7]
        for laid, scene in zip(self.design.scenes, self.spec.scenes, strict=True):
            path = asset_path(scene) if laid.background == "asset_blur" else None
            clip = hero_clip(scene, laid.layout) if laid.background == "asset_blur" else None
            if laid.split is not None:
                out.append(split_png(laid.split, w, h, self.work / f"split{laid.index}.png"))
            elif clip is not None:  # its first frame, blurred once: see media/clip_layers.py
                bg = scene.background
                start = bg.start if isinstance(bg, VideoBackground) else 0.0
                frame = clip_frame(Path(clip), start, self.work / f"clipframe{laid.index}.png")
                out.append(blurred_png(frame, w, h, tint, self.settings.cache_dir))
            elif path is not None:
                out.append(blurred_png(Path(path), w, h, tint, self.settings.cache_dir))
            else:
                out.append(None)
        return tuple(out)

    def _clip_layers(self, timeline: Timeline) -> list[ClipLayer]:
        """The user's clips shown sharp in their product scenes' hero boxes."""
        if self.design is None:
            return []
        out = []
        for laid, scene, slot in zip(
            self.design.scenes, self.spec.scenes, timeline.scenes, strict=True
        ):
            clip = hero_clip(scene, laid.layout)
            bg = scene.background
            if clip is None or not laid.pictures or not isinstance(bg, VideoBackground):
                continue
            box = laid.pictures[0].box
            out.append(
                ClipLayer(
                    scene=laid.index,
                    path=Path(clip),
                    x=box.x,
                    y=box.y,
                    w=box.w,
                    h=box.h,
                    start=slot.design_start,
                    frames=max(1, slot.design_end - slot.design_start),
                    loop=bg.loop,
                    offset_s=bg.start,
                )
            )
        return out

    def _bake_stills(
        self, design: DesignPlan, timeline: Timeline, book: StillBook
    ) -> list[list[Path]]:
        """Each scene's static decor (see ``aiprod.media.stills``): the pictures to draw go
        into ``book``; per scene, their files (merged by ``_merge_decor`` once drawn)."""
        out: list[list[Path]] = []
        for n, shapes in enumerate(design.stills):
            paths = []
            for m, shape in enumerate(shapes):
                colour, alpha = shape_colour(shape)
                frame = (timeline.width, timeline.height)
                event = mask_event(shape)
                name = f"still{n}_{m}"  # merged in Python next: drawn as raw RGBA
                paths.append(self._bake(name, design, event, frame, colour, alpha, book, rgba=True))
            out.append(paths)
        return out

    def _merge_decor(
        self, pictures: list[list[Path]], timeline: Timeline
    ) -> tuple[Decor | None, ...]:
        """Each scene's decor pictures merged into one, cropped to what they cover; scenes
        with the same pictures share the merged one."""
        merged: dict[tuple[Path, ...], Decor | None] = {}
        for n, paths in enumerate(pictures):
            if tuple(paths) not in merged:
                out = self.work / f"decor{n}{RGBA_SUFFIX}"
                merged[tuple(paths)] = merge_decor(paths, timeline.width, timeline.height, out)
        return tuple(merged[tuple(paths)] for paths in pictures)

    def _bake_overlays(
        self, design: DesignPlan, timeline: Timeline, book: StillBook
    ) -> tuple[tuple[SlidingStill | ShapeStill, ...], ...]:
        """Draw each scene's brand band and its backdrop shapes once, as pictures the graph
        lays over the scene (see ``aiprod.design.draw.MarqueeBand`` and ``RestShape``), in
        the backdrop's order: decor shapes, the band, then the shapes behind the text."""
        out: list[tuple[SlidingStill | ShapeStill, ...]] = []
        scenes = zip(design.bands, design.rests, timeline.scenes, strict=True)
        for n, (bands, rests, slot) in enumerate(scenes):
            offset = float(seconds_at(slot.start, timeline.fps))
            items: list[tuple[int, SlidingStill | ShapeStill]] = []
            for m, band in enumerate(bands):
                size = (band.strip_w, band.strip_h)
                png = self._bake(
                    f"band{n}_{m}",
                    design,
                    band.mask,
                    size,
                    band.colour,
                    band.opacity,
                    book,
                    raw=True,
                )
                start, end = band.start_s - offset, band.end_s - offset
                items.append((1, SlidingStill(png, band.x0, band.x1, band.y, start, end)))
            for m, rest in enumerate(rests):
                size = (rest.canvas_w, rest.canvas_h)
                png = self._bake(
                    f"rest{n}_{m}",
                    design,
                    rest.mask,
                    size,
                    rest.colour,
                    rest.opacity,
                    book,
                    raw=True,
                )
                shape = ShapeStill(
                    png,
                    rest.x,
                    rest.y,
                    rest.canvas_w,
                    rest.canvas_h,
                    start=max(0.0, rest.start_s - offset),
                    entrance=rest.entrance,
                    seconds=rest.enter_s,
                    slide_dx=rest.slide_dx,
                )
                items.append((2 * rest.layer, shape))
            out.append(tuple(item for _, item in sorted(items, key=lambda pair: pair[0])))
        return tuple(out)

    def _bake(
        self,
        name: str,
        design: DesignPlan,
        event: AssEvent,
        size: tuple[int, int],
        colour: str,
        opacity: float,
        book: StillBook,
        *,
        raw: bool = False,
        rgba: bool = False,
    ) -> Path:
        """The picture of one mask event in ``book`` (drawn once however often it is used);
        ``raw``, ``rgba``: drawn as a raw frame (see ``StillBook.add``)."""
        document = AssDocument(
            play_res_x=size[0],
            play_res_y=size[1],
            styles=[design.style],
            events=[event],
            title="AIPROD still",
        )
        return book.add(name, document.render(), size, colour, opacity, raw=raw, rgba=rgba)

    def _write_backdrop(self, design: DesignPlan, timeline: Timeline) -> Path | None:
        if not design.backdrop:
            return None
        document = AssDocument(
            play_res_x=timeline.width,
            play_res_y=timeline.height,
            styles=[design.style],
            events=list(design.backdrop),
            title="AIPROD backdrop",
        )
        path = self.work / "backdrop.ass"
        path.write_text(document.render(), encoding="utf-8")
        return path

    def _expectations(self, timeline: Timeline, clips: list[SpeechClip | None]) -> QAExpectations:
        """What QA holds this render to."""
        words = caption_words(timeline, clips)
        return QAExpectations(
            width=timeline.width,
            height=timeline.height,
            fps=timeline.fps,
            total_frames=timeline.total_frames,
            loudness_target_lufs=self.preset.loudness_lufs,
            true_peak_max_dbtp=self.preset.true_peak_dbtp,
            intentional=intentional_ranges(timeline, self.spec),
            narration_words=[w.text for w in words],
            caption_cues=[],
            word_timings=[(w.text, w.start, w.end) for w in words],
            max_cps=self.spec.captions.max_cps,
            max_chars_per_line=self.spec.captions.max_chars_per_line,
            silent_programme=not words and self.spec.music is None and not timeline.sfx,
            design=self.design_section,
            scene_rest_s=scene_rest_seconds(timeline),
        )

    def _qa_and_thumbnail(self, timeline: Timeline, clips: list[SpeechClip | None]) -> QAReport:
        """QA of the written file, the thumbnail and the contact sheet. The passes the
        render took already (its tap, its true-peak check) are used, not taken again; a
        file that came from the cache is measured here."""
        video = self.out_dir / "video.mp4"
        expect = self._expectations(timeline, clips)
        thumb_at = thumbnail_frame(timeline)
        grab = self._frames_to_grab(timeline, expect)
        tapped, self.measured_video = self.measured_video, None
        heard, self.measured_audio = self.measured_audio, None
        measured = measure_all(
            video, settings=expect.detect, grab_frames=grab, video=tapped, audio=heard
        )
        thumbnail = self.out_dir / "thumbnail.jpg"
        picture = measured.frames.get(thumb_at)
        if picture is not None:
            write_jpeg(picture, thumbnail)
        else:  # a file too short for the frame: ffmpeg picks its last one
            extract_thumbnail(video, float(seconds_at(thumb_at, timeline.fps)), thumbnail)
        report = run_qa(video, self.out_dir / "captions.srt", expect, measurements=measured)
        self._contact_sheet(timeline, expect, measured)
        if self.spec.brief is not None:  # planned from a brief: did every key point make it?
            said = [s.narration for s in self.spec.scenes]
            shown = [t for s in self.spec.scenes for t in (s.title, s.text) if t]
            semantic = key_points_check(self.spec.brief.key_points, [*said, *shown])
            report = report.with_checks(semantic)
        frames = [(p.scene, measured.frames.get(p.frame)) for p in sample_points(expect)]
        earlier = self.prepared.shared.get("vision") if self.prepared else None
        if earlier is not None:  # another aspect of this plan was reviewed: not paid twice
            vision: dict[str, Any] | None = reused_review(earlier)
        else:
            sound = self.prepared.sound.providers if self.prepared else None
            vision = review_frames(self.spec, frames, self.settings, sound)
            if vision is not None:
                vision["frames"] = f"{timeline.width}x{timeline.height}"
        report = replace(report, vision=vision)
        report.write(self.out_dir / "qa.json")
        return report

    def _layout_names(self) -> dict[int, str]:
        """Scene number -> layout: the layout engine's choice, else the spec's, else ''."""
        names: dict[int, str] = {i: s.layout or "" for i, s in enumerate(self.spec.scenes)}
        section = read_section(self.design_section)  # None when absent or unreadable
        for scene in section.scenes if section else ():
            names[scene.index] = scene.layout or names.get(scene.index, "")
        return names

    def _contact_sheet(
        self, timeline: Timeline, expect: QAExpectations, measured: Measurements
    ) -> None:
        """One frame per scene (those QA grabbed, at rest), tiled and labelled."""
        layouts = self._layout_names()
        tiles = [
            Tile(p.scene, layouts.get(p.scene, ""), measured.frames.get(p.frame))
            for p in sample_points(expect)
        ]
        if tiles:
            write_contact_sheet(tiles, timeline.width, timeline.height, self.out_dir / SHEET_NAME)
