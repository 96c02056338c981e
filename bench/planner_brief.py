"""How long the offline planner takes to read a long brief and to lay out its scenes.

Prints the median and worst of ``--runs`` timings (after one warm-up) for:

- ``analyse_brief`` on a brief of about 2,000 words (the case tests/unit/test_planner_brief.py
  checks for correctness; its speed is measured here, never asserted in a test);
- ``assign_layouts`` on the spec planned for a short brief with numbers and an offer;
- ``draft_spec``: the whole first-pass plan of that brief (script, visuals, layouts).

Run: ``.venv/bin/python bench/planner_brief.py [--runs 50]``
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from aiprod.config import Settings
from aiprod.pipeline.plan import PlanRequest, draft_spec
from aiprod.planner import analyse_brief
from aiprod.planner.layouts import assign_layouts

PARAGRAPH = (
    "Bean There is a small roastery in Portland that sources organic beans from family "
    "farms in Colombia and Ethiopia. Our customers are busy parents who want great coffee "
    "without the hassle. We roast every batch by hand and ship within 24 hours. "
    "Highlight the compostable packaging, the flexible subscription, the friendly "
    "baristas, the loyalty card, the tasting notes, the gift boxes and the cold brew kit. "
    "The tone should be upbeat and warm, never corporate. "
)
SHORT = (
    "30s ad for Volt e-bikes: 80 km battery range, charges in 4 hours, 20% off this week "
    "with code VOLT20. Book a test ride at volt.bike"
)


def long_brief() -> str:
    brief = "45-second vertical ad for Bean There coffee.\n" + PARAGRAPH * 40
    return " ".join(brief.split()[:2000]) + "\nCTA: order now at beanthere.coffee"


def measure(name: str, work: Callable[[], object], runs: int) -> None:
    work()  # warm-up: imports, caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    median, worst = statistics.median(times) * 1000, max(times) * 1000
    print(f"{name:<32} median {median:7.2f} ms   worst {worst:7.2f} ms   ({runs} runs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    brief = long_brief()
    measure("analyse_brief (2,000 words)", lambda: analyse_brief(brief), args.runs)
    settings = Settings()
    spec = draft_spec(PlanRequest(brief=SHORT), settings)
    blank = spec.model_copy(
        update={"scenes": [s.model_copy(update={"layout": None}) for s in spec.scenes]}
    )
    measure("assign_layouts (short brief)", lambda: assign_layouts(blank), args.runs)
    measure(
        "draft_spec (short brief)",
        lambda: draft_spec(PlanRequest(brief=SHORT), settings),
        args.runs,
    )


if __name__ == "__main__":
    main()
