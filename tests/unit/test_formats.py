"""Output formats: parsing, folder names, frame sizes per preset, family pricing."""

from __future__ import annotations

import pytest

from aiprod.pipeline.cost import DEFAULT_SECONDS_PER_UNIT, Workload, estimate
from aiprod.pipeline.format_costs import PER_FORMAT_STAGES, estimate_formats, sizes_for
from aiprod.spec.formats import (
    FORMAT_FOLDERS,
    FORMATS,
    FormatsInvalid,
    OutputFormat,
    format_names,
    parse_format,
    parse_formats,
    parse_formats_option,
)
from aiprod.spec.presets import BUILTIN_PRESETS, Preset


def test_option_parses_in_order_with_either_spelling() -> None:
    found = parse_formats_option(" 16:9, 1x1 ,9:16")
    assert format_names(found) == ["16:9", "1:1", "9:16"]
    assert [f.folder for f in found] == ["16x9", "1x1", "9x16"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("4:3", "unknown format '4:3' (known: 9:16, 1:1, 16:9)"),
        ("9:16,1:1,9x16", "format '9:16' is given twice"),
        ("", "no format given"),
        (",,", "no format given"),
        ("../etc", "unknown format '../etc'"),
        ("16:9/", "unknown format"),
    ],
)
def test_unknown_repeated_or_empty_formats_are_refused(text: str, message: str) -> None:
    with pytest.raises(FormatsInvalid, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        parse_formats_option(text)


def test_a_message_never_echoes_more_than_a_little_of_the_input() -> None:
    with pytest.raises(FormatsInvalid) as caught:
        parse_format("x" * 500)
    assert len(str(caught.value)) < 80


def test_folders_are_the_fixed_table() -> None:
    assert {"9x16", "1x1", "16x9"} == FORMAT_FOLDERS
    assert all("/" not in f.folder and "." not in f.folder for f in FORMATS)


@pytest.mark.parametrize(
    ("preset_size", "expected"),
    [
        ((1080, 1920), {"9:16": (1080, 1920), "1:1": (1080, 1080), "16:9": (1920, 1080)}),
        ((1920, 1080), {"9:16": (1080, 1920), "1:1": (1080, 1080), "16:9": (1920, 1080)}),
        ((1080, 1080), {"9:16": (1080, 1920), "1:1": (1080, 1080), "16:9": (1920, 1080)}),
        ((288, 512), {"9:16": (288, 512), "1:1": (288, 288), "16:9": (512, 288)}),
        ((720, 1280), {"9:16": (720, 1280), "1:1": (720, 720), "16:9": (1280, 720)}),
    ],
)
def test_sizes_keep_the_short_side_of_the_preset(
    preset_size: tuple[int, int], expected: dict[str, tuple[int, int]]
) -> None:
    width, height = preset_size
    assert {f.name: f.size_for(width, height) for f in FORMATS} == expected


def test_sizes_are_even_for_odd_ratios_of_the_short_side() -> None:
    for short in range(64, 2200, 2):
        for fmt in FORMATS:
            w, h = fmt.size_for(short, short * 2)
            assert w % 2 == 0 and h % 2 == 0 and min(w, h) == short


def test_every_builtin_preset_gives_valid_sizes() -> None:
    for preset in BUILTIN_PRESETS:
        for width, height in sizes_for(preset, FORMATS):
            Preset(**{**preset.model_dump(), "width": width, "height": height})


def _work(width: int, height: int) -> Workload:
    return Workload(
        words=40,
        seconds=15.0,
        width=width,
        height=height,
        fps=30.0,
        x264_preset="veryfast",
        music_seconds=15.0,
        effects=3,
        illustrations=4,
        tts_provider="piper",
        planned=True,
    )


def test_a_family_prices_its_sound_once_and_its_pictures_per_format() -> None:
    work = _work(1080, 1920)
    sizes = [(1080, 1920), (1080, 1080), (1920, 1080)]
    family = estimate_formats(
        work, sizes, DEFAULT_SECONDS_PER_UNIT, rate_per_hour=1.0, currency="USD"
    )
    alone = [
        estimate(_work(w, h), DEFAULT_SECONDS_PER_UNIT, rate_per_hour=1.0, currency="USD")
        for w, h in sizes
    ]
    by_stage = {s.stage: s for s in family.stages}
    for stage in ("plan", "narration", "music", "sfx", "audio"):
        assert by_stage[stage] == next(s for s in alone[0].stages if s.stage == stage)
    for stage in PER_FORMAT_STAGES:
        parts = [s for a in alone for s in a.stages if s.stage == stage]
        assert by_stage[stage].seconds == pytest.approx(sum(p.seconds for p in parts), abs=0.02)
    assert alone[0].total < family.total < sum(a.total for a in alone)


def test_one_format_prices_like_a_plain_render_of_its_size() -> None:
    one = estimate_formats(
        _work(1080, 1920),
        [(1920, 1080)],
        DEFAULT_SECONDS_PER_UNIT,
        rate_per_hour=1.0,
        currency="USD",
    )
    plain = estimate(_work(1920, 1080), DEFAULT_SECONDS_PER_UNIT, rate_per_hour=1.0, currency="USD")
    assert one == plain


def test_parse_formats_takes_any_iterable() -> None:
    assert parse_formats(iter(["1:1"])) == (OutputFormat(1, 1),)
