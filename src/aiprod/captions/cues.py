"""Timed words in, readable caption cues out (pure functions, no I/O).

Segmentation follows subtitle practice (Netflix/BBC style guides): a cue never spans a
sentence end or a long pause; inside a sentence it prefers to break after a comma, then
wherever keeps cues balanced and within ``max_lines`` lines of ``max_chars_per_line``.
Line length is measured in *display columns*: East Asian wide characters count 2, because a
CJK glyph is about twice as wide as a Latin letter and 42 of them would not fit on screen.

Chinese and Japanese have no spaces: consecutive words in those scripts are joined without
one, and a line may break between their characters (never before closing punctuation or
small kana, never after an opening bracket). Right-to-left text is stored in logical order;
the renderer (libass + FriBidi) does the visual reordering.
"""

from __future__ import annotations

import bisect
import math
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Literal, NamedTuple

__all__ = [
    "CaptionWord",
    "Cue",
    "WordSpan",
    "build_cues",
    "display_width",
    "is_spaceless",
    "normalise_word_text",
    "word_spans",
]


@dataclass(frozen=True)
class CaptionWord:
    """One spoken word (or token) with absolute start/end times in seconds."""

    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Cue:
    """One caption on screen: its time span, its lines (logical order) and its words."""

    start: float
    end: float
    lines: tuple[str, ...]
    words: tuple[CaptionWord, ...]

    @property
    def text(self) -> str:
        """The lines joined by newlines."""
        return "\n".join(self.lines)

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def char_count(self) -> int:
        """Characters a viewer reads: every character of every line, line breaks excluded."""
        return sum(len(line) for line in self.lines)

    @property
    def cps(self) -> float:
        """Reading speed in characters per second (infinite for a zero-length cue)."""
        return self.char_count / self.duration if self.duration > 0 else math.inf


class WordSpan(NamedTuple):
    """Where (part of) a word sits in a cue: ``lines[line][start:end]``."""

    line: int
    start: int
    end: int


# --------------------------------------------------------------------------- scripts

# Scripts written without spaces between words (Han, kana, CJK punctuation, fullwidth forms).
# Hangul is deliberately absent: Korean separates words with spaces.
_SPACELESS_RANGES: tuple[tuple[int, int], ...] = (
    (0x2E80, 0x2FDF),
    (0x3000, 0x30FF),
    (0x3100, 0x312F),
    (0x31A0, 0x31FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),
    (0x20000, 0x3FFFF),
)
_RANGE_STARTS = [lo for lo, _ in _SPACELESS_RANGES]

# Kinsoku shori (Japanese line-breaking rules), plus the Western equivalents.
_NO_LINE_START = frozenset(
    "、。，．・：；？！ー―〜～」』）〕］｝〉》】〗〙〟’”ゝゞヽヾ々〻…‥"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ"
    ",.!?;:)]}%،؛؟"
)
_NO_LINE_END = frozenset("「『（〔［｛〈《【〖〘〝‘“([{")
_GLUE = frozenset("\u200d\ufe0e\ufe0f")  # ZWJ and variation selectors bind to neighbours

_CLOSERS = "\"'”’)\\]」』）"
_SENTENCE_END = re.compile(rf"[.!?…。！？‼⁇⁈⁉]+[{_CLOSERS}]*$")
_CLAUSE_END = re.compile(rf"[,;:—–、，；：]+[{_CLOSERS}]*$")
_ABBREVIATIONS = frozenset({"mr.", "mrs.", "ms.", "dr.", "prof.", "st.", "jr.", "sr.", "vs."})
# Whitespace except the no-break spaces, which must keep their neighbours together.
_BREAKING_SPACE = re.compile(r"[^\S\u00a0\u2007\u202f]+")


def is_spaceless(char: str) -> bool:
    """True for characters of scripts written without spaces between words (CJK)."""
    code = ord(char)
    index = bisect.bisect_right(_RANGE_STARTS, code) - 1
    return index >= 0 and code <= _SPACELESS_RANGES[index][1]


