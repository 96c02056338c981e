"""The one context object a render's stages read and fill, in stage order."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiprod.config import Settings
from aiprod.media.audio import LoudnessOutcome
from aiprod.media.illustrations import PlacedIllustration
from aiprod.media.timeline import Timeline
from aiprod.pipeline.sound import SoundPlan
from aiprod.providers.credits import ProviderCalls
from aiprod.providers.tts.base import SpeechClip
from aiprod.spec.model import VideoSpec
from aiprod.spec.presets import Preset

if TYPE_CHECKING:
    from aiprod.pipeline.progress import ProgressSink


@dataclass
class RenderContext:
    """Inputs of a render (spec, preset, settings, folders) and each stage's output.

    ``keys`` holds the cache key of every cached stage that ran: a later stage's key is
    built on its inputs' keys, so it changes exactly when one of its inputs changed.
    """

    spec: VideoSpec
    preset: Preset
    settings: Settings
    work: Path  # intermediate files, removed after the render
    out_dir: Path  # the render's staging folder for outputs
    sink: ProgressSink
    keys: dict[str, str] = field(default_factory=dict)
    clips: list[SpeechClip | None] = field(default_factory=list)
    tts: str | None = None
    timeline: Timeline | None = None
    music_file: Path | None = None
    music: dict[str, Any] | None = None
    sound: SoundPlan | None = None
    mix: Path | None = None
    loudness: LoudnessOutcome | None = None
    art: list[PlacedIllustration] = field(default_factory=list)
    calls: ProviderCalls = field(default_factory=ProviderCalls)  # media providers' ledger

    def need_timeline(self) -> Timeline:
        """The timeline (set by the timeline stage); a stage run before it is a bug."""
        if self.timeline is None:
            raise RuntimeError("the timeline stage has not run yet")
        return self.timeline

    def timeline_shape(self, *, sound: bool = True) -> dict[str, Any]:
        """The timeline for a cache key: frames and cues, without where the effects' files
        happen to be (the sfx stage's key stands for their content); without the effects
        at all for what does not hear them (``sound=False``: the picture)."""
        timeline = self.need_timeline()
        cues = tuple(replace(c, path=None) for c in timeline.sfx) if sound else ()
        return replace(timeline, sfx=cues).to_dict()
