"""Filtergraphs as data, rendered to FFmpeg's syntax with correct escaping.

FFmpeg parses a filtergraph twice: the graph parser splits on ``[ ] , ;`` and the filter's
option parser splits on ``:`` and ``=``. A value that may hold any of those (paths,
expressions) is escaped for both levels here, so nothing a caller passes can change the
structure of the graph. User *text* never goes through here at all: it travels in files
(ASS subtitles) that libass reads.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

OptionValue = str | int | float | Fraction

_OPTION_SPECIALS = frozenset("\\':=")
_GRAPH_SPECIALS = frozenset("\\'[],;")


def _escape(text: str, special: frozenset[str]) -> str:
    # whitespace too: both parsers trim it at the ends of a token
    return "".join("\\" + c if c in special or c.isspace() else c for c in text)


def escape_option_value(value: str) -> str:
    """Escape a value for the filter option parser (first level)."""
    return _escape(value, _OPTION_SPECIALS)


def escape_graph_text(text: str) -> str:
    """Escape a filter's whole argument string for the graph parser (second level)."""
    return _escape(text, _GRAPH_SPECIALS)


def ass_filter_path(path: str | os.PathLike[str]) -> str:
    """A file path escaped for the ``filename`` of ffmpeg's ``ass``/``subtitles`` filter.

    Escapes twice, as the filtergraph parser and then the option parser each remove one
    level: use as ``-vf ass=filename=<this>`` (an argv element, no shell involved).
    """
    return escape_graph_text(escape_option_value(os.fspath(path)))


def format_value(value: OptionValue) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        return f"{float(value):.6f}".rstrip("0").rstrip(".")
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".") or "0"
    return str(value)


@dataclass(frozen=True)
class Filter:
    """One filter: name plus options in order (``None`` values are left out)."""

    name: str
    options: tuple[tuple[str, OptionValue], ...] = ()
    positional: tuple[OptionValue, ...] = ()

    def render(self) -> str:
        parts = [escape_option_value(format_value(v)) for v in self.positional]
        parts += [f"{k}={escape_option_value(format_value(v))}" for k, v in self.options]
        if not parts:
            return self.name
        return f"{self.name}={escape_graph_text(':'.join(parts))}"


def f(name: str, *positional: OptionValue, **options: OptionValue | None) -> Filter:
    """Shorthand: ``f("scale", w=1920, h=1080)``; options with None are omitted."""
    kept = tuple((k, v) for k, v in options.items() if v is not None)
    return Filter(name, kept, tuple(positional))


@dataclass(frozen=True)
class Chain:
    """``[in1][in2]filter1,filter2[out]``: a linear chain between labelled pads."""

    inputs: tuple[str, ...]
    filters: tuple[Filter, ...]
    outputs: tuple[str, ...] = ()

    def render(self) -> str:
        ins = "".join(f"[{label}]" for label in self.inputs)
        outs = "".join(f"[{label}]" for label in self.outputs)
        return ins + ",".join(flt.render() for flt in self.filters) + outs


@dataclass
class Graph:
    """An ordered list of chains; ``render()`` gives the -filter_complex argument."""

    chains: list[Chain] = field(default_factory=list)

    def add(
        self, inputs: Sequence[str], filters: Iterable[Filter], outputs: Sequence[str] = ()
    ) -> None:
        self.chains.append(Chain(tuple(inputs), tuple(filters), tuple(outputs)))

    def render(self) -> str:
        return ";".join(chain.render() for chain in self.chains)

    def labels(self) -> tuple[set[str], set[str]]:
        """(labels consumed, labels produced): for checking the graph is closed."""
        consumed = {label for c in self.chains for label in c.inputs}
        produced = {label for c in self.chains for label in c.outputs}
        return consumed, produced
