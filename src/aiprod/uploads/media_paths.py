"""Media files a spec names through the API must be the caller's own: confined to their
upload folder (``POST /v1/uploads``) or the operator's asset and SFX libraries.

The CLI renders any file its user can read; an API caller must not make the server read
(or probe) arbitrary files such as ``/etc/passwd`` or another owner's uploads. Relative
paths are taken inside the caller's upload folder and stored resolved.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from aiprod.config import Settings
from aiprod.errors import SpecProblem
from aiprod.uploads.service import uploads_dir

PATH_KEYS = frozenset({"path", "logo"})


def media_roots(settings: Settings, owner: str) -> list[Path]:
    """Where ``owner``'s specs may take media from; the upload folder comes first."""
    roots = [uploads_dir(settings, owner)]
    roots += [p for p in (settings.asset_library_dir, settings.sfx_library_dir) if p is not None]
    return [root.resolve() for root in roots]


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

    A symlink inside a root that points outside it is resolved, so it is refused too.
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
        mapping[key] = str(resolved)
    return problems
