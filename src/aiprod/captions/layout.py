"""Line layout of one cue, and where each of its words sits in its lines."""

from __future__ import annotations

import math
from collections.abc import Sequence

from aiprod.captions.model import Cue, WordSpan
from aiprod.captions.segment import Group, greedy_lines, join_groups
from aiprod.captions.text import break_kind, normalise_word_text


def layout_lines(groups: Sequence[Group], max_chars: int) -> tuple[str, ...]:
    """Lines for one cue: as few as possible, balanced, preferring breaks after punctuation."""
    count = max(greedy_lines(groups, max_chars))
    if count == 1:
        return (join_groups(groups),)
    prefix = [0]
    for group in groups:
        prefix.append(prefix[-1] + len(group.joiner) + group.width)

    def width(i: int, k: int) -> int:
        return prefix[k] - prefix[i] - len(groups[i].joiner)

    size, target = len(groups), (prefix[-1] - len(groups[0].joiner)) / count
    bonus = 2 * (max_chars / 4) ** 2
    inf = math.inf
    best = [[inf] * (size + 1) for _ in range(count + 1)]
    back = [[0] * (size + 1) for _ in range(count + 1)]
    best[0][0] = 0.0
    for line in range(1, count + 1):
        for stop in range(1, size + 1):
            for first in range(stop - 1, -1, -1):
                w = width(first, stop)
                if w > max_chars and stop - first > 1:
                    break
                cost = best[line - 1][first] + (w - target) ** 2
                if stop < size:  # an upper line: favour punctuation and a bottom-heavy shape
                    ends_phrase = break_kind(groups[stop - 1].text, None) != "plain"
                    cost += 0.1 * w - (bonus if ends_phrase else 0.0)
                if cost < best[line][stop]:
                    best[line][stop], back[line][stop] = cost, first
    lines, stop = [], size
    for line in range(count, 0, -1):
        first = back[line][stop]
        lines.append(join_groups(groups[first:stop]))
        stop = first
    return tuple(reversed(lines))


def word_spans(cue: Cue) -> tuple[tuple[WordSpan, ...], ...]:
    """Where each of ``cue.words`` appears in ``cue.lines`` (one tuple of spans per word).

    A word broken across lines has one span per line; a blank word has none. Works for any
    cue whose lines are its words joined by single spaces, nothing, or line breaks (as
    ``build_cues`` makes them); raises ValueError otherwise.
    """
    cursor = _Cursor(cue.lines)
    result: list[tuple[WordSpan, ...]] = []
    for word in cue.words:
        positions: list[tuple[int, int]] = []
        for index, char in enumerate(normalise_word_text(word.text)):
            if char == " ":
                cursor.skip_break()
                continue
            positions.append(cursor.take(char, word_start=index == 0))
        result.append(_spans(positions))
    return tuple(result)


class _Cursor:
    """Reads a cue's lines character by character, stepping over line breaks."""

    def __init__(self, lines: Sequence[str]) -> None:
        # With no lines at all, the first character read raises ValueError.
        self.lines, self.line, self.col = tuple(lines) or ("",), 0, 0

    def _at_line_end(self) -> bool:
        return self.col >= len(self.lines[self.line])

    def _next_line(self) -> None:
        if self.line + 1 >= len(self.lines):
            raise ValueError("cue words do not match its lines")
        self.line, self.col = self.line + 1, 0

    def skip_break(self) -> None:
        """Consume the space or line break that replaced a space inside a word."""
        if self._at_line_end():
            self._next_line()
        elif self.lines[self.line][self.col] == " ":
            self.col += 1
        else:
            raise ValueError("cue words do not match its lines")

    def take(self, char: str, *, word_start: bool) -> tuple[int, int]:
        if self._at_line_end():
            self._next_line()
        if word_start and char != " " and self.lines[self.line][self.col : self.col + 1] == " ":
            self.skip_break()
        if self.lines[self.line][self.col : self.col + 1] != char:
            raise ValueError("cue words do not match its lines")
        self.col += 1
        return self.line, self.col - 1


def _spans(positions: Sequence[tuple[int, int]]) -> tuple[WordSpan, ...]:
    spans: list[WordSpan] = []
    for line, col in positions:
        if spans and spans[-1].line == line and spans[-1].end == col:
            spans[-1] = spans[-1]._replace(end=col + 1)
        else:
            spans.append(WordSpan(line, col, col + 1))
    return tuple(spans)
