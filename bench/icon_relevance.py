"""Icons chosen by meaning: index build time, time per scene line, precision on the labelled set.

Builds the icon index from scratch in a temporary cache folder (what the first render on a
machine pays; later ones read the cached file), times scene lines one by one and in one batch
(what the planner does with a plan's scenes), then prints top-1/top-3 precision per half
(``tune``: the lines the icon descriptions were tuned on; ``held``: never looked at while
tuning) and language, and the misses of the held-out half.

Run: ``.venv/bin/python bench/icon_relevance.py [--threads 1]``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from aiprod.visuals.icon_index import Embedder, all_phrases, build_index, bundled_choices
from aiprod.visuals.relevance import precision, read_labelled

LABELLED = Path(__file__).parents[1] / "tests" / "data" / "icon_relevance.tsv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    embedder = Embedder(threads=args.threads)
    embedder.queries(["warm up"])  # load the model outside the timings
    choices = bundled_choices()
    with tempfile.TemporaryDirectory() as folder:
        start, cpu = time.perf_counter(), time.process_time()
        index = build_index(choices, embedder=embedder, cache=Path(folder))
        built, built_cpu = time.perf_counter() - start, time.process_time() - cpu
        start = time.perf_counter()
        build_index(choices, embedder=embedder, cache=Path(folder))
        cached = time.perf_counter() - start
    phrases = len(all_phrases(choices))
    print(
        f"index: {len(choices)} icons, {phrases} phrases, built in {built:.1f} s"
        f" ({built_cpu:.1f} s of CPU)"
    )
    print(f"index: read from cache in {cached * 1000:.1f} ms")
    labelled = read_labelled(LABELLED)
    times = []
    cpu = time.process_time()
    for item in labelled:
        start = time.perf_counter()
        index.rank(item.line, k=3)
        times.append((time.perf_counter() - start) * 1000)
    cpu_ms = (time.process_time() - cpu) * 1000 / len(labelled)
    times.sort()
    p90 = times[int(len(times) * 0.9)]
    print(
        f"query: {len(times)} lines one by one, median {statistics.median(times):.1f} ms,"
        f" p90 {p90:.1f} ms ({cpu_ms:.1f} ms of CPU a line)"
    )
    start, cpu = time.perf_counter(), time.process_time()
    index.scores([item.line for item in labelled])
    batch = (time.perf_counter() - start) * 1000 / len(labelled)
    batch_cpu = (time.process_time() - cpu) * 1000 / len(labelled)
    print(
        f"query: the same lines in one batch (as a plan does), {batch:.1f} ms a line"
        f" ({batch_cpu:.1f} ms of CPU)"
    )
    results = precision(index, labelled)
    for group in results:
        print(
            f"{group.split:4} {group.language}: {group.lines} lines,"
            f" top-1 {group.top1:.2f}, top-3 {group.top3:.2f}"
        )
    for group in results:
        if group.split == "held":
            for line, top in group.misses:
                print(f"  held {group.language} miss: {line!r} -> {', '.join(top)}")


if __name__ == "__main__":
    main()
