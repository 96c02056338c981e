"""Brand palette: WCAG contrast, variants, and readable text on every scene gradient."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiprod.visuals.palette import (
    INK,
    MIN_TEXT_CONTRAST,
    ROLES,
    WHITE,
    contrast_ratio,
    derive_palette,
    ensure_contrast,
    mix,
    parse_colour,
    readable_text,
    relative_luminance,
)

colours = st.integers(0, 0xFFFFFF).map(lambda v: f"#{v:06X}")


def test_contrast_ratio_known_values() -> None:
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#FFFFFF", "#000000") == pytest.approx(21.0)
    assert contrast_ratio("#3D7DD8", "#3d7dd8") == pytest.approx(1.0)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)  # just fails AA
    assert contrast_ratio("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)  # just passes


def test_parse_and_mix() -> None:
    assert parse_colour("#1e3a5f") == (0x1E, 0x3A, 0x5F)
    assert parse_colour("#fff") == (255, 255, 255)
    assert parse_colour("#1E3A5F80") == (0x1E, 0x3A, 0x5F)  # alpha ignored
    assert mix("#000000", "#FFFFFF", 0.5) == "#808080"
    for bad in ("1E3A5F", "#12345", "#GGGGGG", "", "red"):
        with pytest.raises(ValueError, match="not a colour"):
            parse_colour(bad)
    with pytest.raises(ValueError):
        derive_palette("#1E3A5F", "blue", "#FFD400")


def test_readable_text_prefers_the_brand_text_colour() -> None:
    assert readable_text(["#1E3A5F"], preferred="#ffd400") == "#FFD400"
    assert readable_text(["#FFD400"], preferred="#FFFFFF") == INK
    assert readable_text(["#000000", "#1E3A5F"]) == WHITE
    assert ensure_contrast("#777777", WHITE) != "#777777"
    assert contrast_ratio(ensure_contrast("#777777", WHITE), WHITE) >= MIN_TEXT_CONTRAST


def test_default_brand_palette() -> None:
    palette = derive_palette("#1e3a5f", "#3D7DD8", "#FFD400", text="#FFFFFF")
    assert (palette.primary, palette.secondary, palette.accent) == ("#1E3A5F", "#3D7DD8", "#FFD400")
    for base, dark, light in [
        (palette.primary, palette.primary_dark, palette.primary_light),
        (palette.secondary, palette.secondary_dark, palette.secondary_light),
        (palette.accent, palette.accent_dark, palette.accent_light),
    ]:
        assert relative_luminance(dark) < relative_luminance(base) < relative_luminance(light)
    hook = palette.for_role("hook")
    assert hook.text == "#FFFFFF"  # the brand text reads on the dark navy hook as is
    assert hook.gradient[:2] == (palette.primary_dark, palette.primary)
    assert palette.for_role("cta").text == INK  # dark text on the yellow call to action
    with pytest.raises(ValueError, match="unknown scene role"):
        palette.for_role("outro")  # type: ignore[arg-type]


@given(colours, colours, colours, st.one_of(st.none(), colours))
@settings(max_examples=300, deadline=None)
def test_property_text_always_reads_on_every_stop(
    primary: str, secondary: str, accent: str, text: str | None
) -> None:
    palette = derive_palette(primary, secondary, accent, text=text)
    for role in ROLES:
        scene = palette.for_role(role)
        assert len(scene.gradient) == 3
        for stop in scene.gradient:
            assert contrast_ratio(scene.text, stop) >= MIN_TEXT_CONTRAST
            assert parse_colour(stop)  # well-formed
        assert scene.highlight == scene.text or all(
            contrast_ratio(scene.highlight, stop) >= 3.0 for stop in scene.gradient
        )
    assert palette == derive_palette(primary, secondary, accent, text=text)
