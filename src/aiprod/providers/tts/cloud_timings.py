"""Vendor timings to word timings: characters (ElevenLabs), marks (Google), a transcript
(OpenAI speech aligned by Whisper).

A cloud voice is sent the whole scene at once: the spoken forms of the displayed words
joined by spaces (:class:`ScenePlan`). Whatever the vendor reports is turned into one
sample span per displayed word; words that are not spoken (an emoji, a lone dash) get the
silence between their neighbours, and when the vendor's timings cannot be matched at all
the voiced part of the clip is shared by word length (``distribute_by_length``), as the
local voices do. Pure functions: unit-tested without a network.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aiprod.providers.tts.alignment import Span, distribute_by_length, map_spans_to_words
from aiprod.providers.tts.sentences import plan_sentences

_WORD_CORE = re.compile(r"\w+")


@dataclass(frozen=True)
class ScenePlan:
    """A scene's displayed words, their spoken forms, and where each form sits in ``text``."""

    words: tuple[str, ...]
    spoken: tuple[str, ...]
    text: str
    offsets: tuple[tuple[int, int] | None, ...]  # None: a word with nothing to say

    @classmethod
    def of(cls, text: str, glossary: Mapping[str, str] | None) -> ScenePlan:
        words: list[str] = []
        spoken: list[str] = []
        for sentence in plan_sentences(text, glossary):
            words.extend(sentence.words)
            spoken.extend(sentence.spoken)
        offsets: list[tuple[int, int] | None] = []
        parts: list[str] = []
        position = 0
        for form in spoken:
            if not form.strip() or not _WORD_CORE.search(form):
                offsets.append(None)
                if form.strip():  # punctuation only: still sent, for the prosody
                    position += len(form) + (1 if parts else 0)
                    parts.append(form)
                continue
            position += 1 if parts else 0
            offsets.append((position, position + len(form)))
            parts.append(form)
            position += len(form)
        return cls(tuple(words), tuple(spoken), " ".join(parts), tuple(offsets))


def finish_spans(
    plan: ScenePlan, slots: Sequence[Span | None], total: int, voiced: Span
) -> list[Span]:
    """One non-empty, ordered span per displayed word from the words the vendor timed."""
    clean: list[Span | None] = []
    last = 0
    for slot in slots:
        if slot is None:
            clean.append(None)
            continue
        start = max(slot[0], last)
        end = min(max(slot[1], start + 1), total)
        if start >= total or end <= start:
            clean.append(None)
            continue
        clean.append((start, end))
        last = end
    timed = [s for s in clean if s is not None]
    if timed:
        counts = [0 if s is None else 1 for s in clean]
        mapped = map_spans_to_words(counts, timed, (0, total))
        if mapped is not None:
            return mapped
    low, high = voiced if voiced[1] - voiced[0] >= len(plan.words) else (0, total)
    return distribute_by_length(plan.spoken, low, high)


def spans_from_characters(
    plan: ScenePlan,
    characters: Sequence[str],
    starts: Sequence[float],
    ends: Sequence[float],
    sample_rate: int,
) -> list[Span | None]:
    """ElevenLabs ``alignment``: per character of the text sent, its start and end seconds.

    The characters are matched to the text sent (they normally are that text; difflib keeps
    the mapping right when the vendor normalised a few), then each word takes the time from
    its first to its last matched character.
    """
    if not (len(characters) == len(starts) == len(ends)):
        return [None] * len(plan.words)
    heard = "".join(c[:1] if c else " " for c in characters)
    index: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(None, plan.text, heard, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            index[block.a + k] = block.b + k
    slots: list[Span | None] = []
    for offset in plan.offsets:
        hits = [index[i] for i in range(*offset) if i in index] if offset else []
        if not hits:
            slots.append(None)
            continue
        start_s, end_s = float(starts[hits[0]]), float(ends[hits[-1]])
        slots.append((round(start_s * sample_rate), round(end_s * sample_rate)))
    return slots


def mark_name(index: int) -> str:
    """The SSML ``<mark>`` name put before displayed word ``index``."""
    return f"w{index}"


def spans_from_marks(
    plan: ScenePlan, marks: Mapping[str, float], sample_rate: int, voiced_end: int
) -> list[Span | None]:
    """Google ``timepoints``: each word starts at its mark and ends where the next timed
    word starts (the last one at the end of the voiced audio)."""
    starts: list[int | None] = []
    for index, offset in enumerate(plan.offsets):
        seconds = marks.get(mark_name(index)) if offset else None
        starts.append(None if seconds is None else round(float(seconds) * sample_rate))
    slots: list[Span | None] = []
    for index, start in enumerate(starts):
        if start is None:
            slots.append(None)
            continue
        later = [s for s in starts[index + 1 :] if s is not None]
        slots.append((start, later[0] if later else max(voiced_end, start + 1)))
    return slots


def _key(word: str) -> str:
    return "".join(_WORD_CORE.findall(word.casefold()))


def spans_from_transcript(
    plan: ScenePlan, heard: Sequence[tuple[str, float, float]], sample_rate: int
) -> list[Span | None]:
    """Whisper's words ``(text, start, end)`` matched to the spoken forms by their letters.

    A spoken form may be several words ("ay prod") and Whisper may split or join words
    differently, so both sides are cut into word cores and aligned with difflib; a
    displayed word takes the time of the cores it matched.
    """
    owners: list[int] = []
    keys: list[str] = []
    for index, (form, offset) in enumerate(zip(plan.spoken, plan.offsets, strict=True)):
        if offset is None:
            continue
        for core in _WORD_CORE.findall(form.casefold()):
            owners.append(index)
            keys.append(core)
    heard_keys = [_key(text) for text, _, _ in heard]
    matcher = difflib.SequenceMatcher(None, keys, heard_keys, autojunk=False)
    slots: list[Span | None] = [None] * len(plan.words)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag not in ("equal", "replace"):
            continue
        for k in range(i1, i2):
            low = j1 + (k - i1) * (j2 - j1) // (i2 - i1)
            high = max(low + 1, j1 + (k - i1 + 1) * (j2 - j1) // (i2 - i1))
            start = round(heard[low][1] * sample_rate)
            end = round(heard[min(high, j2) - 1][2] * sample_rate)
            slot = slots[owners[k]]
            slots[owners[k]] = (start if slot is None else slot[0], end)
    return slots
