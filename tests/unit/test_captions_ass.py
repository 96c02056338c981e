"""ASS model, the escaping boundary, the filter-path escaping and the two caption looks.

The escaping properties check the output against a model of libass's own text loop
(``get_next_char`` and the ``{...}`` override scan in ass_render.c), not against the
implementation's idea of itself.
"""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiprod.captions.ass import (
    WORD_JOINER,
    AssDocument,
    AssEvent,
    AssStyle,
    ass_centiseconds,
    ass_colour,
    ass_override_colour,
    ass_timestamp,
    escape_ass_text,
)
from aiprod.captions.cues import CaptionWord, Cue, build_cues
from aiprod.captions.styles import caption_events, recommended_line_chars
from aiprod.media.ffmpeg.graph import ass_filter_path

# ----------------------------------------------------------------------------- models


def libass_read(markup: str) -> tuple[str, list[str]]:
    """What libass shows for ``markup`` (WrapStyle 0), and the override blocks it executes."""
    shown: list[str] = []
    blocks: list[str] = []
    escapes = {"N": "\n", "n": " ", "h": "\u00a0", "{": "{", "}": "}"}
    i = 0
    while i < len(markup):
        char = markup[i]
        if char == "{" and "}" in markup[i:]:  # libass: '{' with any later '}' opens a block
            close = markup.index("}", i)
            blocks.append(markup[i + 1 : close])
            i = close + 1
        elif char == "\\" and markup[i + 1 : i + 2] in escapes:
            shown.append(escapes[markup[i + 1]])
            i += 2
        else:
            shown.append(char)
            i += 1
    return "".join(shown), blocks


def expected_visible(text: str) -> str:
    """The literal text a viewer should see for user ``text`` (backslashes carry a WJ)."""
    text = re.sub(r"\r\n|[\r\x0b\x0c\x85\u2028\u2029]", "\n", text).replace("\t", " ")
    controls = [("\x00", "\x1f"), ("\x7f", "\x9f"), ("\ud800", "\udfff")]  # Cc and lone surrogates
    kept = "".join(c for c in text if c == "\n" or not any(lo <= c <= hi for lo, hi in controls))
    return kept.replace("\\", "\\" + WORD_JOINER)


def av_get_token(text: str, term: str) -> tuple[str, str]:
    """Port of libavutil's av_get_token: (token, rest), one level of escaping removed."""
    whitespace = " \n\t\r"
    i, out, end = 0, [], 0
    while i < len(text) and text[i] in whitespace:
        i += 1
    while i < len(text) and text[i] not in term:
        char = text[i]
        i += 1
        if char == "\\" and i < len(text):
            out.append(text[i])
            i += 1
            end = len(out)
        elif char == "'":
            while i < len(text) and text[i] != "'":
                out.append(text[i])
                i += 1
            if i < len(text):
                i += 1
                end = len(out)
        else:
            out.append(char)
    while len(out) > end and out[-1] in whitespace:
        out.pop()
    return "".join(out), text[i:]


# ----------------------------------------------------------------------------- colours, times


@pytest.mark.parametrize(
    ("colour", "ass"),
    [
        ("#FFFFFF", "&H00FFFFFF"),
        ("#FF8000", "&H000080FF"),
        ("#ffd400", "&H0000D4FF"),
        ("#00000080", "&H7F000000"),  # half opaque -> ASS transparency 0x7F
        ("#12345600", "&HFF563412"),  # fully transparent
    ],
)
def test_colour_conversion(colour: str, ass: str) -> None:
    assert ass_colour(colour) == ass


@pytest.mark.parametrize("bad", ["FFFFFF", "#FFF", "#GGGGGG", "#FFFFFFF", "red", "#FFFFFF\n"])
def test_bad_colours_are_rejected(bad: str) -> None:
    with pytest.raises(ValueError):
        ass_colour(bad)


def test_override_colour() -> None:
    assert ass_override_colour("#FFD400") == "&H00D4FF&"


@pytest.mark.parametrize(
    ("seconds", "stamp"),
    [
        (0.0, "0:00:00.00"),
        (1.005, "0:00:01.01"),  # half up on the decimal value
        (1.004999, "0:00:01.00"),
        (0.125, "0:00:00.13"),  # not banker's rounding
        (59.996, "0:01:00.00"),
        (3599.995, "1:00:00.00"),
        (36000.0, "10:00:00.00"),
    ],
)
def test_timestamps(seconds: float, stamp: str) -> None:
    assert ass_timestamp(seconds) == stamp


