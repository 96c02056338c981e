import json
from dataclasses import asdict
from pathlib import Path

import pytest

from aiprod.pipeline.cost import (
    DEFAULT_SECONDS_PER_UNIT,
    ThroughputStore,
    actual,
    estimate,
    workload_for,
)
from aiprod.spec.model import VideoSpec
from aiprod.spec.presets import resolve_preset

SPEC = VideoSpec.model_validate(
    {
        "music": {"mood": "upbeat"},
        "scenes": [
            {
                "narration": "one two three four five six seven eight nine ten",
                "sfx": [{"kind": "whoosh"}],
                "illustration": {"emoji": "☕"},
            },
            {"narration": "eleven twelve", "duration": 6},
        ],
    }
)


def test_workload_counts_what_the_render_will_do() -> None:
    work = workload_for(SPEC, resolve_preset("quick_social"), planned=True)
    assert work.words == 12 and work.effects == 1 and work.illustrations == 1
    assert work.seconds == pytest.approx(10 / 2.6 + 0.7 + 6)
    assert work.music_seconds == work.seconds and work.tts_provider == "piper"
    assert set(work.units()) == {
        "plan",
        "narration",
        "music",
        "sfx",
        "visuals",
        "audio",
        "compose",
        "qa",
    }


def test_estimate_prices_compute_time_per_stage() -> None:
    work = workload_for(
        SPEC, resolve_preset("brand_campaign"), planned=False, programme_seconds=30.0
    )
    found = estimate(work, DEFAULT_SECONDS_PER_UNIT, rate_per_hour=3.6, currency="EUR")
    compose = next(s for s in found.stages if s.stage == "compose")
    assert compose.units == pytest.approx(30 * 30 * 1920 * 1080 / 1e6, rel=1e-3)
    assert compose.seconds == pytest.approx(compose.units * 0.0075, rel=1e-2)
    assert compose.cost == pytest.approx(compose.seconds / 1000, rel=1e-2)  # 3.6/h = 0.001/s
    assert "plan" not in {s.stage for s in found.stages}
    assert found.total == pytest.approx(sum(s.cost for s in found.stages))
    assert found.eta_seconds == pytest.approx(sum(s.seconds for s in found.stages), abs=0.1)
    assert found.to_dict()["currency"] == "EUR"
    assert found.to_dict()["stages"] == [asdict(stage) for stage in found.stages]  # every field


def test_slower_encoder_presets_cost_more() -> None:
    fast = workload_for(SPEC, resolve_preset("brand_campaign"), planned=False)
    slow = workload_for(SPEC, resolve_preset("premium_spot"), planned=False)
    a = estimate(fast, DEFAULT_SECONDS_PER_UNIT, rate_per_hour=1, currency="USD")
    b = estimate(slow, DEFAULT_SECONDS_PER_UNIT, rate_per_hour=1, currency="USD")
    assert b.eta_seconds > a.eta_seconds


def test_throughput_store_learns_from_measurements(tmp_path: Path) -> None:
    store = ThroughputStore(tmp_path / "throughput.json")
    assert store.load() == DEFAULT_SECONDS_PER_UNIT
    work = workload_for(
        SPEC, resolve_preset("brand_campaign"), planned=False, programme_seconds=10.0
    )
    compose_units = work.units()["compose"][0]
    store.record(work, {"compose": compose_units * 0.02})  # slower machine than default
    learned = store.load()["compose"]
    assert DEFAULT_SECONDS_PER_UNIT["compose"] < learned < 0.02
    spent = actual(work, {"compose": compose_units * 0.02}, rate_per_hour=1, currency="USD")
    assert next(s for s in spent.stages if s.stage == "compose").seconds == pytest.approx(
        compose_units * 0.02, rel=1e-2
    )


def test_a_corrupt_store_falls_back_to_defaults(tmp_path: Path) -> None:
    path = tmp_path / "throughput.json"
    path.write_text("{not json", encoding="utf-8")
    assert ThroughputStore(path).load() == DEFAULT_SECONDS_PER_UNIT


def test_small_renders_learn_for_their_own_size_only(tmp_path: Path) -> None:
    store = ThroughputStore(tmp_path / "throughput.json")
    full = workload_for(SPEC, resolve_preset("quick_social"), planned=False)
    tiny_preset = resolve_preset("quick_social").model_copy(update={"width": 128, "height": 228})
    tiny = workload_for(SPEC, tiny_preset, planned=False, programme_seconds=10.0)
    default_eta = estimate(full, store.load(), rate_per_hour=1, currency="USD").eta_seconds
    for _ in range(2):
        store.record(tiny, {"compose": 9.5, "qa": 1.2})  # 1.08 s per frame-megapixel
    learned = store.load()
    assert learned["compose"] == DEFAULT_SECONDS_PER_UNIT["compose"]  # the size-free rate
    assert DEFAULT_SECONDS_PER_UNIT["compose"] < learned["compose@128x228"] < 0.1
    assert estimate(full, learned, rate_per_hour=1, currency="USD").eta_seconds == default_eta


def test_one_outlier_moves_a_rate_by_a_bounded_step(tmp_path: Path) -> None:
    store = ThroughputStore(tmp_path / "throughput.json")
    work = workload_for(SPEC, resolve_preset("brand_campaign"), planned=False)
    store.record(work, {"compose": work.units()["compose"][0] * 100.0})  # a stalled machine
    assert store.load()["compose"] < 2 * DEFAULT_SECONDS_PER_UNIT["compose"]


@pytest.mark.parametrize("written", [1.09, 1e9, "fast", None, True])
def test_a_rate_from_the_file_stays_within_bounds(tmp_path: Path, written: object) -> None:
    path = tmp_path / "throughput.json"
    path.write_text(json.dumps({"compose": written, "compose@1x1": 5.0}), encoding="utf-8")
    compose = ThroughputStore(path).load()["compose"]
    assert compose <= 10 * DEFAULT_SECONDS_PER_UNIT["compose"]
