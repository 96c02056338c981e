"""SRT / WebVTT writers and the SRT reader."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiprod.captions.cues import Cue
from aiprod.captions.sidecar import format_timestamp, parse_srt, to_srt, to_webvtt
from aiprod.captions.styles import write_caption_files

CUES = [
    Cue(1.0, 2.5, ("Hello there,", "my friend."), ()),
    Cue(3661.042, 3662.0, ("Tom & Jerry <3 -->",), ()),
]


def test_srt_has_numbered_blocks_and_comma_timestamps() -> None:
    assert to_srt(CUES) == (
        "1\n"
        "00:00:01,000 --> 00:00:02,500\n"
        "Hello there,\nmy friend.\n"
        "\n"
        "2\n"
        "01:01:01,042 --> 01:01:02,000\n"
        "Tom & Jerry <3 -->\n"
    )


def test_webvtt_has_header_dot_timestamps_and_escapes_markup() -> None:
    assert to_webvtt(CUES) == (
        "WEBVTT\n"
        "\n"
        "00:00:01.000 --> 00:00:02.500\n"
        "Hello there,\nmy friend.\n"
        "\n"
        "01:01:01.042 --> 01:01:02.000\n"
        "Tom &amp; Jerry &lt;3 --&gt;\n"
    )


def test_empty_input() -> None:
    assert to_srt([]) == ""
    assert to_webvtt([]) == "WEBVTT\n"
    assert parse_srt("") == []


def test_cues_without_text_are_skipped_and_numbering_stays_consecutive() -> None:
    cues = [Cue(0, 1, ("a",), ()), Cue(1, 2, ("", "  "), ()), Cue(2, 3, ("b",), ())]
    srt = to_srt(cues)
    assert "1\n00:00:00,000" in srt and "2\n00:00:02,000" in srt and "3\n" not in srt


def test_blank_and_embedded_newlines_cannot_break_a_block() -> None:
    cue = Cue(0, 1, ("one", "", "two\n\nthree"), ())
    assert parse_srt(to_srt([cue])) == [(0.0, 1.0, "one\ntwo\nthree")]
    assert "\n\n" not in to_webvtt([cue]).split("WEBVTT\n\n", 1)[1]


@pytest.mark.parametrize(
    ("seconds", "srt"),
    [
        (0.0, "00:00:00,000"),
        (0.0005, "00:00:00,001"),  # half up
        (1.0005, "00:00:01,001"),  # on the decimal value, not the float's binary noise
        (59.9996, "00:01:00,000"),
        (3599.9999, "01:00:00,000"),
        (360000.0, "100:00:00,000"),
    ],
)
def test_timestamp_rounding_and_carry(seconds: float, srt: str) -> None:
    assert format_timestamp(seconds, ",") == srt
    assert format_timestamp(seconds, ".") == srt.replace(",", ".")


def test_negative_time_is_rejected() -> None:
    with pytest.raises(ValueError):
        to_srt([Cue(-1.0, 1.0, ("a",), ())])


def test_parse_srt_tolerates_bom_crlf_missing_numbers_and_dots() -> None:
    text = (
        "\ufeff1\r\n00:00:01,5 --> 00:00:02,000\r\nfirst\r\nline two\r\n\r\n\r\n"
        "00:00:03.250 --> 00:00:04.000 X1:10 X2:20\r\nsecond\r\n\r\n"
        "7\r\n1:02:03,004 --> 1:02:04,000\r\n\r\n"
    )
    assert parse_srt(text) == [
        (1.5, 2.0, "first\nline two"),
        (3.25, 4.0, "second"),
        (3723.004, 3724.0, ""),
    ]


def test_parse_srt_names_a_bad_block() -> None:
    with pytest.raises(ValueError, match="block 2"):
        parse_srt("1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\nno timing here\n")


LINE = st.text(
    alphabet=st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"), exclude_characters="\x85"),
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip() == s and s != "")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 10**8), st.integers(0, 10**5), st.lists(LINE, min_size=1, max_size=3)
        ),
        max_size=8,
    )
)
def test_srt_round_trips(raw: list[tuple[int, int, list[str]]]) -> None:
    cues = [Cue(ms / 1000, (ms + length) / 1000, tuple(lines), ()) for ms, length, lines in raw]
    parsed = parse_srt(to_srt(cues))
    assert parsed == [(cue.start, cue.end, "\n".join(cue.lines)) for cue in cues]


def test_write_caption_files(tmp_path: Path) -> None:
    cues = [Cue(0.0, 1.0, ("naïve 中文 مرحبا 😀",), ())]
    paths = write_caption_files(cues, tmp_path / "new" / "dir")
    assert set(paths) == {"srt", "vtt"}
    assert paths["srt"].name == "captions.srt" and paths["vtt"].name == "captions.vtt"
    assert parse_srt(paths["srt"].read_text(encoding="utf-8"))[0][2] == "naïve 中文 مرحبا 😀"
    assert paths["vtt"].read_bytes().startswith(b"WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n")
    assert b"\r" not in paths["srt"].read_bytes()
