"""Artifacts of a render in several formats: names with their folder (``9x16/video.mp4``),
still a fixed table (no ``..``, no absolute path), listed, signed and delivered with their
folders; and a job's progress over several formats never going backwards."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from aiprod.config import Settings
from aiprod.jobs.runner import CallbackProgress
from aiprod.pipeline.progress import STAGES
from aiprod.storage import (
    KNOWN_ARTIFACTS,
    LocalArtifactStore,
    UnknownArtifact,
    UrlSigner,
    deliver_outputs,
    download_name,
    require_known,
)
from aiprod.storage.artifacts import Artifact

KEY = b"k" * 32


@pytest.mark.parametrize(
    "name", ["9x16/video.mp4", "1x1/qa.json", "16x9/captions.vtt", "formats.json", "video.mp4"]
)
def test_names_in_format_folders_are_known(name: str) -> None:
    assert require_known("job1", name).media_type
    assert Artifact(name, "x", 1, None).compressible == KNOWN_ARTIFACTS[name].compressible  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "name",
    [
        "../video.mp4",
        "9x16/../qa.json",
        "/etc/passwd",
        "/9x16/video.mp4",
        "9x16//video.mp4",
        "9x16/./video.mp4",
        "9X16/video.mp4",
        "4x3/video.mp4",
        "9x16/plan.json",
        "9x16/formats.json",
        "9x16",
        "9x16/",
        "9x16/1x1/video.mp4",
        "9x16\\video.mp4",
    ],
)
def test_other_paths_are_unknown(name: str) -> None:
    with pytest.raises(UnknownArtifact):
        require_known("job1", name)


def test_the_table_holds_no_dot_segment_nor_absolute_path() -> None:
    for name in KNOWN_ARTIFACTS:
        parts = name.split("/")
        assert not name.startswith("/") and len(parts) <= 2
        assert all(part not in ("", ".", "..") for part in parts)


def _family(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "formats.json").write_text("{}", encoding="utf-8")
    for sub in ("16x9", "9x16"):
        (folder / sub).mkdir()
        (folder / sub / "video.mp4").write_bytes(sub.encode())
        (folder / sub / "qa.json").write_text("{}", encoding="utf-8")
        (folder / sub / "notes.txt").write_text("not an artifact", encoding="utf-8")
    return folder


def test_the_local_store_lists_and_signs_folder_names(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path / "jobs", UrlSigner(KEY))
    _family(tmp_path / "jobs" / "job1")
    names = [a.name for a in store.list_artifacts("job1")]
    assert names == [
        "formats.json",
        "9x16/video.mp4",
        "9x16/qa.json",
        "16x9/video.mp4",
        "16x9/qa.json",
    ]
    expires = int(time.time()) + 60
    url = store.signed_url("job1", "9x16/video.mp4", expires=expires)
    assert url.startswith("/v1/files/job1/9x16/video.mp4?expires=")
    path, _ = store.path_of("job1", "16x9/video.mp4")
    assert path.read_bytes() == b"16x9"


def test_a_symlinked_format_folder_pointing_out_is_refused(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path / "jobs", UrlSigner(KEY))
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "video.mp4").write_bytes(b"not yours")
    (tmp_path / "jobs" / "job1").mkdir(parents=True)
    (tmp_path / "jobs" / "job1" / "1x1").symlink_to(outside)
    with pytest.raises(UnknownArtifact):
        store.path_of("job1", "1x1/video.mp4")


def test_delivery_to_another_folder_keeps_the_format_folders(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", storage_url=f"file://{tmp_path}/shared")
    folder = _family(settings.data_dir / "jobs" / "job1")
    delivered = deliver_outputs(settings, job_id="job1", out_dir=folder)
    assert delivered == [
        "formats.json",
        "9x16/video.mp4",
        "9x16/qa.json",
        "16x9/video.mp4",
        "16x9/qa.json",
    ]
    target = tmp_path / "shared" / "jobs" / "job1"
    assert (target / "9x16" / "video.mp4").read_bytes() == b"9x16"
    assert not (target / "9x16" / "notes.txt").exists()
    assert not list(target.rglob("*.partial"))


def test_download_names_have_no_slash() -> None:
    assert download_name("9x16/video.mp4") == "9x16-video.mp4"
    assert download_name("video.mp4") == "video.mp4"


def _run_stages(sink: CallbackProgress, formats: int) -> None:
    first = STAGES.index("visuals")
    for stage in STAGES[:first]:
        sink.stage_started(stage, None)
        sink.stage_finished(stage, 0.1)
    for _ in range(formats):
        for stage in STAGES[first:]:
            sink.stage_started(stage, 10)
            for done in (2, 5, 10):
                sink.stage_advanced(stage, done)
            sink.stage_finished(stage, 0.1)


@pytest.mark.parametrize("formats", [1, 2, 3])
def test_job_progress_over_several_formats_never_goes_back(formats: int) -> None:
    seen: list[float] = []
    _run_stages(CallbackProgress(lambda _stage, f: seen.append(f), formats=formats), formats)
    assert seen == sorted(seen)
    assert seen[-1] == pytest.approx(1.0)
    first = STAGES.index("visuals")  # shared stages: started, finished; per format: 5 events
    assert len(seen) == first * 2 + (len(STAGES) - first) * 5 * formats
