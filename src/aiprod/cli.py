"""The ``aiprod`` command line: render, validate, presets, schema.

Every error we expect ends as one line on stderr and a non-zero exit code; an invalid spec
lists each problem on its own line. Stack traces only with ``AIPROD_DEBUG=1``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from aiprod.cli_keys import keys_app
from aiprod.cli_progress import RichProgress, cost_table, formats_table, summary_table
from aiprod.cli_serve import serve, worker
from aiprod.config import Settings, load_settings
from aiprod.errors import AiprodError, InvalidSpec, QAFailed
from aiprod.intake import load_spec
from aiprod.pipeline.request import (
    Prepared,
    Request,
    check_budget,
    estimate_cost,
    prepare,
    prepare_request,
)
from aiprod.spec.formats import FormatsInvalid, OutputFormat, parse_formats_option
from aiprod.spec.model import VideoSpec
from aiprod.spec.presets import available_presets

if TYPE_CHECKING:
    from aiprod.pipeline.cost import CostEstimate
    from aiprod.pipeline.formats import FamilyResult
    from aiprod.pipeline.render import RenderResult

app = typer.Typer(
    name="aiprod",
    help="AIPROD: a brief or a video spec in, a broadcast-ready video out. Offline by default.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_INVALID = 2
EXIT_FAILED = 1

SpecArg = Annotated[Path, typer.Argument(help="VideoSpec file (YAML or JSON)", show_default=False)]
PresetsOpt = Annotated[
    Path | None, typer.Option("--presets-file", help="extra presets (YAML or JSON)")
]


def fail(error: AiprodError) -> NoReturn:
    if isinstance(error, InvalidSpec):
        err.print(f"error: {error.source} is invalid:", markup=False)
        for problem in error.problems:
            err.print(f"  - {problem}", markup=False)
        raise typer.Exit(EXIT_INVALID)
    err.print(f"error: {error}", markup=False)
    raise typer.Exit(EXIT_FAILED)


def _settings(presets_file: Path | None, keep_work: bool = False) -> Settings:
    settings = load_settings()
    updates: dict[str, object] = {}
    if presets_file is not None:
        updates["presets_file"] = presets_file
    if keep_work:
        updates["keep_work_files"] = True
    return settings.model_copy(update=updates)


BriefOpt = Annotated[str | None, typer.Option("--brief", help="a brief to plan from")]
BrandKitOpt = Annotated[Path | None, typer.Option("--brand-kit", help="brand kit file")]
DurationOpt = Annotated[
    float | None, typer.Option("--duration", min=3, max=600, help="target seconds (brief)")
]
FormatsOpt = Annotated[
    str | None,
    typer.Option(
        "--formats",
        help="aspect ratios, e.g. 9:16,1:1,16:9: one plan rendered into each, "
        "in OUT/9x16/, OUT/1x1/, OUT/16x9/ with OUT/formats.json (one format: flat)",
    ),
]
OptionalSpec = Annotated[
    Path | None, typer.Argument(help="VideoSpec file (YAML or JSON)", show_default=False)
]


def _formats(text: str | None) -> tuple[OutputFormat, ...] | None:
    """The formats of ``--formats``; a one-line error (exit 2) when one is unknown or repeated."""
    if text is None:
        return None
    try:
        return parse_formats_option(text)
    except FormatsInvalid as exc:
        err.print(f"error: --formats: {exc}", markup=False)
        raise typer.Exit(EXIT_INVALID) from None


def _request(
    spec_path: Path | None,
    brief: str | None,
    preset: str | None,
    duration: float | None,
    brand_kit: Path | None,
) -> Request:
    if (spec_path is None) == (brief is None):
        err.print("error: give either a SPEC file or --brief TEXT", markup=False)
        raise typer.Exit(EXIT_INVALID)
    return Request(
        spec_path=spec_path, brief=brief, preset=preset, duration_s=duration, brand_kit=brand_kit
    )


@app.command()
def render(
    spec_path: OptionalSpec = None,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="output folder")] = Path("out"),
    brief: BriefOpt = None,
    preset: Annotated[str | None, typer.Option(help="preset (overrides the spec's)")] = None,
    duration: DurationOpt = None,
    brand_kit: BrandKitOpt = None,
    budget: Annotated[float | None, typer.Option(help="refuse if the estimate is higher")] = None,
    presets_file: PresetsOpt = None,
    keep_work: Annotated[bool, typer.Option(help="keep intermediate files")] = False,
    formats: FormatsOpt = None,
) -> None:
    """Render SPEC (or --brief TEXT) into OUT: video, thumbnail, captions, QA, manifest."""
    from aiprod.pipeline.formats import render_formats

    aspects = _formats(formats)
    family: FamilyResult | None = None
    settings = _settings(presets_file, keep_work)
    try:
        ready = prepare_request(_request(spec_path, brief, preset, duration, brand_kit), settings)
        spec, chosen = ready.spec, ready.preset
        found = estimate_cost(spec, chosen, settings, aspects)  # priced once, checked, kept
        check_budget(found, budget)
        with RichProgress(err) as progress:
            if aspects is not None and len(aspects) > 1:
                family = render_formats(
                    spec,
                    chosen,
                    aspects,
                    out_dir=out_dir,
                    settings=settings,
                    progress=progress,
                    label_stages=True,
                    prior_stages=ready.stages,
                )
            else:
                result = _render_flat(ready, aspects, out_dir, settings, progress, found)
    except QAFailed as exc:
        err.print(f"error: {exc}", markup=False)
        qa = "qa.json" if aspects is None or len(aspects) == 1 else "<format>/qa.json"
        err.print(
            f"  outputs kept for inspection in {out_dir}/ (see {qa} and contact_sheet.jpg)",
            markup=False,
        )
        raise typer.Exit(EXIT_FAILED) from None
    except AiprodError as exc:
        fail(exc)
    out.print(formats_table(family) if family is not None else summary_table(result))


def _render_flat(
    ready: Prepared,
    aspects: tuple[OutputFormat, ...] | None,
    out_dir: Path,
    settings: Settings,
    progress: RichProgress,
    estimate: CostEstimate,
) -> RenderResult:
    """Today's flat output folder; ``--formats`` with one format sets its frame size."""
    from aiprod.pipeline.formats import preset_for
    from aiprod.pipeline.render import Renderer

    preset = ready.preset if aspects is None else preset_for(ready.preset, aspects[0])
    renderer = Renderer(
        ready.spec,
        preset,
        out_dir=out_dir,
        settings=settings,
        progress=progress,
        estimate=estimate,
        prior_stages=ready.stages,
    )
    return renderer.run()


