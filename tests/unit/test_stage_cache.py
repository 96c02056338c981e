"""The stage cache: whole entries or none, misses on damage, bounded by size; the runner's
records and hooks."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from aiprod.pipeline.progress import SilentProgress, StageClock
from aiprod.pipeline.stages.base import StageRecord, StageRunner, stage_hook
from aiprod.pipeline.stages.cache import CacheEntry, StageCache, content_key


def source(tmp_path: Path, name: str, size: int) -> Path:
    path = tmp_path / name
    path.write_bytes(os.urandom(size))
    return path


def test_a_stored_entry_is_found_with_its_files_and_record(tmp_path: Path) -> None:
    cache = StageCache(tmp_path / "cache")
    clip = source(tmp_path, "clip.wav", 100)
    cache.store("narration", "k1", {"provider": "piper"}, {"clip0.wav": clip})
    entry = cache.lookup("narration", "k1")
    assert entry is not None and entry.record["provider"] == "piper"
    assert entry.path("clip0.wav").read_bytes() == clip.read_bytes()
    assert cache.lookup("narration", "k2") is None
    leftovers = [p.name for p in (tmp_path / "cache" / "stages" / "narration").iterdir()]
    assert leftovers == ["k1"]  # the temporary folder was renamed into place


def test_an_entry_missing_a_file_or_with_a_torn_record_is_a_miss(tmp_path: Path) -> None:
    cache = StageCache(tmp_path / "cache")
    entry = cache.store("music", "k", {}, {"music.wav": source(tmp_path, "m.wav", 10)})
    entry.path("music.wav").unlink()
    assert cache.lookup("music", "k") is None
    entry = cache.store("sfx", "k", {}, {})
    entry.path("record.json").write_text('{"files": [', encoding="utf-8")
    assert cache.lookup("sfx", "k") is None


def test_a_failed_store_leaves_nothing_behind(tmp_path: Path) -> None:
    cache = StageCache(tmp_path / "cache")
    with pytest.raises(FileNotFoundError):
        cache.store("compose", "k", {}, {"video.mp4": tmp_path / "missing.mp4"})
    assert list((tmp_path / "cache" / "stages" / "compose").iterdir()) == []


def test_the_least_recently_used_entries_go_beyond_the_bound(tmp_path: Path) -> None:
    cache = StageCache(tmp_path / "cache", max_bytes=3500)  # three entries fit
    for n in range(3):
        cache.store("compose", f"k{n}", {}, {"video.mp4": source(tmp_path, f"{n}.mp4", 1000)})
        past = 1_000_000 + n
        os.utime(tmp_path / "cache" / "stages" / "compose" / f"k{n}" / "record.json", (past, past))
    assert cache.lookup("compose", "k0") is not None  # used now: the newest
    cache.store("compose", "k3", {}, {"video.mp4": source(tmp_path, "3.mp4", 1000)})
    kept = {n for n in ("k0", "k1", "k2", "k3") if cache.lookup("compose", n) is not None}
    assert kept == {"k0", "k2", "k3"}  # k1 was the least recently used


def test_the_key_changes_with_any_input_and_not_with_their_order() -> None:
    key = content_key("audio", 1, {"a": 1, "b": [1, 2]})
    assert key == content_key("audio", 1, {"b": [1, 2], "a": 1})
    assert key != content_key("audio", 2, {"a": 1, "b": [1, 2]})
    assert key != content_key("audio", 1, {"a": 1, "b": [2, 1]})
    assert key != content_key("music", 1, {"a": 1, "b": [1, 2]})


class Doubling:
    """A cached stage for the runner: doubles ``ctx["n"]`` and counts its runs."""

    name = "double"
    version = 1

    def __init__(self) -> None:
        self.runs = 0

    def provider(self, ctx: dict[str, int], out: int) -> str | None:
        return "maths"

    def inputs(self, ctx: dict[str, int]) -> dict[str, Any]:
        return {"n": ctx["n"]}

    def compute(self, ctx: dict[str, int]) -> int:
        self.runs += 1
        return 2 * ctx["n"]

    def save(self, out: int, ctx: dict[str, int]) -> tuple[dict[str, Any], dict[str, Path]]:
        return {"value": out}, {}

    def load(self, entry: CacheEntry, ctx: dict[str, int]) -> int:
        return int(entry.record["value"])


def test_the_runner_computes_once_records_each_run_and_calls_hooks(tmp_path: Path) -> None:
    stage, seen = Doubling(), []
    runner = StageRunner(StageClock(SilentProgress()), StageCache(tmp_path))
    with stage_hook(seen.append):
        assert runner.cached(stage, {"n": 2}, clock="double") == 4
        assert runner.cached(stage, {"n": 2}) == 4
        assert runner.cached(stage, {"n": 3}) == 6
        with runner.plain("deliver"):
            pass
    runner.cached(stage, {"n": 4})  # after the block: no hook
    assert stage.runs == 3
    assert [r.cache for r in runner.records] == ["miss", "hit", "miss", "off", "miss"]
    assert [r.cache for r in seen] == ["miss", "hit", "miss", "off"]
    assert all(isinstance(r, StageRecord) for r in seen)
    assert runner.records[1].key == runner.records[0].key != runner.records[2].key
    assert set(runner.computed_seconds()) == {"double", "deliver"}
    assert runner.records[0].to_dict()["provider"] == "maths"


def test_a_second_writer_of_the_same_key_keeps_the_first_entry(tmp_path: Path) -> None:
    cache = StageCache(tmp_path / "cache")
    first = cache.store("qa", "k", {"n": 1}, {"qa.json": source(tmp_path, "a.json", 5)})
    second = cache.store("qa", "k", {"n": 2}, {"qa.json": source(tmp_path, "b.json", 5)})
    assert second.record["n"] == 1 and second.folder == first.folder
    assert [p.name for p in first.folder.parent.iterdir()] == ["k"]


def test_an_entry_the_stage_cannot_read_is_computed_again(tmp_path: Path) -> None:
    stage = Doubling()
    runner = StageRunner(StageClock(SilentProgress()), StageCache(tmp_path))
    runner.cached(stage, {"n": 5})
    record = next((tmp_path / "stages" / "double").glob("*/record.json"))
    record.write_text('{"files": [], "other": 1}', encoding="utf-8")  # no "value": KeyError
    assert runner.cached(stage, {"n": 5}) == 10
    assert stage.runs == 2 and runner.records[-1].cache == "miss"


def test_a_bound_of_zero_keeps_nothing(tmp_path: Path) -> None:
    stage = Doubling()
    runner = StageRunner(StageClock(SilentProgress()), StageCache(tmp_path, max_bytes=0))
    assert runner.cached(stage, {"n": 1}) == runner.cached(stage, {"n": 1}) == 2
    assert stage.runs == 2 and [r.cache for r in runner.records] == ["miss", "miss"]


def test_the_plan_key_follows_every_option_and_never_holds_a_key(tmp_path: Path) -> None:
    import json

    from pydantic import SecretStr

    from aiprod.config import Settings
    from aiprod.pipeline.plan import PlanRequest
    from aiprod.pipeline.stages.plan import PLAN, PlanContext

    secret = "sk-plan-canary-7"
    settings = Settings(data_dir=tmp_path, llm_api_key=SecretStr(secret))

    def key(**options: Any) -> str:
        ctx = PlanContext(PlanRequest(brief="Ad for Bean There", **options), settings, tmp_path)
        inputs = PLAN.inputs(ctx)
        assert secret not in json.dumps(inputs, default=str)
        return content_key(PLAN.name, PLAN.version, inputs)

    keys = {key(), key(language="fr"), key(voice="espeak:en-gb"), key(music_mood="calm")}
    assert len(keys) == 4 and key() == key()
