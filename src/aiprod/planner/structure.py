"""Structure in a line: lists of 2-4 parallel items, quotes with their author, comparisons.

>>> find_list("Our beans are organic, fair-trade and roasted by hand.")
['Organic', 'Fair-trade', 'Roasted by hand']
>>> find_quote("« Le meilleur café du quartier » — Julie, Lyon")
('Le meilleur café du quartier', 'Julie, Lyon')
>>> find_comparison("Before: 2 hours of admin. After: 10 minutes.")
['2 hours of admin', '10 minutes']
"""

from __future__ import annotations

import re

from aiprod.planner.textutil import fold, word_set

MAX_ITEMS = 4
MAX_ITEM_WORDS = 6
MAX_ITEM_CHARS = 48
MAX_QUOTE_WORDS = 40
MAX_SENTENCE = 200
MAX_QUOTE_CHARS = 300
BULLET_RE = re.compile(r"^\s*(?:[-•*–·▪✓✔]|\d{1,2}[.)])\s+(?P<item>\S.*)$")
LEADING_WORDS = word_set(
    "the a an our your their its le la les l' un une des nos notre vos votre leurs"
)
AND_RE = re.compile(r"\s(?:and|or|et|ou|&)\s", re.I)
JOINERS = re.compile(r",\s+(?:and|or|et|ou|plus|&)\s+|\s+(?:and|or|et|ou|&)\s+|,\s+", re.I)
QUOTE_PAIRS = (("«", "»"), ("“", "”"), ('"', '"'), ("‘", "’"))
SAYS = r"(?:says|said|writes|explains|dit|a dit|raconte|explique|témoigne|according to|selon)"
NAME = r"(?P<author>[A-ZÀ-Ý][\w.'’-]*(?:[ ,]+[A-ZÀ-Ý][\w.'’-]*){0,3})"
VERSUS_RE = re.compile(r"^(?P<a>.+?)\s+(?:vs\.?|versus|contre)\s+(?P<b>.+)$", re.I)
BEFORE_AFTER_RE = re.compile(
    r"\b(?:before|avant)\s*:?\s+(?P<a>[^.;]+?)[.;,]?\s+(?:after|après|now|maintenant)\s*:?\s+"
    r"(?P<b>[^.;]+)",
    re.I,
)
FROM_TO_RE = re.compile(
    r"\b(?:from|de|du|des)\s+(?P<a>\d[^,;]*?)\s+(?:to|down to|à|a|jusqu'à)\s+(?P<b>\d[^,;.]*)",
    re.I,
)
INSTEAD_RE = re.compile(r"^(?P<b>.+?)\s*,?\s+(?:instead of|au lieu de|rather than)\s+(?P<a>.+)$")


def _tidy_item(item: str) -> str:
    words = item.strip(" .!?;:\"'").split()
    while words and fold(words[0]) in LEADING_WORDS:
        words.pop(0)
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _usable(items: list[str]) -> bool:
    return (
        2 <= len(items) <= MAX_ITEMS
        and all(0 < len(i.split()) <= MAX_ITEM_WORDS and len(i) <= MAX_ITEM_CHARS for i in items)
        and len({fold(i) for i in items}) == len(items)
    )


def bullet_items(text: str) -> list[str] | None:
    """Two to four bullet or numbered lines."""
    items = [m["item"] for line in text.splitlines() if (m := BULLET_RE.match(line))]
    items = [_tidy_item(i) for i in items]
    return items if _usable(items) else None


def sentence_items(text: str) -> list[str] | None:
    """Three or four items in one sentence ('a, b and c'), or two joined by 'and' after a
    colon ('Two things: taste and speed'). The first item keeps as many words as the
    shortest other item."""
    for sentence in re.split(r"(?<=[.!?])\s+|\n", text):
        lead, colon, body = sentence.rpartition(":")
        body = (body if colon else sentence).strip(" .!?")
        parts = [p for p in JOINERS.split(body) if p.strip()]
        pair = len(parts) == 2 and bool(lead.strip()) and bool(AND_RE.search(body))
        if len(parts) < 3 and not pair:
            continue
        keep = min(len(p.split()) for p in parts[1:])
        parts[0] = " ".join(parts[0].split()[-keep:])
        items = [_tidy_item(p) for p in parts]
        if _usable(items):
            return items
    return None


def find_list(text: str) -> list[str] | None:
    """2-4 short parallel items written as bullets or as a list in a sentence."""
    return bullet_items(text) or sentence_items(text)


def _author_after(rest: str) -> str | None:
    match = re.match(rf"^\s*[,:—–-]*\s*(?:{SAYS}\s+)?{NAME}", rest)
    if match is None:
        return None
    return match["author"].strip(" ,")


def _author_before(lead: str) -> str | None:
    match = re.search(rf"{NAME}\s*(?:{SAYS})?\s*:?\s*$", lead)
    if match is None or not re.search(rf"(?:{SAYS}|:)\s*$", lead):
        return None
    return match["author"].strip(" ,")


def find_quote(text: str) -> tuple[str, str | None] | None:
    """(quote, author) for a testimonial: quoted words with a named author, or a line that
    is nothing but a quote of three words or more."""
    for opening, closing in QUOTE_PAIRS:
        start = text.find(opening)
        end = text.find(closing, start + 1) if start >= 0 else -1
        if start < 0 or end < 0:
            continue
        quoted = text[start + 1 : end].strip(" ,")
        if not _quotable(quoted):
            continue
        author = _author_after(text[end + 1 :]) or _author_before(text[:start])
        alone = not text[:start].strip() and not text[end + 1 :].strip(" .!")
        if author or (alone and len(quoted.split()) >= 3):
            return quoted, author[:120] if author else None
    return _single_quoted(text)


def _quotable(text: str) -> bool:
    """A testimonial fits on screen: 2 to 40 words, at most 300 characters."""
    return 2 <= len(text.split()) <= MAX_QUOTE_WORDS and len(text) <= MAX_QUOTE_CHARS


def _single_quoted(text: str) -> tuple[str, str | None] | None:
    """'Best dinner I've had all week' says Sarah: apostrophes inside do not end the quote."""
    match = re.search(r"(?<!\w)'(?P<q>[^']+(?:'\w[^']*)*)'(?!\w)", text)
    if match is None or not _quotable(match["q"].strip()):
        return None
    author = _author_after(text[match.end() :])
    return (match["q"].strip(), author) if author else None


def _pair(a: str, b: str) -> list[str] | None:
    items = [_tidy_item(a), _tidy_item(b)]
    return items if _usable(items) and len(items) == 2 else None


def find_comparison(text: str) -> list[str] | None:
    """[before, after] for 'before: X, after: Y', 'X vs Y', 'from 2 hours to 10 minutes',
    'Y instead of X'."""
    line = " ".join(text.split())
    for pattern in (BEFORE_AFTER_RE, FROM_TO_RE):
        match = pattern.search(line)
        if match:
            return _pair(match["a"], match["b"])
    for sentence in re.split(r"(?<=[.!?])\s+", line):
        if len(sentence) > MAX_SENTENCE:
            continue
        for pattern in (VERSUS_RE, INSTEAD_RE):
            match = pattern.match(sentence.rstrip(".!"))
            if match:
                return _pair(match["a"], match["b"])
    return None
