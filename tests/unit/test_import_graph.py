"""No import cycle between the subpackages of ``src/aiprod``.

The graph is computed from the source with ``ast``: every ``import``/``from … import`` counts,
including those inside functions (a lazy import is still a dependency), and relative imports are
resolved against the importing module's package. A node is a subpackage (``aiprod.jobs``) or a
top-level module (``aiprod.cli``); ``aiprod/db/migrations`` (Alembic scripts) is left out.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import aiprod

SRC = Path(aiprod.__file__).parent


def _room(parts: tuple[str, ...]) -> str:
    """The node a module belongs to: ``('jobs', 'store')`` -> ``jobs``, ``('cli',)`` -> ``cli``."""
    return parts[0]


def _imported_modules(path: Path, root: Path) -> Iterator[tuple[str, ...]]:
    """Every ``aiprod`` module ``path`` imports, as a tuple of parts below ``aiprod``."""
    rel = path.relative_to(root).with_suffix("").parts
    package = rel[:-1]  # the package of ``a/b.py`` and of ``a/__init__.py`` is ``a``
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = tuple(alias.name.split("."))
                if parts[0] == "aiprod":
                    yield parts[1:]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                up = node.level - 1
                if up > len(package):
                    continue
                base = package[: len(package) - up]
                parts = (*base, *(node.module.split(".") if node.module else ()))
            elif node.module and node.module.split(".")[0] == "aiprod":
                parts = tuple(node.module.split("."))[1:]
            else:
                continue
            if parts:
                yield parts
            else:  # ``from aiprod import jobs`` / ``from .. import errors``: the names are modules
                for alias in node.names:
                    yield (alias.name,)


def import_graph(root: Path) -> dict[str, dict[str, set[str]]]:
    """``{room: {imported room: {importing files}}}`` between distinct rooms of ``root``."""
    graph: dict[str, dict[str, set[str]]] = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if "migrations" in rel.parts or "__pycache__" in rel.parts:
            continue
        here = _room(rel.with_suffix("").parts)
        if here in {"__init__", "__main__"}:
            continue
        for parts in _imported_modules(path, root):
            there = _room(parts)
            if there != here and not there.startswith("__"):
                graph.setdefault(here, {}).setdefault(there, set()).add(str(rel))
    return graph


def cycles(graph: dict[str, dict[str, set[str]]]) -> list[list[str]]:
    """The strongly connected components with more than one room (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def _describe(graph: dict[str, dict[str, set[str]]], component: list[str]) -> str:
    lines = [f"cycle {{{', '.join(component)}}}:"]
    for a in component:
        for b in sorted(graph.get(a, {})):
            if b in component:
                lines.append(f"  {a} -> {b}: {', '.join(sorted(graph[a][b]))}")
    return "\n".join(lines)


def test_no_import_cycle_between_subpackages() -> None:
    graph = import_graph(SRC)
    assert graph, "the import graph of src/aiprod came out empty"
    found = cycles(graph)
    assert not found, "\n".join(_describe(graph, c) for c in found)


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_detects_a_cycle_through_a_lazy_relative_import(tmp_path: Path) -> None:
    root = tmp_path / "aiprod"
    _write(root, "__init__.py", "")
    _write(root, "a/__init__.py", "")
    _write(root, "a/one.py", "from aiprod.b.two import f\n")
    _write(root, "b/__init__.py", "")
    _write(root, "b/two.py", "def f():\n    from ..a import one\n    return one\n")
    _write(root, "c/__init__.py", "from ..a.one import f\n")
    graph = import_graph(root)
    assert graph["a"] == {"b": {"a/one.py"}}
    assert graph["b"] == {"a": {"b/two.py"}}
    assert cycles(graph) == [["a", "b"]]


def test_top_level_modules_are_rooms_and_no_cycle_means_none(tmp_path: Path) -> None:
    root = tmp_path / "aiprod"
    _write(root, "__init__.py", "")
    _write(root, "errors.py", "")
    _write(root, "cli.py", "from aiprod import errors\nfrom aiprod.a import one\n")
    _write(root, "a/__init__.py", "")
    _write(root, "a/one.py", "import aiprod.errors\n")
    graph = import_graph(root)
    assert graph["cli"] == {"errors": {"cli.py"}, "a": {"cli.py"}}
    assert graph["a"] == {"errors": {"a/one.py"}}
    assert cycles(graph) == []
