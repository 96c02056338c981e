"""QA's detectors run inside the render's own graph (``VideoTap``) find what a decode of
the written file finds; the frames QA looks at, grabbed by seeking, are the decode's; and
the file is whole: every frame in its place, sound to the last frame."""

import subprocess
from pathlib import Path

import numpy as np
import pytest

from aiprod.media.compose import InputList, RenderPlan, build_filtergraph, build_render_command
from aiprod.media.ffmpeg.graph import f
from aiprod.media.ffmpeg.probe import probe
from aiprod.media.ffmpeg.run import run_ffmpeg, run_ffmpeg_with_progress
from aiprod.media.measure import (
    DEFAULT_SETTINGS,
    Interval,
    VideoTap,
    analyse_video,
    measure_all,
)
from aiprod.media.timeline import Timeline, build_timeline
from aiprod.spec.model import VideoSpec
from aiprod.spec.presets import Preset

TOLERANCE_S = 0.1  # three frames at 30 fps: the encoder blurs an edge by a frame or two


def close(found: list[Interval], expected: list[Interval]) -> bool:
    return len(found) == len(expected) and all(
        abs(a.start - b.start) <= TOLERANCE_S and abs(a.end - b.end) <= TOLERANCE_S
        for a, b in zip(found, expected, strict=True)
    )


def render_with(
    tap: VideoTap,
    spec: VideoSpec,
    preset: Preset,
    timeline: Timeline,
    video: Path,
    audio: Path | None,
) -> tuple[RenderPlan, str]:
    """The render's own command with ``tap`` in its graph; the plan and the kept log."""
    plan = RenderPlan(
        spec=spec,
        preset=preset,
        timeline=timeline,
        audio=audio,
        overlay_ass=None,
        output=video,
        video_tap=tap,
    )
    log = run_ffmpeg_with_progress(
        build_render_command(plan), on_frame=lambda _: None, timeout=300, keep=tap.keeps
    )
    return plan, log


def test_the_tap_finds_what_a_decode_of_the_file_finds(tmp_path: Path, tiny_preset: Preset) -> None:
    still = tmp_path / "still.png"
    run_ffmpeg(["-y", "-f", "lavfi", "-i", "testsrc2=s=400x600", "-frames:v", "1", str(still)])
    spec = VideoSpec.model_validate(
        {
            "scenes": [  # black, then a still with no move (frozen), then a moving gradient
                {"duration": 2, "background": {"type": "color", "color": "#000000"}},
                {
                    "duration": 3,
                    "background": {"type": "image", "path": str(still), "ken_burns": "none"},
                },
                {"duration": 2, "background": {"type": "gradient"}},
            ]
        }
    )
    timeline = build_timeline(spec, tiny_preset, [None, None, None])
    audio = tmp_path / "mix.wav"
    seconds = float(timeline.duration)
    run_ffmpeg(["-y", "-f", "lavfi", "-i", f"sine=f=330:d={seconds}:r=48000", str(audio)])
    size = (timeline.width, timeline.height)
    grab = (12, 75, timeline.total_frames - 1, timeline.total_frames + 40)  # the last: absent
    tap = VideoTap(DEFAULT_SETTINGS, timeline.total_frames, seconds)
    video = tmp_path / "video.mp4"
    plan, log = render_with(tap, spec, tiny_preset, timeline, video, audio)
    tapped = measure_all(video, grab_frames=grab, video=tap.analysis(log)).video
    assert tapped is not None
    # the whole decode QA made before, deblocking skipped: a level or so apart
    decoded = analyse_video(video, duration=seconds, grab_frames=grab, frame_size=size)

    assert tapped.black and tapped.black[0].start == 0.0  # known answers: the black opening
    assert any(i.start < 2.5 and i.end > 3.5 for i in tapped.frozen)  # and the held still
    assert close(tapped.black, decoded.black)
    assert close(tapped.frozen, decoded.frozen)
    assert sorted(tapped.frames) == sorted(decoded.frames) == sorted(grab[:3])
    for n, picture in tapped.frames.items():  # the last in the fade-out: no frame slipped
        difference = np.abs(picture.astype(np.int16) - decoded.frames[n].astype(np.int16))
        assert difference.mean() < 2.0

    # every frame the graph made went out once: 5.1's xfade stamped its last frame late,
    # and the encoder filled the hole with a repeated frame at every cut
    done = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostdin", *build_render_command(plan)],
        capture_output=True,
        text=True,
        check=True,
    )
    progress = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    assert (progress["dup_frames"], progress["drop_frames"]) == ("0", "0")
    assert progress["frame"] == str(timeline.total_frames)
    # a second output behind one cut by -frames:v made FFmpeg 5.1 end the audio early
    streams = {s.codec_type: s for s in probe(video).streams}
    assert streams["video"].duration is not None and streams["audio"].duration is not None
    assert abs(streams["audio"].duration - streams["video"].duration) < 0.1
    assert abs(streams["video"].duration - seconds) < 0.05


