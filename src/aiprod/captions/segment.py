"""Cue segmentation: timed words to tokens, unbreakable groups, and cue boundaries.

Words become tokens of layout atoms (a word too long for a whole cue is cut into pieces with
interpolated times); atoms no line may break between form groups. A new cue must start after
a sentence end or a long pause; between those hard cuts, dynamic programming picks the cue
boundaries that keep reading speed, duration and fill balanced, preferring clause ends.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

from aiprod.captions.model import CaptionWord
from aiprod.captions.text import BreakKind, break_kind, display_width, joint, word_atoms

# --------------------------------------------------------------------------- tokens, groups


@dataclass(frozen=True)
class Token:
    word: CaptionWord
    atoms: tuple[tuple[str, str], ...]
    joiner: str  # before the first atom
    breakable: bool  # may a line (and so a cue) break before this token


@dataclass(frozen=True)
class Group:
    """Atoms no line may break between: the unit of line layout."""

    text: str
    width: int
    joiner: str
    first_token: int
    last_token: int
    cue_cut: bool  # starts at a token boundary, so a cue may start here


@dataclass(frozen=True)
class Params:
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


def build_groups(tokens: Sequence[Token]) -> list[Group]:
    groups: list[Group] = []
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
            groups.append(Group(text, display_width(text), joiner, index, index, first))
    return groups


def greedy_lines(groups: Sequence[Group], max_chars: int) -> Iterator[int]:
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


def _fragment(word: CaptionWord, atoms: tuple[tuple[str, str], ...], p: Params) -> list[Token]:
    """Split a word too long for one cue into line-sized words with interpolated times."""
    groups = build_groups([Token(word, atoms, "", True)])
    pieces: list[list[Group]] = []
    for group, lines in zip(groups, greedy_lines(groups, p.max_chars), strict=True):
        if lines > len(pieces):
            pieces.append([])
        pieces[-1].append(group)
    total = sum(len(g.text) for g in groups)
    tokens, done = [], 0
    for piece in pieces:
        text = join_groups(piece)
        size = sum(len(g.text) for g in piece)
        start = word.start + (word.end - word.start) * done / total
        done += size
        end = word.start + (word.end - word.start) * done / total
        tokens.append(Token(CaptionWord(text, start, end), word_atoms(text), piece[0].joiner, True))
    return tokens


def build_tokens(words: Sequence[CaptionWord], p: Params) -> list[Token]:
    tokens: list[Token] = []
    previous: CaptionWord | None = None
    for word in words:
        _check_word(word, previous)
        previous = word
        atoms = word_atoms(word.text)
        if not atoms:
            continue  # nothing to read; its time is simply not captioned
        pieces = [Token(word, atoms, "", True)]
        if max(greedy_lines(build_groups(pieces), p.max_chars)) > p.max_lines:
            pieces = _fragment(word, atoms, p)
        if tokens:
            joiner, breakable = joint(_token_text(tokens[-1]), _token_text(pieces[0]))
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


def _token_text(token: Token) -> str:
    return "".join(joiner + text for text, joiner in token.atoms)


def join_groups(groups: Sequence[Group]) -> str:
    return "".join((g.joiner if i else "") + g.text for i, g in enumerate(groups))


# --------------------------------------------------------------------------- hard cuts


def _hard_cuts(groups: Sequence[Group], tokens: Sequence[Token], p: Params) -> list[int]:
    """Group indices where a new cue must start: after a sentence or a long pause."""
    cuts = [0]
    for index, group in enumerate(groups[1:], start=1):
        if not group.cue_cut:
            continue
        before, after = tokens[group.first_token - 1], tokens[group.first_token]
        pause = after.word.start - before.word.end
        if pause > p.max_gap or break_kind(before.word.text, after.word.text) == "sentence":
            cuts.append(index)
    return cuts


# --------------------------------------------------------------------------- timing


def timed_end(
    start: float, natural_end: float, chars: int, next_start: float | None, p: Params
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
_BREAK_COST: dict[BreakKind, float] = {"sentence": 0.3, "clause": 0.3, "plain": 2.0}
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


LEAD_IN_S = 0.25  # a cue may appear this much before its first word, as subtitlers do


def cue_start(tokens: Sequence[Token], index: int) -> float:
    """When a cue whose first token is ``tokens[index]`` appears: up to LEAD_IN_S early,
    taking at most half of the pause before the word (the other half lets the previous
    cue stay up longer)."""
    word = tokens[index].word
    pause = word.start - tokens[index - 1].word.end if index else word.start
    return word.start - min(LEAD_IN_S, max(0.0, pause / 2))


def _candidate_cost(
    cand: _Candidate,
    groups: Sequence[Group],
    tokens: Sequence[Token],
    next_start: float | None,
    *,
    chunk_end: bool,
    p: Params,
) -> float:
    start = cue_start(tokens, groups[cand.first].first_token)
    end = timed_end(start, cand.natural_end, cand.chars, next_start, p)
    duration = end - start
    cost = _CUE_COST
    if not chunk_end:
        last = tokens[groups[cand.stop - 1].last_token].word.text
        following = tokens[groups[cand.stop].first_token].word.text
        cost += _BREAK_COST[break_kind(last, following)]
    cost += _CPS_WEIGHT * max(0.0, cand.chars - p.max_cps * duration)
    cost += _SHORT_WEIGHT * max(0.0, p.min_duration - duration)
    slack = 1.0 - min(1.0, cand.width / (p.max_chars * p.max_lines))
    return cost + _FILL_WEIGHT * slack * slack


def _grow(cand: _Candidate, group: Group, tokens: Sequence[Token], lines: int) -> None:
    joiner = len(group.joiner) if cand.stop > cand.first else 0
    cand.width += joiner + group.width
    cand.chars += joiner + len(group.text)
    for index in range(group.first_token, group.last_token + 1):
        cand.natural_end = max(cand.natural_end, tokens[index].word.end)
    cand.stop += 1
    cand.lines = lines


def _segment_chunk(
    groups: Sequence[Group],
    tokens: Sequence[Token],
    span: tuple[int, int],
    next_start: float | None,
    p: Params,
) -> list[tuple[int, int]]:
    """Best split of groups[lo:hi] into cues (dynamic programming over cue boundaries)."""
    lo, hi = span
    best: dict[int, tuple[float, int]] = {hi: (0.0, hi)}
    for first in reversed([g for g in range(lo, hi) if groups[g].cue_cut]):
        cand = _Candidate(first, stop=first)
        line_counts = greedy_lines(groups[first:hi], p.max_chars)
        for group, lines in zip(groups[first:hi], line_counts, strict=True):
            if lines > p.max_lines and first in best:
                break  # too many lines, and adding groups never reduces the count
            _grow(cand, group, tokens, lines)
            if cand.stop not in best:
                continue  # a cue cannot end inside a word or between glued words
            following = next_start
            if cand.stop < hi:
                following = cue_start(tokens, groups[cand.stop].first_token)
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


def segment_cues(
    groups: Sequence[Group], tokens: Sequence[Token], p: Params
) -> list[tuple[int, int]]:
    """Cues as ``[first, stop)`` group spans: hard cuts first, then the best split of each chunk."""
    hard = [*_hard_cuts(groups, tokens, p), len(groups)]
    spans: list[tuple[int, int]] = []
    for lo, hi in pairwise(hard):
        next_start = cue_start(tokens, groups[hi].first_token) if hi < len(groups) else None
        spans.extend(_segment_chunk(groups, tokens, (lo, hi), next_start, p))
    return spans