def display_width(text: str) -> int:
    """Width in columns: wide/fullwidth characters count 2, combining and format marks 0."""
    width = 0
    for char in text:
        category = unicodedata.category(char)
        if category in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def normalise_word_text(text: str) -> str:
    """A word's text as captions show it: trimmed, inner whitespace runs collapsed to one space."""
    return " ".join(part for part in _BREAKING_SPACE.split(text) if part)


def _break_allowed(before: str, after: str) -> bool:
    """May a line break between two adjacent characters of one spaceless-script run?"""
    if not (is_spaceless(before) or is_spaceless(after)):
        return False
    if after in _NO_LINE_START or before in _NO_LINE_END:
        return False
    return unicodedata.category(after)[0] != "M" and after not in _GLUE and before not in _GLUE


def _split_spaceless(part: str) -> list[str]:
    """Split a space-free run into the smallest pieces a line may break between."""
    pieces = [part[0]]
    for before, after in pairwise(part):
        if _break_allowed(before, after):
            pieces.append(after)
        else:
            pieces[-1] += after
    return pieces


def _atoms(text: str) -> tuple[tuple[str, str], ...]:
    """Layout atoms of a word as (text, joiner before it); joiners are ' ' or ''."""
    atoms: list[tuple[str, str]] = []
    normalised = normalise_word_text(text)
    for part in normalised.split(" ") if normalised else ():
        for index, piece in enumerate(_split_spaceless(part)):
            atoms.append((piece, " " if index == 0 and atoms else ""))
    return tuple(atoms)


def _joint(before: str, after: str) -> tuple[str, bool]:
    """Joiner between two consecutive words' texts, and whether a break may fall there."""
    if after[0] in _NO_LINE_START and all(unicodedata.category(c)[0] == "P" for c in after):
        return "", False  # a stand-alone ',' or '。' token sticks to the word before it
    if is_spaceless(before[-1]) and is_spaceless(after[0]):
        return "", _break_allowed(before[-1], after[0])
    return " ", True


# --------------------------------------------------------------------------- tokens, groups


@dataclass(frozen=True)
class _Token:
    word: CaptionWord
    atoms: tuple[tuple[str, str], ...]
    joiner: str  # before the first atom
    breakable: bool  # may a line (and so a cue) break before this token


@dataclass(frozen=True)
class _Group:
    """Atoms no line may break between: the unit of line layout."""

    text: str
    width: int
    joiner: str
    first_token: int
    last_token: int
    cue_cut: bool  # starts at a token boundary, so a cue may start here


@dataclass(frozen=True)
class _Params:
    max_chars: int
    max_lines: int
    max_cps: float
    min_duration: float
    max_gap: float
    min_gap: float
    boundaries: tuple[float, ...]

    def __post_init__(self) -> None:
        if self.max_chars < 1 or self.max_lines < 1:
            raise ValueError("max_chars_per_line and max_lines must be at least 1")
        if not self.max_cps > 0:
            raise ValueError("max_cps must be positive")
        if min(self.min_duration, self.max_gap, self.min_gap) < 0:
            raise ValueError("min_duration, max_gap and min_gap must not be negative")


def _groups(tokens: Sequence[_Token]) -> list[_Group]:
    groups: list[_Group] = []
    for index, token in enumerate(tokens):
        for position, (text, inner_joiner) in enumerate(token.atoms):
            first = position == 0
            joiner = token.joiner if first else inner_joiner
            if groups and first and not token.breakable:
                last = groups[-1]
                merged = last.text + joiner + text
                groups[-1] = replace(
                    last, text=merged, width=display_width(merged), last_token=index
                )
                continue
            joiner = joiner if groups else ""
            groups.append(_Group(text, display_width(text), joiner, index, index, first))
    return groups


