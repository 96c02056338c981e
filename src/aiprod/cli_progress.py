"""Rich progress bars per stage and the end-of-render summary table."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from aiprod.pipeline.progress import STAGES

if TYPE_CHECKING:
    from aiprod.pipeline.cost import CostEstimate
    from aiprod.pipeline.formats import FamilyResult
    from aiprod.pipeline.render import RenderResult


class RichProgress:
    """A ProgressSink drawing one bar per stage on the given console (stderr)."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("{task.description:<10}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> RichProgress:
        self.progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.progress.stop()

    def stage_started(self, stage: str, total: float | None) -> None:
        self.tasks[stage] = self.progress.add_task(stage, total=total or 1)

    def stage_advanced(self, stage: str, done: float) -> None:
        self.progress.update(self.tasks[stage], completed=done)

    def stage_finished(self, stage: str, seconds: float) -> None:
        task = self.tasks[stage]
        total = self.progress.tasks[task].total or 1
        self.progress.update(task, completed=total)


def summary_table(result: RenderResult) -> Table:
    checks = {c.name: c for c in result.qa.checks}
    table = Table(title=f"rendered {result.out_dir}/", show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value")
    tl = result.timeline
    table.add_row("video", f"{result.video} ({tl.width}x{tl.height} @ {tl.fps} fps)")
    table.add_row("duration", f"{float(tl.duration):.2f} s ({tl.total_frames} frames)")
    for name in ("loudness_integrated", "true_peak"):
        if name in checks:
            c = checks[name]
            table.add_row(name.replace("_", " "), f"{c.measured} {c.unit} (target {c.threshold})")
    verdict = "[green]passed[/]" if result.qa.passed else "[red]failed[/]"
    table.add_row("QA", f"{verdict} ({len(result.qa.checks)} checks)")
    sheet = result.out_dir / "contact_sheet.jpg"
    scenes = len(tl.scenes)
    plural = "s" if scenes != 1 else ""
    table.add_row("contact sheet", f"{escape(str(sheet))} ({scenes} scene{plural}, one frame each)")
    total = sum(result.stage_seconds.values())
    times = ", ".join(
        f"{s} {result.stage_seconds[s]:.1f}s" for s in STAGES if s in result.stage_seconds
    )
    table.add_row("time", f"{total:.1f} s: {times}")
    return table


def cost_table(found: CostEstimate) -> Table:
    table = Table(
        "stage",
        "provider",
        "units",
        "unit price",
        "time",
        "cost",
        title=f"estimate at {found.rate_per_hour:g} {found.currency}/hour of compute",
    )
    for s in found.stages:
        table.add_row(
            s.stage,
            s.provider,
            f"{s.units:g} {s.unit}",
            f"{s.unit_price:.2e}",
            f"{s.seconds:.1f} s",
            f"{s.cost:.5f}",
        )
    table.add_row(
        "total",
        "",
        "",
        "",
        f"{found.eta_seconds:.1f} s",
        f"{found.total:.5f} {found.currency}",
        style="bold",
    )
    return table


def formats_table(family: FamilyResult) -> Table:
    """One row per format of a family render: folder, frame size, QA."""
    table = Table("format", "folder", "size", "QA", title=f"rendered {family.out_dir}/")
    for outcome in family.outcomes:
        verdict = "[green]passed[/]" if outcome.qa_passed else "[red]failed[/]"
        table.add_row(
            outcome.format.name,
            f"{family.out_dir}/{outcome.format.folder}/",
            f"{outcome.width}x{outcome.height}",
            verdict,
        )
    timing = family.index["timing"]
    table.caption = (
        f"one sound for every format: {timing['duration_s']:.2f} s, "
        f"{timing['total_frames']} frames; listed in formats.json"
    )
    return table
