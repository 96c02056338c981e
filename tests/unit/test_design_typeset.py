"""Typesetting never overflows its box, whatever the text and box; fonts measure as libass."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from aiprod.design.fonts import breaks_anywhere, is_rtl, metrics, script_of
from aiprod.design.typeset import TypeScale, fit

WORDS = st.sampled_from(
    ["coffee", "Donaudampfschifffahrt", "咖啡豆", "قهوة", "שלום", "80 km", "{\\N}", "a", "€12"]
)


@settings(deadline=None)  # fitting a long text into a tiny box walks many sizes
@given(
    words=st.lists(st.one_of(WORDS, st.text(min_size=1, max_size=12)), min_size=1, max_size=30),
    width=st.integers(40, 1800),
    height=st.integers(20, 1200),
    size=st.floats(8, 300),
)
def test_fit_never_overflows(words: list[str], width: int, height: int, size: float) -> None:
    text = " ".join(words)
    result = fit(text, width, height, max_px=size, max_lines=4)
    assert result.width <= width
    assert result.height <= height
    assert len(result.lines) <= 4
    assert result.em_px <= max(size, 6.0)


def test_fit_prefers_the_largest_size_that_fits() -> None:
    roomy = fit("Fresh beans", 1000, 400, max_px=120)
    assert roomy.em_px == 120 and roomy.lines == ("Fresh beans",)
    narrow = fit("Fresh beans", 500, 400, max_px=120)
    assert narrow.lines == ("Fresh", "beans") and narrow.em_px == 120
    tight = fit("Fresh beans", 500, 150, max_px=120)
    assert tight.em_px < 120 and tight.height <= 150


def test_scripts_are_measured_with_their_own_fonts() -> None:
    assert script_of("咖啡很好") == "cjk" and breaks_anywhere("咖啡很好")
    assert is_rtl("قهوة عضوية") and is_rtl("שלום עולם") and not is_rtl("hello")
    cjk = fit("每天早上都有新鲜烘焙的有机咖啡豆", 600, 600, max_px=100)
    assert len(cjk.lines) > 1 and "CJK" in cjk.font.path
    # libass sizes are line heights: Noto Sans draws an em of 100 px at ASS size ~136
    latin = metrics("hello")
    assert 1.3 < latin.line_ratio < 1.45
    assert latin.width("hello hello", 100) > latin.width("hello", 100) * 2


def test_type_scale_per_aspect() -> None:
    assert TypeScale.for_frame(1080, 1920).headline >= 0.06 * 1920
    wide = TypeScale.for_frame(1920, 1080).headline
    assert 0.07 * 1080 <= wide <= 0.10 * 1080


def test_tall_line_scripts_get_boxes_that_hold_their_glyphs() -> None:
    """CJK and Arabic boxes are the glyphs' real extent (not the face's 1.45 / 2.11 em
    line): every line's inked pixels, drawn where libass puts them, fall inside its box."""
    from PIL import ImageFont

    for text in ("每天早上都有新鲜烘焙的咖啡豆", "قهوة عضوية طازجة تصل إلى بابك كل صباح"):
        set_text = fit(text, 500, 600, max_px=100, max_lines=4)
        font = set_text.font
        assert font.line_height(100) < font.ass_line_height(100) * 0.75
        assert set_text.pitch >= font.line_height(set_text.em_px) * 0.9
        face = ImageFont.truetype(font.path, round(set_text.em_px))
        rtl = "rtl" if is_rtl(text) else None
        for n, line in enumerate(set_text.lines):
            box_top = n * set_text.pitch
            libass_top = box_top - font.draw_offset(set_text.em_px)
            _, top, _, bottom = face.getbbox(line, anchor="la", direction=rtl)
            assert libass_top + top >= box_top - 1, line
            assert libass_top + bottom <= box_top + set_text.line_height + 1, line
    latin = metrics("Fresh beans")
    assert latin.line_height(100) == latin.ass_line_height(100)
    assert latin.draw_offset(100) == 0


def test_a_word_is_set_smaller_before_it_is_cut() -> None:
    # at its floor (70 px) 'électrique' is wider than the box: it used to be cut there
    # ('électriqu' / 'e'); a little smaller it fits whole
    set_text = fit("Vélo électrique urbain", 300, 400, max_px=80, min_px=70)
    assert set_text.lines == ("Vélo", "électrique", "urbain")
    assert 70 * 0.8 <= set_text.em_px < 70


def test_a_word_too_long_for_any_readable_size_is_cut_with_a_hyphen() -> None:
    set_text = fit("Supercalifragilisticexpialidocious", 200, 400, max_px=40, min_px=30)
    assert len(set_text.lines) > 1 and set_text.width <= 200
    assert all(line.endswith("-") for line in set_text.lines[:-1])
    assert "".join(line.rstrip("-") for line in set_text.lines) == (
        "Supercalifragilisticexpialidocious"
    )


def test_closing_punctuation_never_starts_a_line() -> None:
    set_text = fit("À ne pas manquer : vélo électrique urbain !", 400, 400, max_px=40)
    assert not any(line[0] in ":;!?" for line in set_text.lines)
    assert any(line.endswith("manquer\u00a0:") for line in set_text.lines)
