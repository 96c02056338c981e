from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from aiprod.media.ffmpeg.graph import (
    Graph,
    escape_graph_text,
    escape_option_value,
    f,
    format_value,
)


def unescape_graph(text: str) -> str:
    """The graph parser's view: a backslash makes the next character literal."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def split_options(args: str) -> list[str]:
    """The option parser's view: split on unescaped ':', drop escapes."""
    parts, current, i = [], [], 0
    while i < len(args):
        c = args[i]
        if c == "\\" and i + 1 < len(args):
            current.append(args[i + 1])
            i += 2
            continue
        if c == ":":
            parts.append("".join(current))
            current = []
        else:
            current.append(c)
        i += 1
    parts.append("".join(current))
    return parts


def test_plain_filter_renders_options_in_order() -> None:
    assert f("scale", w=1920, h=1080, flags="bicubic").render() == (
        "scale=w=1920:h=1080:flags=bicubic"
    )
    assert f("format", "yuv420p").render() == "format=yuv420p"
    assert f("anull").render() == "anull"


def test_none_options_are_left_out() -> None:
    assert f("fade", t="in", st=None, n=9).render() == "fade=t=in:n=9"


def test_expression_commas_are_escaped_for_the_graph_parser() -> None:
    rendered = f("crop", w=100, h=100, x="if(gt(n,10),5,0)").render()
    assert rendered == r"crop=w=100:h=100:x=if(gt(n\,10)\,5\,0)"


def test_path_with_every_special_character_survives_both_parsers() -> None:
    path = "/tmp/it's a [weird]; name, with: colons\\and.ass"
    rendered = f("ass", filename=path).render()
    name, _, args = rendered.partition("=")
    assert name == "ass"
    assert split_options(unescape_graph(args)) == [f"filename={path}"]


@given(st.text(min_size=1, max_size=60))
def test_any_value_round_trips_and_cannot_add_filters(value: str) -> None:
    rendered = f("drawbox", color=value).render()
    # structure: no unescaped graph separators anywhere in the argument string
    body = rendered.partition("=")[2]
    i = 0
    while i < len(body):
        if body[i] == "\\":
            i += 2
            continue
        assert body[i] not in "[],;'"
        i += 1
    assert split_options(unescape_graph(body)) == [f"color={value}"]


def test_escape_helpers_cover_their_special_characters() -> None:
    assert escape_option_value("a:b'c\\") == "a\\:b\\'c\\\\"
    assert escape_graph_text("[x],y;z") == "\\[x\\]\\,y\\;z"


def test_fractions_and_floats_format_without_noise() -> None:
    assert format_value(Fraction(30)) == "30"
    assert format_value(Fraction(1, 3)) == "0.333333"
    assert format_value(0.5) == "0.5"
    assert format_value(2.0) == "2"


def test_graph_renders_chains_with_labels() -> None:
    graph = Graph()
    graph.add([], [f("color", c="0x000000", s="64x64")], ["a"])
    graph.add(["a", "b"], [f("xfade", transition="fade", duration=0.5, offset=1)], ["out"])
    assert graph.render() == (
        "color=c=0x000000:s=64x64[a];[a][b]xfade=transition=fade:duration=0.5:offset=1[out]"
    )
    consumed, produced = graph.labels()
    assert consumed == {"a", "b"} and produced == {"a", "out"}