def _greedy_lines(groups: Sequence[_Group], max_chars: int) -> Iterator[int]:
    """Line count after each group when filling lines greedily (the minimum possible)."""
    count, width, full = 0, 0, False
    for group in groups:
        extra = len(group.joiner) + group.width
        if count and not full and width + extra <= max_chars:
            width += extra
        else:
            count, width = count + 1, group.width
        full = group.width > max_chars  # an over-long group keeps its line to itself
        yield count


def _fragment(word: CaptionWord, atoms: tuple[tuple[str, str], ...], p: _Params) -> list[_Token]:
    """Split a word too long for one cue into line-sized words with interpolated times."""
    groups = _groups([_Token(word, atoms, "", True)])
    pieces: list[list[_Group]] = []
    for group, lines in zip(groups, _greedy_lines(groups, p.max_chars), strict=True):
        if lines > len(pieces):
            pieces.append([])
        pieces[-1].append(group)
    total = sum(len(g.text) for g in groups)
    tokens, done = [], 0
    for piece in pieces:
        text = _join_groups(piece)
        size = sum(len(g.text) for g in piece)
        start = word.start + (word.end - word.start) * done / total
        done += size
        end = word.start + (word.end - word.start) * done / total
        tokens.append(_Token(CaptionWord(text, start, end), _atoms(text), piece[0].joiner, True))
    return tokens


def _tokens(words: Sequence[CaptionWord], p: _Params) -> list[_Token]:
    tokens: list[_Token] = []
    previous: CaptionWord | None = None
    for word in words:
        _check_word(word, previous)
        previous = word
        atoms = _atoms(word.text)
        if not atoms:
            continue  # nothing to read; its time is simply not captioned
        pieces = [_Token(word, atoms, "", True)]
        if max(_greedy_lines(_groups(pieces), p.max_chars)) > p.max_lines:
            pieces = _fragment(word, atoms, p)
        if tokens:
            joiner, breakable = _joint(_token_text(tokens[-1]), _token_text(pieces[0]))
            pieces[0] = replace(pieces[0], joiner=joiner, breakable=breakable)
        tokens.extend(pieces)
    return tokens


def _check_word(word: CaptionWord, previous: CaptionWord | None) -> None:
    if not (math.isfinite(word.start) and math.isfinite(word.end)):
        raise ValueError(f"word {word.text!r} has a non-finite time")
    if word.start < 0 or word.end < word.start:
        raise ValueError(f"word {word.text!r} has an invalid span {word.start}..{word.end}")
    if previous is not None and word.start < previous.start:
        raise ValueError(f"word {word.text!r} starts before the word {previous.text!r}")


def _token_text(token: _Token) -> str:
    return "".join(joiner + text for text, joiner in token.atoms)


def _join_groups(groups: Sequence[_Group]) -> str:
    return "".join((g.joiner if i else "") + g.text for i, g in enumerate(groups))


# --------------------------------------------------------------------------- breaks

_BreakKind = Literal["sentence", "clause", "plain"]


def _break_kind(text: str, next_text: str | None) -> _BreakKind:
    """How natural a break after ``text`` is: a sentence end, a clause end, or neither."""
    stripped = normalise_word_text(text)
    if _SENTENCE_END.search(stripped):
        if stripped.lower() in _ABBREVIATIONS or re.fullmatch(r"\w\.", stripped):
            return "plain"
        # "wait... what" is one sentence: a lowercase continuation makes it a clause break.
        return "clause" if next_text and next_text.lstrip()[:1].islower() else "sentence"
    return "clause" if _CLAUSE_END.search(stripped) else "plain"


def _hard_cuts(groups: Sequence[_Group], tokens: Sequence[_Token], p: _Params) -> list[int]:
    """Group indices where a new cue must start: after a sentence or a long pause."""
    cuts = [0]
    for index, group in enumerate(groups[1:], start=1):
        if not group.cue_cut:
            continue
        before, after = tokens[group.first_token - 1], tokens[group.first_token]
        pause = after.word.start - before.word.end
        if pause > p.max_gap or _break_kind(before.word.text, after.word.text) == "sentence":
            cuts.append(index)
    return cuts


