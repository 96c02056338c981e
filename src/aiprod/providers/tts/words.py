"""Pure helpers shared by the narration providers.

Displayed words, sentence splitting, the glossary, grouping phonemes into words, mapping
speech spans (in samples) onto displayed words, and the small audio helpers both providers
need. Nothing here loads a model or starts a process, so it is all unit-testable.

Vocabulary: a *displayed word* is what captions show (a whitespace token such as
``"beans,"``); its *spoken form* is what the voice is asked to say after the glossary; a
*span* is ``(start, end)`` in samples, end exclusive.
"""

from __future__ import annotations

import difflib
import itertools
import os
import re
import tempfile
import unicodedata
import wave
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from aiprod.errors import ProviderRejectedInput
from aiprod.providers.tts.base import WordTiming

Span = tuple[int, int]
Int16Audio = npt.NDArray[np.int16]

# Closing quotes/brackets that may follow a sentence terminator ('He said "no."').
_CLOSERS = "\"'”’»)]」』）"
_SENTENCE_END = re.compile(r"[.!?…。！？]+[" + re.escape(_CLOSERS) + r"]*$")
# CJK text has no spaces between sentences, so a whitespace token may hold several.
_CJK_PIECE = re.compile(r"[^。！？]*[。！？]+[" + re.escape(_CLOSERS) + r"]*|[^。！？]+")
# Abbreviations whose final '.' is not a sentence end. Kept deliberately small: a miss only
# costs one extra inter-sentence pause, never a lost or misplaced word.
_ABBREVIATIONS = frozenset(
    {"mr.", "mrs.", "ms.", "dr.", "prof.", "st.", "vs.", "e.g.", "i.e.", "jr.", "sr."}
)
_OPENERS = "\"'“‘«([「『（"
_EDGES = re.compile(r"^(\W*)(.*?)(\W*)$", re.DOTALL)
# Piper markers: '^' begin, '$' end, '_' pad, ' ' word gap. None of them is speech.
_PHONEME_BOUNDARIES = frozenset({" ", "^", "$", "_"})
_STRESS_MARKS = frozenset({"ˈ", "ˌ"})
_TRAILING_CATEGORIES = frozenset({"Lm", "Mn", "Mc", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po"})
# Both engines read "[[ ... ]]" as raw phoneme input; narration text must never be.
_PHONEME_MARKUP = re.compile(r"\[{2,}")
# Emoji (pictographs, dingbats, joiners, variation selectors, tags). Engines read them as
# their Unicode names ("slightly smiling face"), which no narrator would say.
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u200d\ufe0f\U000e0020-\U000e007f]")
# Numbers are read out as words, so a digit takes about as long as four letters.
_DIGIT_WEIGHT = 4


@dataclass(frozen=True)
class SentencePlan:
    """One sentence: its displayed words and, index for index, their spoken forms."""

    words: tuple[str, ...]
    spoken: tuple[str, ...]

    @property
    def spoken_text(self) -> str:
        """The text handed to the voice (glossary applied, empty spoken forms dropped)."""
        return " ".join(form for form in self.spoken if form.strip())


@dataclass(frozen=True)
class Segment:
    """Audio for one sentence plus one span per displayed word, relative to the segment."""

    words: tuple[str, ...]
    audio: Int16Audio
    spans: tuple[Span, ...]


# --- words and sentences -------------------------------------------------------------------


def displayed_words(text: str) -> list[str]:
    """Whitespace tokens of ``text``; a CJK token is also cut after each 。！？."""
    words: list[str] = []
    for token in text.split():
        words.extend(_CJK_PIECE.findall(token))
    return words


def ends_sentence(word: str) -> bool:
    """Whether ``word`` closes a sentence (terminator, maybe a closer; not an abbreviation)."""
    if not _SENTENCE_END.search(word):
        return False
    return word.lstrip(_OPENERS).casefold() not in _ABBREVIATIONS


def split_sentences(words: Sequence[str]) -> list[list[str]]:
    """Group displayed words into sentences; every word lands in exactly one sentence.

    A "sentence" without any letter or digit (a lone '—', '...', an emoji) is merged into
    its neighbour: alone it may synthesise to nothing, and then its words could not be timed.
    """
    sentences: list[list[str]] = []
    current: list[str] = []
    for word in words:
        current.append(word)
        if ends_sentence(word):
            sentences.append(current)
            current = []
    if current:
        sentences.append(current)
    merged: list[list[str]] = []
    for sentence in sentences:
        if merged and not (_has_alnum(sentence) and _has_alnum(merged[-1])):
            merged[-1].extend(sentence)
        else:
            merged.append(list(sentence))
    return merged


def _has_alnum(words: Iterable[str]) -> bool:
    return any(ch.isalnum() for word in words for ch in word)


def primary_language(tag: str) -> str:
    """The primary subtag of a BCP-47 tag, lower case: 'en_US' and 'en-us' give 'en'."""
    return tag.strip().replace("_", "-").casefold().split("-")[0]


# --- glossary ------------------------------------------------------------------------------


def _split_edges(word: str) -> tuple[str, str, str]:
    match = _EDGES.match(word)
    assert match is not None  # the pattern matches any string
    return match.group(1), match.group(2), match.group(3)


def normalize_glossary(glossary: Mapping[str, str] | None) -> dict[str, str]:
    """Key each entry by its casefolded core (surrounding punctuation removed).

    Keys are single words; a key that is only punctuation can never match and is dropped.
    """
    normalized: dict[str, str] = {}
    for written, spoken in (glossary or {}).items():
        core = _split_edges(written.strip())[1].casefold()
        if core:
            normalized[core] = spoken.strip()
    return normalized


def spoken_form(word: str, glossary: Mapping[str, str]) -> str:
    """``word`` with its core replaced by the glossary entry, punctuation kept around it.

    ``glossary`` must come from ``normalize_glossary``. ``"AIPROD,"`` with
    ``{"aiprod": "ay prod"}`` becomes ``"ay prod,"`` so the comma still shapes the prosody.
    Emoji are not spoken (an emoji-only word has the spoken form ``""``) and ``"[["`` is
    reduced to ``"["`` so no text is taken as phoneme markup.
    """
    lead, core, trail = _split_edges(word)
    replacement = glossary.get(core.casefold())
    spoken = word if replacement is None else f"{lead}{replacement}{trail}"
    return _PHONEME_MARKUP.sub("[", _EMOJI.sub("", spoken))


def plan_sentences(text: str, glossary: Mapping[str, str] | None) -> list[SentencePlan]:
    """Split ``text`` into sentences of displayed words and their spoken forms.

    Raises ProviderRejectedInput when there is nothing to say.
    """
    words = displayed_words(text)
    if not words:
        raise ProviderRejectedInput("narration text is empty")
    table = normalize_glossary(glossary)
    return [
        SentencePlan(tuple(sentence), tuple(spoken_form(w, table) for w in sentence))
        for sentence in split_sentences(words)
    ]


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


# --- audio ---------------------------------------------------------------------------------


def voiced_span(samples: Int16Audio, sample_rate: int, floor_db: float = -40.0) -> Span:
    """``[start, end)`` of the part louder than ``floor_db`` below the loudest 10 ms frame.

    Used to trim leading/trailing near-silence; all of ``samples`` when it is silent.
    """
    length = len(samples)
    frame = max(1, sample_rate // 100)
    frames = -(-length // frame)
    if frames == 0:
        return (0, 0)
    padded = np.zeros(frames * frame, dtype=np.float64)
    padded[:length] = samples
    rms = np.sqrt(np.mean(padded.reshape(frames, frame) ** 2, axis=1))
    peak = float(rms.max())
    if peak <= 0.0:
        return (0, length)
    loud = np.flatnonzero(rms >= peak * 10.0 ** (floor_db / 20.0))
    return (int(loud[0]) * frame, min(length, (int(loud[-1]) + 1) * frame))


def silence(num_samples: int) -> Int16Audio:
    """``num_samples`` of digital silence."""
    return np.zeros(max(0, num_samples), dtype=np.int16)


def assemble(
    segments: Sequence[Segment], pause_samples: int, sample_rate: int
) -> tuple[Int16Audio, list[WordTiming]]:
    """Concatenate sentence segments with a fixed pause between them; offset their timings."""
    pieces: list[Int16Audio] = []
    timings: list[WordTiming] = []
    offset = 0
    for index, segment in enumerate(segments):
        if index:
            pieces.append(silence(pause_samples))
            offset += pause_samples
        pieces.append(segment.audio)
        timings.extend(to_word_timings(segment.words, segment.spans, offset, sample_rate))
        offset += len(segment.audio)
    audio = np.concatenate(pieces) if pieces else silence(0)
    return audio, timings


def write_wav(path: Path, samples: Int16Audio, sample_rate: int) -> None:
    """Write mono 16-bit PCM, atomically (temp file + rename) so readers never see half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        with wave.open(tmp_name, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(sample_rate)
            wav.writeframes(samples.astype("<i2").tobytes())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
