"""One validation of a spec, whoever asks: the CLI, the API, the review gate and the worker.

    validate_spec(data, ...)  parse → [relative paths against a folder] → [preset override]
                              → [media paths confined to the caller's roots] → semantic checks
                              (the preset exists, every media file exists)

Every problem is reported at once in one :class:`~aiprod.errors.InvalidSpec`, each with its
dotted path (under ``prefix`` when given, as the API names ``spec.scenes.0…``).

Path confinement: the CLI renders any file its user can read; an API caller must not make
the server read (or probe) arbitrary files such as ``/etc/passwd`` or another owner's
uploads, so the API passes ``media_roots`` (:func:`aiprod.uploads.media_paths.media_roots`):
relative paths are taken inside the first root and stored resolved.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from aiprod.errors import InvalidSpec, SpecProblem
from aiprod.spec.load import (
    as_written,
    check_semantics,
    media_paths,
    parse_spec,
    read_document,
    resolve_paths,
)
from aiprod.spec.model import VideoSpec
from aiprod.spec.presets import Preset

PATH_KEYS = frozenset({"path", "logo"})


def _prefixed(problems: Sequence[SpecProblem], prefix: str) -> list[SpecProblem]:
    if not prefix:
        return list(problems)
    return [SpecProblem(f"{prefix}.{p.path}" if p.path else prefix, p.message) for p in problems]


def _paths(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any], str]]:
    """Every (dotted location, owning mapping, key) of a file path in a spec's JSON."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{where}.{key}" if where else str(key)
            if key in PATH_KEYS and isinstance(value, str):
                yield here, node, key
            else:
                yield from _paths(value, here)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, f"{where}.{index}" if where else str(index))


def confine_media_paths(
    spec: dict[str, Any], roots: Sequence[Path], *, prefix: str = "spec"
) -> list[SpecProblem]:
    """Resolve every media path of ``spec`` (in place) inside ``roots``; list the others.

    A symlink inside a root that points outside it is resolved, so it is refused too. A
    missing file is reported here, in the caller's own words, before anything resolved
    (a server path) can reach a message.
    """
    problems: list[SpecProblem] = []
    for where, mapping, key in list(_paths(spec, prefix)):
        raw = Path(mapping[key])
        resolved = (raw if raw.is_absolute() else roots[0] / raw).resolve()
        if mapping[key].startswith("~") or not any(resolved.is_relative_to(r) for r in roots):
            problems.append(
                SpecProblem(where, "media must come from your uploads or the asset library")
            )
            continue
        if not resolved.is_file():  # named as the caller wrote it: never a server path
            problems.append(SpecProblem(where, f"file not found: {mapping[key]}"))
            continue
        mapping[key] = str(resolved)
    return problems


def validate_spec(
    data: Any,
    *,
    presets_file: Path | None,
    source: str = "spec",
    prefix: str = "",
    preset: str | None = None,
    base_dir: Path | None = None,
    media_roots: Sequence[Path] | None = None,
) -> tuple[VideoSpec, Preset]:
    """The spec in ``data`` (a mapping) checked completely, with its resolved preset.

    ``preset`` overrides the spec's own; ``base_dir`` makes relative media paths absolute
    against it (a spec file's folder); ``media_roots`` confines every media path to those
    folders before any file is looked at. InvalidSpec (from ``source``) lists every problem.
    """
    try:
        spec = parse_spec(data, source=source)
    except InvalidSpec as exc:
        raise InvalidSpec(_prefixed(exc.problems, prefix), source) from None
    written = dict(media_paths(spec))  # errors name files as written, not as resolved
    if base_dir is not None:
        spec = resolve_paths(spec, base_dir)
    if preset:
        spec = spec.model_copy(update={"preset": preset})
    if media_roots is not None:  # before any file is looked at
        dumped = spec.model_dump(mode="json")
        if confined := confine_media_paths(dumped, media_roots, prefix=prefix):
            raise InvalidSpec(confined, source)
        spec = parse_spec(dumped, source=source)
    problems, resolved = check_semantics(spec, presets_file)
    problems = [as_written(problem, written) for problem in problems]
    if problems or resolved is None:
        problems = problems or [SpecProblem("preset", "unknown preset")]
        raise InvalidSpec(_prefixed(problems, prefix), source)
    return spec, resolved


def load_spec(
    path: Path, *, preset_file: Path | None = None, preset: str | None = None
) -> tuple[VideoSpec, Preset]:
    """Load, validate and resolve a spec file; InvalidSpec lists every problem at once."""
    return validate_spec(
        read_document(path),
        presets_file=preset_file,
        source=str(path),
        preset=preset,
        base_dir=path.parent.resolve(),
    )
