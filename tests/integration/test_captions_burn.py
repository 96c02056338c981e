"""Burn ASS captions into real video with ffmpeg + libass and check what was drawn."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from aiprod.captions.ass import AssDocument, AssEvent, AssStyle, escape_ass_text
from aiprod.captions.cues import CaptionWord, build_cues
from aiprod.captions.styles import caption_events
from aiprod.errors import FFmpegError
from aiprod.media.ffmpeg.graph import ass_filter_path
from aiprod.media.ffmpeg.run import run_ffmpeg

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")

WIDTH, HEIGHT = 640, 360
BACKGROUND = "0x204060"
CHANGED = 40  # per-channel difference that counts as "drawn", well above YUV rounding

TRICKY = (
    'He said "hi": {\\an7\\pos(0,0)}INJECTED back\\slash \\N 100% %{pts}'
    "\nline two 😀 中文字幕 مرحبا بالعالم"
)


def render_frame(filters: str | None, at: float = 0.5) -> np.ndarray:
    """One RGB frame of a flat colour clip, optionally through ``filters``."""
    args = ["-f", "lavfi", "-i", f"color=c={BACKGROUND}:s={WIDTH}x{HEIGHT}:r=10:d=2"]
    if filters:
        args += ["-vf", filters]
    args += ["-ss", str(at), "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]
    result = run_ffmpeg(args, timeout=120)
    return np.frombuffer(result.stdout, np.uint8).reshape(HEIGHT, WIDTH, 3)


def drawn(frame: np.ndarray, blank: np.ndarray) -> np.ndarray:
    """Mask of pixels the captions changed."""
    difference = np.abs(frame.astype(np.int16) - blank.astype(np.int16)).max(axis=2)
    return np.asarray(difference > CHANGED)


def write_ass(directory: Path, events: list[AssEvent], styles: list[AssStyle]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "captions.ass"
    path.write_text(AssDocument(WIDTH, HEIGHT, styles, events).render(), encoding="utf-8")
    return path


def caption_style() -> AssStyle:
    return AssStyle("Caption", "Noto Sans", 20, outline=1.5, alignment=2, margin_v=12)


@pytest.fixture(scope="module")
def blank() -> np.ndarray:
    return render_frame(None)


def test_tricky_text_is_drawn_literally_at_the_bottom(tmp_path: Path, blank: np.ndarray) -> None:
    # A directory name with every filtergraph special character proves ass_filter_path.
    directory = tmp_path / "we:ird,[x];'q\\ =a b"
    event = AssEvent(0.0, 2.0, "Caption", escape_ass_text(TRICKY))
    path = write_ass(directory, [event], [caption_style()])
    mask = drawn(render_frame(f"ass=filename={ass_filter_path(path)}"), blank)
    assert mask[HEIGHT // 2 :].sum() > 2000  # the text is there, in the bottom half
    assert not mask[: HEIGHT // 2].any()  # and "{\an7\pos(0,0)}" did not move it top-left
    rows = np.flatnonzero(mask.any(axis=1))
    assert rows.max() - rows.min() > 1.6 * 20  # two lines: the real newline broke the line


def test_unescaped_override_would_have_moved_the_text(tmp_path: Path, blank: np.ndarray) -> None:
    """Control for the test above: the same markup unescaped does run as tags."""
    event = AssEvent(0.0, 2.0, "Caption", "{\\an7\\pos(0,0)}INJECTED")
    path = write_ass(tmp_path, [event], [caption_style()])
    mask = drawn(render_frame(f"ass=filename={ass_filter_path(path)}"), blank)
    assert mask[: HEIGHT // 4, : WIDTH // 2].sum() > 200
    assert not mask[HEIGHT // 2 :].any()


def accent_pixels(frame: np.ndarray) -> np.ndarray:
    """Coordinates of pixels in the social accent colour (#FFD400, yellow)."""
    red, green, blue = (frame[..., i].astype(int) for i in range(3))
    return np.argwhere((red > 200) & (green > 150) & (blue < 100))


def test_social_highlight_moves_from_word_to_word(tmp_path: Path, blank: np.ndarray) -> None:
    words = [
        CaptionWord(t, 0.2 + 0.4 * i, 0.5 + 0.4 * i) for i, t in enumerate(["one", "two", "six"])
    ]
    cues = build_cues(words, max_chars_per_line=28)
    styles, events = caption_events(cues, style="social", width=WIDTH, height=HEIGHT)
    path = write_ass(tmp_path, events, styles)
    graph = f"ass=filename={ass_filter_path(path)}"
    first, last = render_frame(graph, at=0.3), render_frame(graph, at=1.1)
    first_x, last_x = accent_pixels(first)[:, 1], accent_pixels(last)[:, 1]
    assert first_x.size > 50 and last_x.size > 50
    assert first_x.max() < last_x.min()  # "one" is left of "six": the highlight moved right
    rows = np.flatnonzero(drawn(last, blank).any(axis=1))
    assert rows.min() > HEIGHT * 0.5 and rows.max() < HEIGHT * 0.85  # the lower third


def test_clean_look_draws_a_box_at_the_bottom(tmp_path: Path, blank: np.ndarray) -> None:
    words = [CaptionWord(t, 0.1 * i, 0.1 * i + 0.1) for i, t in enumerate(["Hello,", "world."])]
    styles, events = caption_events(build_cues(words), style="clean", width=WIDTH, height=HEIGHT)
    frame = render_frame(f"ass=filename={ass_filter_path(write_ass(tmp_path, events, styles))}")
    mask = drawn(frame, blank)
    rows = np.flatnonzero(mask.any(axis=1))
    assert rows.min() > HEIGHT * 0.75
    box = frame[rows.min() + 1, np.flatnonzero(mask[rows.min() + 1])]
    assert (box.astype(int).sum(axis=1) < blank[0, 0].astype(int).sum()).all()  # darker box


def test_missing_subtitle_file_is_an_ffmpeg_error(tmp_path: Path) -> None:
    with pytest.raises(FFmpegError):
        render_frame(f"ass=filename={ass_filter_path(tmp_path / 'missing.ass')}")