@pytest.mark.parametrize("bad", [-0.01, float("nan"), float("inf")])
def test_bad_times_are_rejected(bad: float) -> None:
    with pytest.raises(ValueError):
        ass_centiseconds(bad)


# ----------------------------------------------------------------------------- document


def test_style_line() -> None:
    style = AssStyle(
        "Caption", "Noto Sans", 48.6, back_colour="#00000099", bold=True, outline=2.5,
        shadow=1, alignment=2, margin_l=96, margin_r=96, margin_v=76, border_style=4,
    )  # fmt: skip
    assert style.line() == (
        "Style: Caption,Noto Sans,48.6,&H00FFFFFF,&H00FFFFFF,&H00000000,&H66000000,"
        "-1,0,0,0,100,100,0,0,4,2.5,1,2,96,96,76,1"
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"name": "a,b"},
        {"name": "*Default"},
        {"name": ""},
        {"font": "Noto, Sans"},
        {"font": "Noto\nSans"},
        {"alignment": 0},
        {"alignment": 10},
        {"border_style": 2},
        {"size": 0},
        {"outline": -1},
        {"margin_v": -5},
        {"primary_colour": "white"},
    ],
)
def test_style_validation(kwargs: dict[str, object]) -> None:
    fields: dict[str, object] = {"name": "Caption", **kwargs}
    with pytest.raises(ValueError):
        AssStyle(**fields)  # type: ignore[arg-type]


def test_event_line_and_validation() -> None:
    event = AssEvent(1.0, 2.345, "Caption", r"Hi\Nthere, you", layer=1)
    assert event.line() == r"Dialogue: 1,0:00:01.00,0:00:02.35,Caption,,0,0,0,,Hi\Nthere, you"
    bad_fields: list[dict[str, object]] = [
        {"start": 2.0, "end": 1.0},
        {"start": -1.0},
        {"end": float("inf")},
        {"text": "two\nlines"},
        {"text": "a\rb"},
        {"text": "nul\x00"},
        {"layer": -1},
    ]
    for bad in bad_fields:
        fields: dict[str, object] = {"start": 0.0, "end": 1.0, "style": "S", "text": "x", **bad}
        with pytest.raises(ValueError):
            AssEvent(**fields)  # type: ignore[arg-type]


def test_document_render() -> None:
    doc = AssDocument(
        1920,
        1080,
        [AssStyle("Caption")],
        [AssEvent(0.0, 1.0, "Caption", "one"), AssEvent(1.0, 2.0, "Caption", "two")],
    )
    text = doc.render()
    assert text.startswith("[Script Info]\n")
    assert text.endswith("Dialogue: 0,0:00:01.00,0:00:02.00,Caption,,0,0,0,,two\n")
    for line in [
        "ScriptType: v4.00+",
        "PlayResX: 1920",
        "PlayResY: 1080",
        "WrapStyle: 0",
        "ScaledBorderAndShadow: yes",
        "YCbCr Matrix: TV.709",
        "[V4+ Styles]",
        "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ]:
        assert f"\n{line}\n" in text
    sections = [line for line in text.splitlines() if line.startswith("[")]
    assert sections == ["[Script Info]", "[V4+ Styles]", "[Events]"]
    style_format = next(line for line in text.splitlines() if line.startswith("Format: Name"))
    style_line = next(line for line in text.splitlines() if line.startswith("Style: "))
    assert len(style_format.split(",")) == len(style_line.split(",")) == 23


@pytest.mark.parametrize(
    "doc",
    [
        AssDocument(0, 1080, [], []),
        AssDocument(1920, 1080, [AssStyle("A"), AssStyle("A")], []),
        AssDocument(1920, 1080, [AssStyle("A")], [AssEvent(0, 1, "B", "x")]),
        AssDocument(1920, 1080, [], [], wrap_style=4),
        AssDocument(1920, 1080, [], [], title="two\nlines"),
    ],
)
def test_inconsistent_documents_are_rejected(doc: AssDocument) -> None:
    with pytest.raises(ValueError):
        doc.render()


# ----------------------------------------------------------------------------- escaping


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("plain text", "plain text"),
        ("{\\pos(0,0)}hi", "\\{\\\u2060pos(0,0)\\}hi"),
        ("a\\Nb", "a\\\u2060Nb"),
        ("line one\nline two", "line one\\Nline two"),
        ("crlf\r\nand cr\rand ls\u2028end", "crlf\\Nand cr\\Nand ls\\Nend"),
        ("tab\there", "tab here"),
        ("bell\x07 nul\x00 del\x7f", "bell nul del"),
        ("%{pts} 50% \"q\" 'q' a:b, c", "%\\{pts\\} 50% \"q\" 'q' a:b, c"),
        ("😀 中文 مرحبا שלום", "😀 中文 مرحبا שלום"),
        ("ends with \\", "ends with \\\u2060"),
        ("\\{", "\\\u2060\\{"),
    ],
)
def test_escape_examples(text: str, escaped: str) -> None:
    assert escape_ass_text(text) == escaped


