"""The timeline: integer frames at a rational rate, built by pure functions.

Scene ``i`` occupies frames ``[start, start + frames)``; consecutive scenes overlap by the
length of the transition between them (an xfade), so

    start[i + 1] = start[i] + frames[i] - transition_frames[i]

Narration of a scene starts after its incoming transition plus padding and ends before the
outgoing one, so two scenes' voices never overlap. Seconds appear only at the edges.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import Any

from aiprod.errors import InvalidSpec, SpecProblem
from aiprod.spec.model import SfxCue, VideoSpec
from aiprod.spec.presets import Preset

FADE_IN_S = Fraction(3, 10)
FADE_OUT_S = Fraction(1, 2)


def frames_for(seconds: float | Fraction, fps: Fraction) -> int:
    """Whole frames needed to show ``seconds`` (rounded up, so nothing is cut)."""
    return max(
        0, math.ceil(Fraction(seconds).limit_denominator(1_000_000) * fps - Fraction(1, 10**6))
    )


def seconds_at(frame: int, fps: Fraction) -> Fraction:
    return Fraction(frame) / fps


@dataclass(frozen=True)
class SceneSlot:
    index: int
    start: int
    frames: int
    transition_in: int
    transition_out: int
    transition_type: str | None  # into the next scene
    narration_start: int  # absolute frame; == start when the scene has no narration
    narration_frames: int

    @property
    def end(self) -> int:
        return self.start + self.frames

    @property
    def clear_start(self) -> int:
        """First frame shown without the previous scene mixed in."""
        return self.start + self.transition_in

    @property
    def clear_end(self) -> int:
        """Frame after the last one shown without the next scene mixed in."""
        return self.end - self.transition_out

    @property
    def design_start(self) -> int:
        """First frame of the scene's designed elements (text, pictures): halfway through
        its transition in, when the previous scene's have just left. Waiting for the
        transition's end left about a second at every cut with no words on screen."""
        return self.start + self.transition_in // 2

    @property
    def design_end(self) -> int:
        """Frame after the scene's designed elements leave: halfway through its
        transition out."""
        return self.end - self.transition_out // 2


@dataclass(frozen=True)
class SfxPlacement:
    """A sound effect on the timeline. ``path`` is None until the sound designer has
    turned ``kind`` into a file; ``frames`` bounds how long it plays (None: its own length).
    """

    start: int
    volume_db: float
    scene: int
    path: str | None = None
    kind: str | None = None
    category: str | None = None
    seed: int = 0
    frames: int | None = None


@dataclass(frozen=True)
class Timeline:
    fps: Fraction
    width: int
    height: int
    total_frames: int
    scenes: tuple[SceneSlot, ...]
    sfx: tuple[SfxPlacement, ...] = field(default=())
    fade_in_frames: int = 0
    fade_out_frames: int = 0

    @property
    def duration(self) -> Fraction:
        return seconds_at(self.total_frames, self.fps)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["fps"] = str(self.fps)
        data["duration_s"] = float(self.duration)
        return data


def _scene_frames(
    spec_duration: float | None,
    narration_s: float | None,
    padding_frames: int,
    t_in: int,
    t_out: int,
    fps: Fraction,
) -> tuple[int, int, int]:
    """(scene frames, narration offset, narration frames) for one scene."""
    speech = frames_for(narration_s, fps) if narration_s else 0
    offset = t_in + padding_frames if speech else 0
    needed = offset + speech + (padding_frames + t_out if speech else 0)
    frames = frames_for(spec_duration, fps) if spec_duration is not None else needed
    return max(frames, needed, t_in + t_out + 1), offset, speech


def place_sfx(cue: SfxCue, slot: SceneSlot, fps: Fraction, total: int) -> SfxPlacement:
    """A cue at its frame; an ambience bed lasts its duration or to the end of its scene."""
    start = min(slot.start + frames_for(cue.at, fps), total - 1)
    frames = frames_for(cue.duration, fps) if cue.duration else None
    if cue.kind == "ambience" and frames is None:
        frames = max(1, slot.end - start)
    if frames is not None:
        frames = min(frames, total - start)
    return SfxPlacement(
        start=start,
        volume_db=cue.volume_db,
        scene=slot.index,
        path=cue.path,
        kind=cue.kind,
        category=cue.category,
        seed=cue.seed,
        frames=frames,
    )


def transition_frames(spec: VideoSpec, fps: Fraction) -> list[int]:
    """Frames of the transition out of each scene (none after the last)."""
    last = len(spec.scenes) - 1
    return [
        frames_for(s.transition.duration, fps) if s.transition and i < last else 0
        for i, s in enumerate(spec.scenes)
    ]


def place_scenes(
    spec: VideoSpec, fps: Fraction, narration_seconds: Sequence[float | None]
) -> tuple[list[SceneSlot], list[SpecProblem]]:
    """Scene slots in order, and a problem for each explicit duration that is too short."""
    t_frames = transition_frames(spec, fps)
    slots: list[SceneSlot] = []
    problems: list[SpecProblem] = []
    start = 0
    for i, scene in enumerate(spec.scenes):
        t_in = t_frames[i - 1] if i else 0
        frames, offset, speech = _scene_frames(
            scene.duration,
            narration_seconds[i],
            frames_for(scene.padding, fps),
            t_in,
            t_frames[i],
            fps,
        )
        if scene.duration is not None and frames > frames_for(scene.duration, fps):
            need = float(seconds_at(frames, fps))
            problems.append(
                SpecProblem(
                    f"scenes.{i}.duration",
                    f"{scene.duration:g} s is too short: "
                    f"narration and transitions need {need:.2f} s",
                )
            )
        kind = scene.transition.type if scene.transition and t_frames[i] else None
        slots.append(
            SceneSlot(
                index=i,
                start=start,
                frames=frames,
                transition_in=t_in,
                transition_out=t_frames[i],
                transition_type=kind,
                narration_start=start + offset,
                narration_frames=speech,
            )
        )
        start += frames - t_frames[i]
    return slots, problems


def build_timeline(
    spec: VideoSpec, preset: Preset, narration_seconds: Sequence[float | None]
) -> Timeline:
    """Place every scene, narration and SFX cue on frames. Pure: no I/O."""
    if len(narration_seconds) != len(spec.scenes):
        raise ValueError("one narration duration (or None) per scene is required")
    fps = preset.frame_rate
    slots, problems = place_scenes(spec, fps, narration_seconds)
    if problems:
        raise InvalidSpec(problems)
    total = slots[-1].end
    sfx = tuple(
        place_sfx(cue, slot, fps, total)
        for slot, scene in zip(slots, spec.scenes, strict=True)
        for cue in scene.sfx
    )
    return Timeline(
        fps=fps,
        width=preset.width,
        height=preset.height,
        total_frames=total,
        scenes=tuple(slots),
        sfx=sfx,
        fade_in_frames=min(frames_for(FADE_IN_S, fps), total // 4),
        fade_out_frames=min(frames_for(FADE_OUT_S, fps), total // 4),
    )
