"""The render command as data: no ffmpeg runs here."""

import re
from pathlib import Path

from aiprod.media.audio import LoudnormMeasurement, loudnorm_second_pass
from aiprod.media.compose import InputList, RenderPlan, build_filtergraph, build_render_command
from aiprod.media.timeline import build_timeline
from aiprod.spec.model import VideoSpec
from aiprod.spec.presets import resolve_preset

TRICKY = 'Don\'t: [stop], 100% %{pts}; a\\b "q" 🚀 咖啡 مرحبا'
MEASURED = LoudnormMeasurement(-20.0, -3.0, 4.0, -30.0, 0.5)


def plan_for(
    spec_data: dict[str, object], tmp_path: Path, narration: list[float | None]
) -> RenderPlan:
    spec = VideoSpec.model_validate(spec_data)
    preset = resolve_preset(spec.preset)
    timeline = build_timeline(spec, preset, narration)
    return RenderPlan(
        spec=spec,
        preset=preset,
        timeline=timeline,
        audio=tmp_path / "mix.wav",
        overlay_ass=tmp_path / "work dir" / "overlay.ass",
        output=tmp_path / "video.mp4",
    )


def four_scenes(tmp_path: Path) -> dict[str, object]:
    return {
        "preset": "brand_campaign",
        "title": TRICKY,
        "brand": {"logo": str(tmp_path / "logo.png")},
        "scenes": [
            {"title": TRICKY, "narration": "one", "background": {"type": "gradient"}},
            {
                "narration": "two",
                "background": {"type": "image", "path": str(tmp_path / "a.jpg")},
                "transition": {"type": "circleopen", "duration": 1.0},
            },
            {
                "narration": "three",
                "background": {"type": "video", "path": str(tmp_path / "c.mp4")},
                "transition": None,
            },
            {"text": TRICKY, "duration": 3, "background": {"type": "color", "color": "#112233"}},
        ],
    }


def test_graph_is_closed_and_ends_in_vout_and_aout(tmp_path: Path) -> None:
    plan = plan_for(four_scenes(tmp_path), tmp_path, [2.0, 2.0, 2.0, None])
    inputs = InputList()
    graph = build_filtergraph(plan, inputs)
    consumed, produced = graph.labels()
    external = {label for label in consumed if re.fullmatch(r"\d+:[va]", label)}
    assert consumed - external <= produced
    assert produced - consumed == {"vout", "aout"}
    assert {int(label.split(":")[0]) for label in external} == set(range(inputs.count))


def test_each_scene_yields_its_exact_frame_count(tmp_path: Path) -> None:
    plan = plan_for(four_scenes(tmp_path), tmp_path, [2.0, 2.0, 2.0, None])
    rendered = build_filtergraph(plan, InputList()).render()
    for slot in plan.timeline.scenes:
        chain = next(c for c in rendered.split(";") if c.endswith(f"[s{slot.index}]"))
        assert f"trim=end_frame={slot.frames}," in chain


def test_only_scene_edges_are_cross_faded(tmp_path: Path) -> None:
    plan = plan_for(four_scenes(tmp_path), tmp_path, [2.0, 2.0, 2.0, None])
    rendered = build_filtergraph(plan, InputList()).render()
    xfades = re.findall(r"xfade=transition=(\w+):duration=([\d.]+):offset=(\d+)", rendered)
    assert xfades == [("fade", "0.5", "0"), ("circleopen", "1", "0")]
    # each joint is restamped frame by frame: 5.1's xfade stamps its last frame late
    assert len(re.findall(r"offset=0,settb=expr=1/30,setpts=N\[x\d\]", rendered)) == 2
    # pieces: 4 bodies + 2 joints (scene 2 -> 3 is a cut)
    # and the joined picture too: concat's microsecond stamps, rounded, made layers late
    assert "concat=n=6:v=1:a=0,settb=expr=1/30,setpts=N[joined]" in rendered
    tl = plan.timeline
    s0, s1 = tl.scenes[0], tl.scenes[1]
    assert f"[s0t_]trim=start_frame={s0.frames - 15}:end_frame={s0.frames}" in rendered
    assert f"[s1h_]trim=start_frame=0:end_frame={s1.transition_in}" in rendered


def test_user_text_never_reaches_the_filtergraph(tmp_path: Path) -> None:
    args = build_render_command(plan_for(four_scenes(tmp_path), tmp_path, [2.0, 2.0, 2.0, None]))
    graph = args[args.index("-filter_complex") + 1]
    for fragment in ("Don't", "%{pts}", "🚀", "咖啡", "[stop]"):
        assert fragment not in graph
    # the overlay path has a space: escaped for both parsers
    assert "ass=filename=" in graph and "work\\\\\\ dir" in graph


def test_command_has_exact_frames_faststart_and_progress(tmp_path: Path) -> None:
    plan = plan_for(four_scenes(tmp_path), tmp_path, [2.0, 2.0, 2.0, None])
    args = build_render_command(plan)
    assert args[args.index("-frames:v") + 1] == str(plan.timeline.total_frames)
    assert args[args.index("-filter_complex_threads") + 1] == "1"  # measured: see RenderPlan
    assert args[args.index("-movflags") + 1] == "+faststart"
    assert args[args.index("-c:v") + 1] == "libx264"
    assert args[args.index("-progress") + 1] == "pipe:1"
    assert args[-1] == str(tmp_path / "video.mp4")
    # looped clip input, single-decoded still
    i = args.index(str(tmp_path / "c.mp4"))
    assert args[i - 3 : i - 1] == ["-stream_loop", "-1"]


def test_one_scene_needs_no_concat(tmp_path: Path) -> None:
    plan = plan_for({"scenes": [{"narration": "solo"}]}, tmp_path, [1.0])
    rendered = build_filtergraph(plan, InputList()).render()
    assert "concat=" not in rendered and "xfade=" not in rendered
    assert "[s0]ass=" in rendered


def test_second_loudness_pass_uses_the_measurement() -> None:
    preset = resolve_preset("premium_spot")

    def second(measured: LoudnormMeasurement, seconds: float = 30.0) -> str:
        return ",".join(flt.render() for flt in loudnorm_second_pass(measured, preset, seconds))

    # -20 LUFS with peaks at -3 dBTP: 3 dB down fits under the ceiling, a plain gain
    assert second(MEASURED).startswith("volume=-3.00dB,aresample=48000")
    # a loud social mix needs peak control: loudnorm with the first pass's figures
    social = resolve_preset("quick_social")
    loud = LoudnormMeasurement(-20.0, -1.0, 4.0, -30.0, 0.5)
    rendered = ",".join(flt.render() for flt in loudnorm_second_pass(loud, social, 30.0))
    assert "I=-14:" in rendered and "measured_I=-20:" in rendered and "linear=true" in rendered
    assert rendered.endswith("atrim=end_sample=1440000")
    short = ",".join(flt.render() for flt in loudnorm_second_pass(loud, social, 2.0))
    assert "apad=pad_dur=3," in short and "atrim=end_sample=96000" in short
    silent = LoudnormMeasurement(-70.0, -70.0, 0.0, -70.0, 0.0)
    assert "loudnorm" not in second(silent) and "volume" not in second(silent)