# Pieces that matter to libass, mixed with arbitrary characters.
HOSTILE = st.lists(
    st.one_of(
        st.sampled_from([*list("{}\\Nnhp()0,:%'\"\n\r\t&H"), "\\N", "{\\", "\u2028", "\x00"]),
        st.characters(),
    ),
    max_size=60,
).map("".join)


@settings(max_examples=1000, deadline=None)
@given(HOSTILE)
def test_escaped_text_is_shown_literally_and_runs_no_tags(text: str) -> None:
    escaped = escape_ass_text(text)
    shown, blocks = libass_read(escaped)
    assert blocks == []
    assert shown == expected_visible(text)
    assert re.search(r"\\[A-MO-Za-z0-9(]", escaped) is None  # no "\tag" of any kind
    assert "\n" not in escaped and "\r" not in escaped
    assert escaped.count("\\N") == shown.count("\n")


@settings(max_examples=300, deadline=None)
@given(HOSTILE, HOSTILE)
def test_escaped_pieces_stay_literal_next_to_our_own_tags(left: str, right: str) -> None:
    markup = escape_ass_text(left) + "{\\1c&H00D4FF&}" + escape_ass_text(right) + "{\\r}"
    shown, blocks = libass_read(markup)
    assert blocks == ["\\1c&H00D4FF&", "\\r"]
    assert shown == expected_visible(left) + expected_visible(right)


# ----------------------------------------------------------------------------- filter path


@pytest.mark.parametrize(
    ("path", "escaped"),
    [
        ("/tmp/work/captions.ass", "/tmp/work/captions.ass"),
        ("C:\\subs\\a.ass", "C\\\\:\\\\\\\\subs\\\\\\\\a.ass"),
        ("/a,b;c[d]e", "/a\\,b\\;c\\[d\\]e"),
        ("/it's", "/it\\\\\\'s"),
        ("/a b=c", "/a\\\\\\ b\\\\=c"),
    ],
)
def test_filter_path_examples(path: str, escaped: str) -> None:
    assert ass_filter_path(path) == escaped


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.characters(exclude_characters="\x00"), min_size=1))
def test_filter_path_survives_both_ffmpeg_parsing_levels(path: str) -> None:
    graph_args, rest = av_get_token("filename=" + ass_filter_path(path), "[],;")
    assert rest == ""  # nothing leaked out as a new filter, link label or chain
    assert graph_args.startswith("filename=")
    value, rest = av_get_token(graph_args.removeprefix("filename="), ":")
    assert (value, rest) == (path, "")


# ----------------------------------------------------------------------------- looks


def words_for(text: str, start: float = 0.0) -> list[CaptionWord]:
    words, t = [], start
    for token in text.split():
        words.append(CaptionWord(token, round(t, 3), round(t + 0.3, 3)))
        t += 0.35
    return words


def test_clean_look_is_one_escaped_event_per_cue() -> None:
    cues = build_cues(words_for("Hello {\\pos(0,0)} world. Second one."))
    styles, events = caption_events(cues, style="clean", width=1920, height=1080)
    (style,) = styles
    assert style.alignment == 2 and style.size == pytest.approx(48.6)
    assert style.primary_colour == "#FFFFFF" and style.border_style == 4
    assert [(e.start, e.end) for e in events] == [(c.start, c.end) for c in cues]
    assert events[0].text == "Hello \\{\\\u2060pos(0,0)\\} world."
    assert all(libass_read(e.text)[1] == [] for e in events)