# --------------------------------------------------------------------------- timing


def _timed_end(
    start: float, natural_end: float, chars: int, next_start: float | None, p: _Params
) -> float:
    """End time: extended for min duration and reading speed, never into the next cue."""
    wanted = max(natural_end, start + p.min_duration, start + chars / p.max_cps)
    wall_index = bisect.bisect_left(p.boundaries, natural_end)
    if wall_index < len(p.boundaries):
        wanted = max(natural_end, min(wanted, p.boundaries[wall_index]))
    if next_start is None:
        return wanted
    end = min(wanted, next_start - p.min_gap)
    if end <= start:  # no room for a gap: abut the next cue rather than vanish
        end = min(wanted, next_start)
    return max(end, start)


# --------------------------------------------------------------------------- segmentation

_CUE_COST = 1.0
_BREAK_COST: dict[_BreakKind, float] = {"sentence": 0.3, "clause": 0.3, "plain": 2.0}
_CPS_WEIGHT = 4.0  # per character that cannot be read in time
_SHORT_WEIGHT = 3.0  # per second below min_duration
_FILL_WEIGHT = 3.0  # squared unused capacity: balances cues when a sentence must split


@dataclass
class _Candidate:
    """A possible cue covering groups [first, stop) of one chunk, grown one group at a time."""

    first: int
    stop: int = 0
    lines: int = 0
    width: int = 0
    chars: int = 0
    natural_end: float = 0.0


def _candidate_cost(
    cand: _Candidate,
    groups: Sequence[_Group],
    tokens: Sequence[_Token],
    next_start: float | None,
    *,
    chunk_end: bool,
    p: _Params,
) -> float:
    start = tokens[groups[cand.first].first_token].word.start
    end = _timed_end(start, cand.natural_end, cand.chars, next_start, p)
    duration = end - start
    cost = _CUE_COST
    if not chunk_end:
        last = tokens[groups[cand.stop - 1].last_token].word.text
        following = tokens[groups[cand.stop].first_token].word.text
        cost += _BREAK_COST[_break_kind(last, following)]
    cost += _CPS_WEIGHT * max(0.0, cand.chars - p.max_cps * duration)
    cost += _SHORT_WEIGHT * max(0.0, p.min_duration - duration)
    slack = 1.0 - min(1.0, cand.width / (p.max_chars * p.max_lines))
    return cost + _FILL_WEIGHT * slack * slack


def _grow(cand: _Candidate, group: _Group, tokens: Sequence[_Token], lines: int) -> None:
    joiner = len(group.joiner) if cand.stop > cand.first else 0
    cand.width += joiner + group.width
    cand.chars += joiner + len(group.text)
    for index in range(group.first_token, group.last_token + 1):
        cand.natural_end = max(cand.natural_end, tokens[index].word.end)
    cand.stop += 1
    cand.lines = lines


def _segment_chunk(
    groups: Sequence[_Group],
    tokens: Sequence[_Token],
    span: tuple[int, int],
    next_start: float | None,
    p: _Params,
) -> list[tuple[int, int]]:
    """Best split of groups[lo:hi] into cues (dynamic programming over cue boundaries)."""
    lo, hi = span
    best: dict[int, tuple[float, int]] = {hi: (0.0, hi)}
    for first in reversed([g for g in range(lo, hi) if groups[g].cue_cut]):
        cand = _Candidate(first, stop=first)
        line_counts = _greedy_lines(groups[first:hi], p.max_chars)
        for group, lines in zip(groups[first:hi], line_counts, strict=True):
            if lines > p.max_lines and first in best:
                break  # too many lines, and adding groups never reduces the count
            _grow(cand, group, tokens, lines)
            if cand.stop not in best:
                continue  # a cue cannot end inside a word or between glued words
            following = next_start
            if cand.stop < hi:
                following = tokens[groups[cand.stop].first_token].word.start
            end_of_chunk = cand.stop == hi
            cost = _candidate_cost(cand, groups, tokens, following, chunk_end=end_of_chunk, p=p)
            total = cost + best[cand.stop][0]
            if first not in best or total < best[first][0]:
                best[first] = (total, cand.stop)
    spans, position = [], lo
    while position < hi:
        spans.append((position, best[position][1]))
        position = best[position][1]
    return spans


