"""A job's error is shown to its API caller: no path of the server's data dir in it."""

from __future__ import annotations

from pathlib import Path

from aiprod.config import Settings
from aiprod.jobs.error_text import without_server_paths


def test_paths_under_the_data_dir_are_cut_to_what_the_caller_knows(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    uploads = settings.data_dir.resolve() / "uploads" / ("ab12" * 8)
    message = (
        f"{uploads}/0123.png: file not found; also {settings.data_dir}/jobs/j1/video.mp4 "
        f"and {settings.data_dir.resolve()}/work/x/graph.txt"
    )
    cleaned = without_server_paths(message, settings)
    assert cleaned == "0123.png: file not found; also jobs/j1/video.mp4 and work/x/graph.txt"
    assert str(tmp_path) not in cleaned


def test_other_text_is_left_alone(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    assert without_server_paths("/etc/fonts: no font", settings) == "/etc/fonts: no font"
