"""Read a VideoSpec from YAML or JSON, report every problem at once, resolve file paths."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from aiprod.errors import InvalidSpec, SpecProblem
from aiprod.spec.model import ImageBackground, VideoBackground, VideoSpec
from aiprod.spec.presets import Preset, resolve_preset

MAX_SPEC_BYTES = 2 * 1024 * 1024


def read_document(path: Path) -> Any:
    """Parse a YAML or JSON file into plain data; a one-line InvalidSpec when unreadable."""
    if not path.is_file():
        raise InvalidSpec([SpecProblem("", "file not found")], str(path))
    if path.stat().st_size > MAX_SPEC_BYTES:
        raise InvalidSpec([SpecProblem("", "file is larger than 2 MiB")], str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InvalidSpec([SpecProblem("", "not UTF-8 text")], str(path)) from None
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        where = getattr(exc, "problem_mark", None) or getattr(exc, "lineno", None)
        detail = str(exc).splitlines()[0]
        raise InvalidSpec(
            [SpecProblem("", f"cannot parse: {detail} {where or ''}".strip())], str(path)
        ) from None


def problems_from(exc: ValidationError) -> list[SpecProblem]:
    """Pydantic's errors as (dotted path, message) pairs, in document order."""
    problems = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        # a discriminated union puts the tag name in the path: scenes.0.background.image.path
        if len(loc) >= 2 and loc[-2] in ("color", "gradient", "image", "video"):
            loc.pop(-2)
        message = err["msg"].removeprefix("Value error, ")
        problems.append(SpecProblem(".".join(loc), message))
    return problems


def parse_spec(data: Any, *, source: str = "spec") -> VideoSpec:
    if not isinstance(data, dict):
        raise InvalidSpec([SpecProblem("", "expected a mapping at the top level")], source)
    try:
        return VideoSpec.model_validate(data)
    except ValidationError as exc:
        raise InvalidSpec(problems_from(exc), source) from None


def media_paths(spec: VideoSpec) -> list[tuple[str, str]]:
    """Every (spec path, file path) the spec refers to."""
    found: list[tuple[str, str]] = []
    for i, scene in enumerate(spec.scenes):
        if isinstance(scene.background, ImageBackground | VideoBackground):
            found.append((f"scenes.{i}.background.path", scene.background.path))
        if scene.illustration is not None and scene.illustration.path is not None:
            found.append((f"scenes.{i}.illustration.path", scene.illustration.path))
        found.extend(
            (f"scenes.{i}.sfx.{j}.path", cue.path)
            for j, cue in enumerate(scene.sfx)
            if cue.path is not None
        )
    if spec.music is not None and spec.music.path is not None:
        found.append(("music.path", spec.music.path))
    if spec.brand.logo is not None:
        found.append(("brand.logo", spec.brand.logo))
    return found


def resolve_paths(spec: VideoSpec, base_dir: Path) -> VideoSpec:
    """Make every relative media path absolute against ``base_dir``."""
    data = spec.model_dump()
    for dotted, value in media_paths(spec):
        target: Any = data
        keys = dotted.split(".")
        for key in keys[:-1]:
            target = target[int(key)] if isinstance(target, list) else target[key]
        path = Path(value).expanduser()
        target[keys[-1]] = str(path if path.is_absolute() else (base_dir / path).resolve())
    return VideoSpec.model_validate(data)


def check_semantics(
    spec: VideoSpec, preset_file: Path | None
) -> tuple[list[SpecProblem], Preset | None]:
    """Problems no field validator can see: unknown preset, missing files."""
    problems: list[SpecProblem] = []
    preset: Preset | None = None
    try:
        preset = resolve_preset(spec.preset, preset_file)
    except InvalidSpec as exc:
        problems.extend(exc.problems)
    for dotted, value in media_paths(spec):
        path = Path(value)
        if not path.is_file():
            problems.append(SpecProblem(dotted, f"file not found: {value}"))
    return problems, preset


def as_written(problem: SpecProblem, written: dict[str, str]) -> SpecProblem:
    """A missing file named as the spec wrote it, not as it was resolved."""
    value = written.get(problem.path)
    if value is None or not problem.message.startswith("file not found"):
        return problem
    where = "" if Path(value).expanduser().is_absolute() else " (relative to the spec's folder)"
    return SpecProblem(problem.path, f"file not found: {value}{where}")