def test_clean_look_keeps_line_breaks_and_case() -> None:
    cue = Cue(0.0, 2.0, ("First line,", "second Line"), ())
    _, (event,) = caption_events([cue], style="clean", width=1280, height=720, font="DejaVu Sans")
    assert event.text == "First line,\\Nsecond Line"


def test_social_look_highlights_each_word_in_turn_without_gaps() -> None:
    cues = build_cues(words_for("one two three four"), max_chars_per_line=10)
    styles, events = caption_events(cues, style="social", width=1080, height=1920)
    (style,) = styles
    assert style.bold and style.size == pytest.approx(70.2) and style.outline > 5
    assert len(events) == 4
    for event, word in zip(events, ["one", "two", "three", "four"], strict=True):
        shown, blocks = libass_read(event.text)
        assert shown == "one two\nthree four"
        assert blocks == ["\\1c&H00D4FF&", "\\r"]
        assert "{\\1c&H00D4FF&}" + word + "{\\r}" in event.text
    for before, after in itertools.pairwise(events):
        assert ass_timestamp(before.end) == ass_timestamp(after.start)  # contiguous: no flicker
    assert events[0].start == cues[0].start and events[-1].end == pytest.approx(cues[0].end)


def test_social_look_uppercase_and_accent() -> None:
    cues = build_cues(words_for("straße ok"))
    _, events = caption_events(
        cues, style="social", width=1920, height=1080, uppercase=True, accent="#FF0000"
    )
    assert [libass_read(e.text)[0] for e in events] == ["STRASSE OK", "STRASSE OK"]
    assert events[0].text.startswith("{\\1c&H0000FF&}STRASSE{\\r}")


def test_social_look_highlights_a_word_split_across_lines() -> None:
    cue = Cue(0.0, 1.0, ("我们一起", "去公园"), (CaptionWord("我们一起去公园", 0.0, 1.0),))
    _, (event,) = caption_events([cue], style="social", width=1080, height=1920)
    assert event.text == "{\\1c&H00D4FF&}我们一起{\\r}\\N{\\1c&H00D4FF&}去公园{\\r}"


def test_social_look_skips_sub_centisecond_words_and_empty_cues() -> None:
    words = [CaptionWord("a", 0.0, 0.001), CaptionWord("b", 0.001, 0.5)]
    cue = Cue(0.0, 0.5, ("a b",), tuple(words))
    _, events = caption_events(
        [cue, Cue(1, 2, ("",), ()), Cue(3, 3, ("x",), ())], style="social", width=640, height=360
    )
    assert [(e.start, e.end) for e in events] == [(0.0, 0.5)]


WORD = st.text(alphabet=st.sampled_from([*"ab{}\\NnhPOS(0,0)%:'\"", "中", "م", "😀"]), min_size=1)


@settings(max_examples=200, deadline=None)
@given(st.lists(WORD, min_size=1, max_size=12), st.booleans())
def test_hostile_words_never_become_tags_in_either_look(tokens: list[str], upper: bool) -> None:
    cues = build_cues([CaptionWord(t, i * 0.5, i * 0.5 + 0.4) for i, t in enumerate(tokens)])
    for look in ("clean", "social"):
        styles, events = caption_events(cues, style=look, width=1920, height=1080, uppercase=upper)
        for event in events:
            _shown, blocks = libass_read(event.text)
            assert set(blocks) <= {"\\1c&H00D4FF&", "\\r"}
        AssDocument(1920, 1080, styles, events).render()


def test_sizes_for_common_frames() -> None:
    land, _ = caption_events([], style="social", width=1920, height=1080)
    port, _ = caption_events([], style="social", width=1080, height=1920)
    assert land[0].size == port[0].size == pytest.approx(70.2)
    assert port[0].margin_v == 384  # text bottom at 80% of the height
    assert recommended_line_chars("clean", 1920, 1080) == 42
    assert recommended_line_chars("clean", 1080, 1920) == 36
    assert recommended_line_chars("social", 1080, 1920) == 21
    assert recommended_line_chars("social", 1080, 1920, uppercase=True) == 19


def test_bad_size_or_colour_is_rejected() -> None:
    with pytest.raises(ValueError):
        caption_events([], style="clean", width=0, height=1080)
    with pytest.raises(ValueError):
        caption_events([], style="social", width=1920, height=1080, accent="yellow")