@app.command()
def plan(
    brief: Annotated[str, typer.Option("--brief", help="the brief to plan from")],
    preset: Annotated[str | None, typer.Option(help="preset (default: from the brief)")] = None,
    duration: DurationOpt = None,
    brand_kit: BrandKitOpt = None,
    presets_file: PresetsOpt = None,
) -> None:
    """Plan a production from a brief and print it as JSON: edit it, then render it."""
    settings = _settings(presets_file)
    try:
        spec, chosen = prepare(_request(None, brief, preset, duration, brand_kit), settings)
        manifest = spec.model_dump(mode="json")
        manifest["cost"] = estimate_cost(spec, chosen, settings).to_dict()
    except AiprodError as exc:
        fail(exc)
    sys.stdout.write(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


@app.command()
def estimate(
    spec_path: OptionalSpec = None,
    brief: BriefOpt = None,
    preset: Annotated[str | None, typer.Option(help="preset")] = None,
    duration: DurationOpt = None,
    budget: Annotated[float | None, typer.Option(help="exit 2 if the estimate is higher")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    presets_file: PresetsOpt = None,
    formats: FormatsOpt = None,
) -> None:
    """Estimate the cost and time of SPEC (or --brief TEXT) on this machine."""
    aspects = _formats(formats)
    # an estimate plans with the free copywriter: no paid script provider call to price a job
    settings = _settings(presets_file).model_copy(update={"script_providers": ["copywriter"]})
    try:
        spec, chosen = prepare(_request(spec_path, brief, preset, duration, None), settings)
        found = estimate_cost(spec, chosen, settings, aspects)
    except AiprodError as exc:
        fail(exc)
    if as_json:
        sys.stdout.write(json.dumps(found.to_dict(), indent=2) + "\n")
    else:
        out.print(cost_table(found))
    try:
        check_budget(found, budget)
    except AiprodError as exc:
        fail(exc)


@app.command()
def validate(spec_path: SpecArg, presets_file: PresetsOpt = None) -> None:
    """Check SPEC and list every problem at once (exit 2 when invalid)."""
    try:
        spec, preset = load_spec(spec_path, preset_file=presets_file)
    except AiprodError as exc:
        fail(exc)
    narrated = sum(1 for s in spec.scenes if s.narration.strip())
    out.print(
        f"ok: {len(spec.scenes)} scene(s), {narrated} narrated, preset {preset.name} "
        f"({preset.width}x{preset.height} @ {preset.fps} fps, {preset.loudness_lufs:g} LUFS)",
        markup=False,
    )


@app.command()
def providers(
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """List each capability's provider chain: order, configured or why not, price, licence."""
    from pydantic import ValidationError

    from aiprod.providers.registry import describe

    try:
        rows = describe(load_settings())
    except ValidationError as exc:  # a bad setting: named, never its value
        first = exc.errors()[0]
        name = ".".join(str(p) for p in first["loc"]) or "settings"
        err.print(f"error: setting {name}: {first['msg']}")
        raise typer.Exit(EXIT_INVALID) from None
    if as_json:
        out.print_json(json.dumps(rows))
        return
    table = Table("capability", "#", "provider", "status", "price", "licence", "network")
    for row in rows:
        network = {True: "yes", False: "no", None: "-"}[row["needs_network"]]
        table.add_row(
            row["capability"],
            str(row["position"] or "-"),
            row["provider"],
            row["status"],
            row["price"],
            row["licence"],
            network,
        )
    out.print(table)


@app.command()
def voices(
    language: Annotated[
        str | None, typer.Option("--language", help="only voices of this language (fr, en-US)")
    ] = None,
    provider: Annotated[
        str | None, typer.Option("--provider", help="only this provider (elevenlabs, local…)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """List the voices each voice provider offers (local ones always, cloud ones when
    configured), for use as a spec's ``voice``."""
    from pydantic import ValidationError

    from aiprod.errors import ProviderRejectedInput
    from aiprod.providers.tts.voices import list_voices

    try:
        report = list_voices(load_settings(), language=language, provider=provider)
    except ValidationError as exc:  # a bad setting: named, never its value
        first = exc.errors()[0]
        name = ".".join(str(p) for p in first["loc"]) or "settings"
        err.print(f"error: setting {name}: {first['msg']}", markup=False)
        raise typer.Exit(EXIT_INVALID) from None
    except ProviderRejectedInput as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(EXIT_INVALID) from None
    if as_json:
        rows = [v.to_dict() for v in report.voices]
        out.print_json(json.dumps({"voices": rows, "unavailable": report.problems}))
        return
    table = Table("provider", "voice", "name", "languages", "gender")
    for v in report.voices:
        table.add_row(v.provider, v.voice, v.name, ",".join(v.languages) or "any", v.gender or "-")
    out.print(table)
    for name, why in report.problems.items():
        err.print(f"{name}: {why}", markup=False)


@app.command()
def presets(
    file: Annotated[Path | None, typer.Option("--file", help="extra presets file")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """List the output presets (built-in and from --file)."""
    try:
        found = available_presets(file)
    except AiprodError as exc:
        fail(exc)
    if as_json:
        out.print_json(json.dumps([p.model_dump() for p in found.values()]))
        return
    table = Table("name", "size", "fps", "captions", "loudness", "encode", "description")
    for p in found.values():
        table.add_row(
            p.name,
            f"{p.width}x{p.height}",
            p.fps,
            p.caption_style,
            f"{p.loudness_lufs:g} LUFS / {p.true_peak_dbtp:g} dBTP",
            f"x264 {p.x264_preset} crf {p.crf}",
            p.description,
        )
    out.print(table)


app.add_typer(keys_app, name="keys")
app.command()(serve)
app.command()(worker)
db_app = typer.Typer(help="The job database: migrations and status.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the job database (AIPROD_DATABASE_URL, default SQLite)."""
    from aiprod.db.engine import current_revision, upgrade
    from aiprod.db.errors import database_errors

    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        with database_errors():
            before = current_revision(settings.job_database_url)
            upgrade(settings.job_database_url)
            after = current_revision(settings.job_database_url)
    except AiprodError as exc:
        fail(exc)
    out.print(f"database at revision {after} (was {before or 'empty'})", markup=False)


@db_app.command("status")
def db_status() -> None:
    """Say whether the job database is migrated (exit 1 when it is not)."""
    from aiprod.db.engine import current_revision, head_revision
    from aiprod.db.errors import database_errors

    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        with database_errors():
            current, head = current_revision(settings.job_database_url), head_revision()
    except AiprodError as exc:
        fail(exc)
    out.print(f"revision {current or 'none'}, newest {head}", markup=False)
    if current != head:
        err.print("error: the database needs 'aiprod db upgrade'", markup=False)
        raise typer.Exit(EXIT_FAILED)


@app.command()
def schema() -> None:
    """Print the VideoSpec JSON schema."""
    sys.stdout.write(json.dumps(VideoSpec.model_json_schema(), indent=2) + "\n")


def is_usage_error(exc: Exception) -> bool:
    """Click's UsageError (vendored inside Typer): a wrong option or argument."""
    return type(exc).__name__ in (
        "UsageError",
        "BadParameter",
        "MissingParameter",
        "NoSuchOption",
        "BadOptionUsage",
        "BadArgumentUsage",
    )


def main() -> None:
    """Console entry point: never a stack trace for a user, unless AIPROD_DEBUG=1."""
    from aiprod.config import debug_enabled

    try:
        code = app(standalone_mode=False)
    except (KeyboardInterrupt, typer.Abort):
        err.print("interrupted")
        sys.exit(130)
    except Exception as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # bare `aiprod`: show the help
            app(["--help"], standalone_mode=False)
            sys.exit(0)
        if is_usage_error(exc):  # one line, not a panel: scripts read stderr too
            err.print(f"error: {exc.format_message()} (see --help)", markup=False)  # type: ignore[attr-defined]
            sys.exit(EXIT_INVALID)
        if debug_enabled():
            raise
        err.print(
            f"internal error: {type(exc).__name__}: {exc} (AIPROD_DEBUG=1 for details)",
            markup=False,
        )
        sys.exit(70)
    sys.exit(code if isinstance(code, int) else 0)