# --------------------------------------------------------------------------- line layout


def _layout(groups: Sequence[_Group], max_chars: int) -> tuple[str, ...]:
    """Lines for one cue: as few as possible, balanced, preferring breaks after punctuation."""
    count = max(_greedy_lines(groups, max_chars))
    if count == 1:
        return (_join_groups(groups),)
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
                    ends_phrase = _break_kind(groups[stop - 1].text, None) != "plain"
                    cost += 0.1 * w - (bonus if ends_phrase else 0.0)
                if cost < best[line][stop]:
                    best[line][stop], back[line][stop] = cost, first
    lines, stop = [], size
    for line in range(count, 0, -1):
        first = back[line][stop]
        lines.append(_join_groups(groups[first:stop]))
        stop = first
    return tuple(reversed(lines))


# --------------------------------------------------------------------------- public


def build_cues(
    words: Sequence[CaptionWord],
    *,
    max_chars_per_line: int = 42,
    max_lines: int = 2,
    max_cps: float = 20.0,
    min_duration: float = 0.8,
    max_gap: float = 0.6,
    min_gap: float = 0.04,
    boundaries: Sequence[float] = (),
) -> list[Cue]:
    """Segment timed words into caption cues.

    A cue never crosses a sentence end or a pause longer than ``max_gap``; within a sentence
    it breaks preferably after a comma, otherwise where cues stay balanced. Lines are at most
    ``max_chars_per_line`` display columns (a single unbreakable word may exceed it, on a line
    of its own); a word too long for a whole cue is split into pieces with interpolated times.

    A cue spans its first word's start to its last word's end, then is extended to reach
    ``min_duration`` and at most ``max_cps`` characters per second, but never to within
    ``min_gap`` seconds of the next cue nor past the first of ``boundaries`` (e.g. shot cuts,
    the end of the programme) at or after its last word. Words must be in start order;
    words whose text is blank are dropped. Raises ValueError for invalid times or settings.
    """
    p = _Params(
        max_chars=max_chars_per_line,
        max_lines=max_lines,
        max_cps=max_cps,
        min_duration=min_duration,
        max_gap=max_gap,
        min_gap=min_gap,
        boundaries=tuple(sorted(float(b) for b in boundaries)),
    )
    tokens = _tokens(words, p)
    if not tokens:
        return []
    groups = _groups(tokens)
    hard = [*_hard_cuts(groups, tokens, p), len(groups)]
    spans: list[tuple[int, int]] = []
    for lo, hi in pairwise(hard):
        next_start = tokens[groups[hi].first_token].word.start if hi < len(groups) else None
        spans.extend(_segment_chunk(groups, tokens, (lo, hi), next_start, p))
    return _make_cues(groups, tokens, spans, p)


def _make_cues(
    groups: Sequence[_Group],
    tokens: Sequence[_Token],
    spans: Sequence[tuple[int, int]],
    p: _Params,
) -> list[Cue]:
    cues: list[Cue] = []
    for index, (first, stop) in enumerate(spans):
        cue_tokens = tokens[groups[first].first_token : groups[stop - 1].last_token + 1]
        lines = _layout(groups[first:stop], p.max_chars)
        start = cue_tokens[0].word.start
        natural_end = max(t.word.end for t in cue_tokens)
        next_start = None
        if index + 1 < len(spans):
            next_start = tokens[groups[spans[index + 1][0]].first_token].word.start
        chars = sum(len(line) for line in lines)
        end = _timed_end(start, natural_end, chars, next_start, p)
        cues.append(Cue(start, end, lines, tuple(t.word for t in cue_tokens)))
    return cues


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
