"""Speech timing to word timing: phonemes grouped into words, words mapped onto spans.

A *span* is ``(start, end)`` in samples, end exclusive. The engines report how many samples
each phoneme took; these helpers group phonemes into spoken words, give each displayed word
its span (by word counts, by matching sounds, or proportionally to length as a fallback)
and convert spans to WordTiming. Pure functions, so all of it is unit-testable.
"""

from __future__ import annotations

import difflib
import itertools
import unicodedata
from collections.abc import Iterable, Sequence

from aiprod.providers.tts.base import WordTiming

Span = tuple[int, int]

# Piper markers: '^' begin, '$' end, '_' pad, ' ' word gap. None of them is speech.
_PHONEME_BOUNDARIES = frozenset({" ", "^", "$", "_"})
_STRESS_MARKS = frozenset({"ˈ", "ˌ"})
_TRAILING_CATEGORIES = frozenset({"Lm", "Mn", "Mc", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po"})
# Numbers are read out as words, so a digit takes about as long as four letters.
_DIGIT_WEIGHT = 4


# --- phonemes to word spans ----------------------------------------------------------------


def _is_punctuation(phoneme: str) -> bool:
    return all(unicodedata.category(ch).startswith("P") for ch in phoneme)


def phoneme_word_spans(alignments: Iterable[tuple[str, int]], offset: int = 0) -> list[Span]:
    """Group ``(phoneme, num_samples)`` pairs into one span per spoken word.

    Words are separated by ``' '`` (and by Piper's '^'/'$' markers, which are silence).
    Punctuation phonemes belong to the preceding word: a group made only of punctuation
    extends the previous word's span instead of counting as a word.
    """
    spans: list[Span] = []
    position = offset
    start: int | None = None
    end = offset
    has_sound = False
    for phoneme, num_samples in [*alignments, (" ", 0)]:
        if phoneme in _PHONEME_BOUNDARIES:
            if start is not None and has_sound:
                spans.append((start, end))
            elif start is not None and spans:
                spans[-1] = (spans[-1][0], end)
            start, has_sound = None, False
        else:
            start = position if start is None else start
            end = position + num_samples
            has_sound = has_sound or not _is_punctuation(phoneme)
        position += num_samples
    return spans


def count_phoneme_words(sentences: Iterable[Sequence[str]]) -> int:
    """How many spoken words ``phoneme_word_spans`` would find in these phoneme sentences."""
    return sum(len(phoneme_word_spans((p, 1) for p in sentence)) for sentence in sentences)


# --- spans to displayed words --------------------------------------------------------------


def distribute(weights: Sequence[int], start: int, end: int) -> list[Span]:
    """Cut ``[start, end)`` into consecutive non-empty spans proportional to ``weights``.

    Needs at least one sample per weight; rounding never produces an empty span.
    """
    count = len(weights)
    if count == 0:
        return []
    if end - start < count:
        raise ValueError(f"cannot split {end - start} samples into {count} non-empty spans")
    total = sum(max(1, w) for w in weights)
    bounds = [start]
    acc = 0
    for weight in weights[:-1]:
        acc += max(1, weight)
        bounds.append(start + round((end - start) * acc / total))
    bounds.append(end)
    # Two passes keep every span at least one sample long whatever the rounding did.
    for i in range(1, count):
        bounds[i] = max(bounds[i], bounds[i - 1] + 1)
    for i in range(count - 1, 0, -1):
        bounds[i] = min(bounds[i], bounds[i + 1] - 1)
    return list(itertools.pairwise(bounds))


def spoken_weight(form: str) -> int:
    """Rough speaking time of a spoken form: its letters, plus 4 per digit, at least 1.

    Punctuation and symbols count for nothing (they are pauses, not words).
    """
    weight = sum(_DIGIT_WEIGHT if ch.isdigit() else 1 for ch in form if ch.isalnum())
    return max(1, weight)


def distribute_by_length(forms: Sequence[str], start: int, end: int) -> list[Span]:
    """Approximate timing: share ``[start, end)`` by the ``spoken_weight`` of each form."""
    return distribute([spoken_weight(form) for form in forms], start, end)


def map_spans_to_words(
    counts: Sequence[int], spoken: Sequence[Span], bounds: Span
) -> list[Span] | None:
    """Give displayed word *i* the union of its ``counts[i]`` spoken-word spans.

    A word that is not spoken (count 0, e.g. '—') gets the silence between its neighbours,
    or between ``bounds`` and its neighbour at a sentence edge. Returns None when the counts
    do not add up to ``len(spoken)`` or a silence is too short; callers then fall back to
    ``distribute_by_length``.
    """
    if sum(counts) != len(spoken) or any(c < 0 for c in counts):
        return None
    slots: list[Span | None] = []
    index = 0
    for count in counts:
        if count == 0:
            slots.append(None)
        else:
            slots.append((spoken[index][0], spoken[index + count - 1][1]))
            index += count
    return _fill_silent_words(slots, bounds)


def _fill_silent_words(slots: list[Span | None], bounds: Span) -> list[Span] | None:
    filled: list[Span] = []
    pending = 0  # silent words waiting for the next spoken word (or the sentence end)
    for slot in [*slots, (bounds[1], bounds[1])]:
        if slot is None:
            pending += 1
            continue
        if pending:
            low = filled[-1][1] if filled else bounds[0]
            if slot[0] - low < pending:
                return None
            filled.extend(distribute([1] * pending, low, slot[0]))
            pending = 0
        filled.append(slot)
    return filled[:-1]


# --- phoneme-level alignment (when whole-word counts disagree) -------------------------------

PhonemeUnit = tuple[str, int, int]  # (sound, start, end) in samples


def _attaches_backward(phoneme: str) -> bool:
    # Length marks, palatalisation, combining diacritics and punctuation extend the sound
    # (or word) before them rather than being sounds of their own.
    return all(unicodedata.category(ch) in _TRAILING_CATEGORIES for ch in phoneme)


def phoneme_units(alignments: Iterable[tuple[str, int]]) -> list[PhonemeUnit]:
    """Speech sounds with their sample spans, ready to be matched across two phonemizations.

    Stress marks join the next sound, length marks/diacritics/punctuation the previous one
    (so punctuation still belongs to the preceding word); word gaps and markers are dropped.
    """
    units: list[PhonemeUnit] = []
    position = 0
    stress_start: int | None = None
    for phoneme, num_samples in alignments:
        end = position + num_samples
        if phoneme in _PHONEME_BOUNDARIES:
            stress_start = None
        elif phoneme in _STRESS_MARKS:
            stress_start = position if stress_start is None else stress_start
        elif _attaches_backward(phoneme):
            if units:
                units[-1] = (units[-1][0], units[-1][1], end)
        else:
            start = position if stress_start is None else stress_start
            units.append((phoneme, start, end))
            stress_start = None
        position = end
    return units


def align_words_by_phonemes(
    word_phonemes: Sequence[Sequence[str]],
    alignments: Sequence[tuple[str, int]],
    bounds: Span,
    min_ratio: float = 0.6,
) -> list[Span] | None:
    """Map displayed words onto the spoken phonemes by matching sounds, not word counts.

    ``word_phonemes[i]`` is displayed word *i* phonemized on its own; ``alignments`` is the
    sentence as spoken, ``(phoneme, num_samples)``. The engine may join words ("in the" ->
    "ɪnðə") or say them differently in context, so the two sound sequences are aligned with
    difflib and each word takes the samples of the sounds it matched. Returns None when the
    sequences are too different (similarity below ``min_ratio``) to trust.
    """
    context = phoneme_units(alignments)
    owners: list[int] = []
    keys: list[str] = []
    for index, phonemes in enumerate(word_phonemes):
        for key, _, _ in phoneme_units((p, 1) for p in phonemes):
            owners.append(index)
            keys.append(key)
    matcher = difflib.SequenceMatcher(None, keys, [u[0] for u in context], autojunk=False)
    if not keys or matcher.ratio() < min_ratio:
        return None
    slots: list[Span | None] = [None] * len(word_phonemes)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag not in ("equal", "replace"):
            continue
        for k in range(i1, i2):
            # Share the matched context sounds among this block's sounds, in order.
            low = j1 + (k - i1) * (j2 - j1) // (i2 - i1)
            high = j1 + (k - i1 + 1) * (j2 - j1) // (i2 - i1)
            if high > low:
                slot = slots[owners[k]]
                start = context[low][1] if slot is None else slot[0]
                slots[owners[k]] = (start, context[high - 1][2])
    return _fill_silent_words(_without_overlaps(slots), bounds)


def _without_overlaps(slots: Sequence[Span | None]) -> list[Span | None]:
    # A sound shared by two words goes to the first; a word left with nothing is "silent".
    result: list[Span | None] = []
    last_end: int | None = None
    for original in slots:
        slot = original
        if slot is not None and last_end is not None and slot[0] < last_end:
            slot = (last_end, slot[1]) if slot[1] > last_end else None
        result.append(slot)
        last_end = slot[1] if slot is not None else last_end
    return result


def to_word_timings(
    words: Sequence[str], spans: Sequence[Span], offset: int, sample_rate: int
) -> list[WordTiming]:
    """Turn per-word sample spans (relative to ``offset``) into WordTiming in seconds."""
    return [
        WordTiming(word, (offset + start) / sample_rate, (offset + end) / sample_rate)
        for word, (start, end) in zip(words, spans, strict=True)
    ]
