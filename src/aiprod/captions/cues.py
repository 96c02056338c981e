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

The work is split across: ``model`` (CaptionWord, Cue, WordSpan), ``text`` (widths, scripts,
line-break rules), ``segment`` (tokens, groups, cue boundaries, timing) and ``layout`` (lines
of one cue, ``word_spans``). This module ties them together and re-exports the public API.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiprod.captions.layout import layout_lines, word_spans
from aiprod.captions.model import CaptionWord, Cue
from aiprod.captions.segment import (
    Group,
    Params,
    Token,
    build_groups,
    build_tokens,
    cue_start,
    segment_cues,
    timed_end,
)

__all__ = ["CaptionWord", "Cue", "build_cues", "word_spans"]


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
    p = Params(
        max_chars=max_chars_per_line,
        max_lines=max_lines,
        max_cps=max_cps,
        min_duration=min_duration,
        max_gap=max_gap,
        min_gap=min_gap,
        boundaries=tuple(sorted(float(b) for b in boundaries)),
    )
    tokens = build_tokens(words, p)
    if not tokens:
        return []
    groups = build_groups(tokens)
    return _make_cues(groups, tokens, segment_cues(groups, tokens, p), p)


def _make_cues(
    groups: Sequence[Group],
    tokens: Sequence[Token],
    spans: Sequence[tuple[int, int]],
    p: Params,
) -> list[Cue]:
    cues: list[Cue] = []
    for index, (first, stop) in enumerate(spans):
        cue_tokens = tokens[groups[first].first_token : groups[stop - 1].last_token + 1]
        lines = layout_lines(groups[first:stop], p.max_chars)
        start = cue_start(tokens, groups[first].first_token)
        natural_end = max(t.word.end for t in cue_tokens)
        next_start = None
        if index + 1 < len(spans):
            next_start = cue_start(tokens, groups[spans[index + 1][0]].first_token)
        chars = sum(len(line) for line in lines)
        end = timed_end(start, natural_end, chars, next_start, p)
        cues.append(Cue(start, end, lines, tuple(t.word for t in cue_tokens)))
    return cues
