"""Narration text to sentences: displayed words, sentence splitting and the glossary.

Vocabulary: a *displayed word* is what captions show (a whitespace token such as
``"beans,"``); its *spoken form* is what the voice is asked to say after the glossary.
Pure functions: nothing here loads a model or starts a process.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from aiprod.errors import ProviderRejectedInput

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
# Both engines read "[[ ... ]]" as raw phoneme input; narration text must never be.
_PHONEME_MARKUP = re.compile(r"\[{2,}")
# Emoji (pictographs, dingbats, joiners, variation selectors, tags). Engines read them as
# their Unicode names ("slightly smiling face"), which no narrator would say.
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u200d\ufe0f\U000e0020-\U000e007f]")


@dataclass(frozen=True)
class SentencePlan:
    """One sentence: its displayed words and, index for index, their spoken forms."""

    words: tuple[str, ...]
    spoken: tuple[str, ...]

    @property
    def spoken_text(self) -> str:
        """The text handed to the voice (glossary applied, empty spoken forms dropped)."""
        return " ".join(form for form in self.spoken if form.strip())


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