def test_the_tap_grabs_the_frames_qa_asks_for_from_the_encoders_input(
    tmp_path: Path, tiny_preset: Preset, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The frames QA looks at come out of the render's graph (a second output): each is
    its own frame, not a neighbour, and the file is not decoded for them."""
    spec = VideoSpec.model_validate(
        {
            "scenes": [
                {"duration": 1.5, "background": {"type": "gradient"}},
                {"duration": 1.5, "background": {"type": "gradient", "preset": "sunset"}},
            ]
        }
    )
    timeline = build_timeline(spec, tiny_preset, [None, None])
    size = (timeline.width, timeline.height)
    grab = (5, 33, 60, timeline.total_frames + 9)  # the last: past the end, absent
    tap = VideoTap(
        DEFAULT_SETTINGS,
        timeline.total_frames,
        float(timeline.duration),
        grab=grab,
        frames_file=tmp_path / "frames.rgb",
        size=size,
    )
    video = tmp_path / "picture.mp4"
    _, log = render_with(tap, spec, tiny_preset, timeline, video, None)

    def no_seeking(*_: object, **__: object) -> dict[int, np.ndarray]:
        raise AssertionError("the file was decoded for frames the tap took")

    monkeypatch.setattr("aiprod.media.measure.frames_by_seeking", no_seeking)
    tapped = measure_all(video, grab_frames=grab, video=tap.analysis(log)).video
    assert tapped is not None and sorted(tapped.frames) == list(grab[:3])
    decoded = analyse_video(
        video,
        duration=float(timeline.duration),
        grab_frames=[n + d for n in grab[:3] for d in (-1, 0, 1)],
        frame_size=size,
    ).frames

    def apart(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())

    for n, picture in tapped.frames.items():
        assert picture.shape == (size[1], size[0], 3)
        mine = apart(picture, decoded[n])
        assert mine < 3.0  # the encoder's loss only
        assert mine < apart(picture, decoded[n - 1]) and mine < apart(picture, decoded[n + 1])


def test_after_a_cut_frame_n_is_stamped_n_over_the_rate(
    tmp_path: Path, tiny_preset: Preset
) -> None:
    """Layers are timed by stamps (``setpts=N+k``) and shown by the frames' own time
    (``enable=between(t,..)``, n / fps): both must name the same frame after every cut.
    concat's microsecond stamps, rounded down, put a layer a frame late (a picture's exit
    fade started a frame after its rest ended: a blink)."""
    black = {"type": "color", "color": "#000000"}
    cut = {"type": "fade", "duration": 0.3}
    spec = VideoSpec.model_validate(  # 31 frames: a body of 22, not whole microseconds
        {
            "scenes": [
                {"duration": 1.0333, "background": black, "transition": cut},
                {"duration": 1.0333, "background": black, "transition": cut},
                {"duration": 1.0, "background": black},
            ]
        }
    )
    timeline = build_timeline(spec, tiny_preset, [None] * 3)
    plan = RenderPlan(
        spec=spec,
        preset=tiny_preset,
        timeline=timeline,
        audio=None,
        overlay_ass=None,
        output=tmp_path / "unused.mp4",
    )
    inputs = InputList()
    graph = build_filtergraph(plan, inputs)
    fps, last = timeline.fps, timeline.total_frames - 1
    marks = [5, 23, 26, 29, 44, 50, last - 3]  # inside the first scene, then after each cut
    joined = "vout"  # the joined picture, faded in and out
    for k in marks:  # one white frame stamped for frame k, over the joined picture
        graph.add(
            [],
            [
                f("color", c="white", s=f"{timeline.width}x{timeline.height}", r=fps, d=1),
                f("trim", end_frame=1),
                f("settb", expr=f"{fps.denominator}/{fps.numerator}"),
                f("setpts", f"N+{k}"),
            ],
            [f"mark{k}"],
        )
        graph.add([joined, f"mark{k}"], [f("overlay", eof_action="pass")], [f"marked{k}"])
        joined = f"marked{k}"
    graph.add([joined], [f("format", "gray")], ["out"])
    raw = tmp_path / "frames.gray"
    run_ffmpeg(
        [*inputs.args, "-filter_complex", graph.render(), "-map", "[out]",
         "-fps_mode", "passthrough", "-f", "rawvideo", "-y", str(raw)]
    )  # fmt: skip
    frames = np.fromfile(raw, dtype=np.uint8).reshape(-1, timeline.height, timeline.width)
    white = [n for n in range(len(frames)) if frames[n].mean() > 128]
    assert white == marks
