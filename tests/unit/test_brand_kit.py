from pathlib import Path

import pytest

from aiprod.errors import InvalidSpec
from aiprod.pipeline.plan import with_brand_kit
from aiprod.planner.brief import analyse_brief
from aiprod.spec.brand import load_brand_kit

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_example_brand_kit_loads_with_its_glossary() -> None:
    kit, glossary = load_brand_kit(EXAMPLES / "brand-kit.yaml")
    assert kit.name == "Bean There" and kit.colors.primary == "#2B1B17"
    assert kit.call_to_action == "Order at beanthere.coffee"
    assert glossary == {"FIRSTCUP": "first cup"}


def test_every_problem_of_a_kit_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "kit.yaml"
    path.write_text(
        "name: X\nlogo: missing.png\ncolors: {primary: blue}\nglossary: [a]\n", encoding="utf-8"
    )
    with pytest.raises(InvalidSpec) as caught:
        load_brand_kit(path)
    assert {p.path for p in caught.value.problems} == {"glossary", "colors.primary"}


def test_the_kit_fills_what_the_brief_leaves_open() -> None:
    kit, _ = load_brand_kit(EXAMPLES / "brand-kit.yaml")
    open_brief = with_brand_kit(analyse_brief("an ad for our coffee, mention fair prices"), kit)
    assert open_brief.brand == "Bean There"
    assert open_brief.call_to_action == "Order at beanthere.coffee"
    stated = with_brand_kit(analyse_brief("Ad for Bean There. Call to action: visit us"), kit)
    assert stated.call_to_action != "Order at beanthere.coffee"  # the brief wins


def test_the_tagline_signs_off_the_last_scene() -> None:
    from aiprod.pipeline.plan import with_tagline

    kit, _ = load_brand_kit(EXAMPLES / "brand-kit.yaml")
    scenes = with_tagline([{"narration": "Hello."}, {"narration": "Order now."}], kit)
    assert scenes[0]["narration"] == "Hello."
    assert scenes[-1]["narration"] == "Order now. Bean There: Coffee worth the trip."
