"""Key points of a brief: what to mention, bullet lines, or the most salient clauses."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

from aiprod.planner.lexicon import EN_ADJ_OPENERS, EN_FINITE, FR_ADJ_OPENERS
from aiprod.planner.moods import is_mood_word
from aiprod.planner.speech import URL_RE
from aiprod.planner.stopwords import DIRECTION_WORDS, FORMAT_WORDS, STOP_WORDS
from aiprod.planner.textutil import any_of, fold, folded_set, lower_first, tidy_phrase, words
from aiprod.planner.tokens import is_content

MAX_POINTS = 6
_MAX_POINT_WORDS = 6
_MAX_FACT_WORDS = 12
"""A point whose figure or code comes late may run to here rather than lose it."""
_SENTENCE_END = re.compile(r"[!?\n]|\.(?:\s|$)|$")
_TRIGGER_RE = any_of(
    [
        r"(?:make\s+sure\s+to\s+)?mention(?:s|ing)?",
        r"highlight(?:s|ing)?",
        r"emphasi[sz](?:e|ing)",
        r"stress(?:ing)?",
        r"showcas(?:e|ing)",
        r"featur(?:e|es|ing)",
        r"includ(?:e|ing)",
        r"cover",
        r"talk\s+about",
        r"focus\s+on",
        r"point\s+out",
        r"call\s+out",
        r"don't\s+forget",
        r"key\s+(?:points?|messages?|benefits?|features?)",
        r"selling\s+points?",
        r"usps?",
        r"benefits",
        r"mentionn(?:er|ez|e|ant)",
        r"(?:mettre|mettez|mets|met|mise)\s+en\s+avant(?:\s+(?:de|des|du))?",
        r"soulign(?:er|ez|e|ant)",
        r"insist(?:er|ez|e)\s+sur",
        r"évoqu(?:er|ez|e)",
        r"parl(?:er|ez)\s+de",
        r"n'oubliez\s+pas",
        r"points?\s+clés?",
        r"messages?\s+clés?",
        r"atouts?",
        r"avantages?",
        r"arguments?",
    ],
    after=r"\b\s*(?:[:\-–]\s*)?(?:that\s+|how\s+|the\s+fact\s+that\s+|que\s+|qu')?",
)
_SPLIT_RE = any_of(
    [
        r"(?<!\d),",
        r",(?!\d)",
        ";",
        r"\+",
        "&",
        r"\band\b",
        r"\bet\b",
        r"\bas\s+well\s+as\b",
        r"\bainsi\s+que\b",
        r"\balong\s+with\b",
        r"\bsans\s+oublier\b",
    ],
    before=r"\s*",
    after=r"\s*",
)
_BULLET_RE = re.compile(r"^\s*(?:[-*•·–—+>]|\d{1,2}[.)])\s+(.+)$", re.MULTILINE)
_FRAMING_LABEL_RE = any_of(
    [
        "duration",
        "durée",
        "length",
        "format",
        "aspect",
        "tone",
        "ton",
        "mood",
        "ambiance",
        "audience",
        "cible",
        "target",
        "brand",
        "marque",
        "cta",
        "call to action",
        "platform",
        "plateforme",
        "music",
        "musique",
        "voice",
        "voix",
        "style",
        "title",
        "titre",
        "product",
        "produit",
        "client",
        "deadline",
        "budget",
        "language",
        "langue",
    ],
    before=r"^\s*",
    after=r"\s*[:=]",
)
_CLAUSE_SPLIT_RE = re.compile(r"[!?;:\n()]|(?<!\d),|,(?!\d)|\.(?:\s|$)|\s[-–—]\s")
_FRAMING_WORDS = folded_set(
    """
    ad ads advert advertisement video spot commercial promo clip reel teaser vidéo pub
    publicité campaign campagne brief script write create make produce need want please
    """
)
_LEADING = folded_set(
    """
    the a an our its their your my that how we it also both all about some any very really of
    and but then et mais puis
    le la les un une des du de d' notre nos son sa ses leur leurs que qu' aussi également
    votre vos mon ma mes très vraiment
    """
)
_TRAILING = folded_set(
    """
    too also etc aussi également well the a an of to for with in on at by from and or but
    our your its their this that le la les un une des du de d' et ou à au aux en pour par
    avec sur dans que qui notre nos votre vos son sa ses ce cette
    """
)
_CUT_BEFORE = folded_set(
    """
    in from with for at by on to of which who that because while dans de du des avec pour
    par sur à au aux en qui que car parce lorsque
    """
)
# Handles, hashtags, escape sequences and runs of symbols are not part of a point.
_NOISE_RE = re.compile(r"(?<!\w)[@#]\w+|\\[a-z]|(?<!\d)(?<!\d\s)[$€£]+(?!\s?\d)|[{}<>|]")
_SYMBOL = re.compile(r"^[$€£%]+$")
_THOUSANDS = re.compile(r"^\d{3}(?:[.,]\d+)?$")
_GROUPED_NUMBER = re.compile(r"^[-+]?\d{1,3}(?: \d{3})*$")
_MINUS_RE = re.compile(r"^\s*[-–]\s?(?=\d)")
# A short clause naming the tone of the video ('Confident tone', 'Ton dynamique') is no point.
_TONE_WORDS = folded_set("tone tones mood vibe vibes feel ton ambiance atmosphère")
# A clause made only of tone adjectives ('Friendly and confident.') directs the voice: no point.
_TONE_ADJECTIVES = folded_set(
    """
    friendly confident warm witty bold fun playful calm energetic punchy upbeat professional
    casual relaxed serious light lighthearted cheerful positive reassuring clear direct honest
    trustworthy modern elegant premium human approachable authentic inspiring dynamic
    chaleureux chaleureuse amical amicale confiant confiante drôle léger légère sérieux
    sérieuse enjoué enjouée décontracté décontractée rassurant rassurante positif positive
    direct directe clair claire moderne élégant élégante humain humaine authentique
    dynamique inspirant inspirante pro professionnel professionnelle
    """
)
_TONE_JOINERS = folded_set("and but yet et mais tout en very très")
_SINGLE_ADJECTIVES = EN_ADJ_OPENERS | FR_ADJ_OPENERS | frozenset({"organic", "bio", "local"})


def _strip_edges(parts: list[str]) -> list[str]:
    while parts:
        head = fold(parts[0])
        if head[:2] in {"l'", "d'"} and len(parts[0]) > 2:
            parts[0] = parts[0][2:]
            continue
        if head[:3] == "qu'" and len(parts[0]) > 3:
            parts[0] = parts[0][3:]
            continue
        subject = head == "it" and len(parts) > 1 and fold(parts[1]) in EN_FINITE
        accented = parts[0].casefold() == "à"  # 'À partir de 8 €' is no English 'a'
        if head not in _LEADING or subject or accented:
            break  # 'it saves 5 hours' keeps its subject: 'saves 5 hours' is no sentence
        parts.pop(0)
    while parts and fold(parts[-1]) in _TRAILING:
        parts.pop()
    return parts


def _is_fact(part: str) -> bool:
    """A figure ('1 790 €', '20 %') or a code ('VOLT20'): what a shortened point must keep."""
    return any(ch.isdigit() for ch in part)


def _shorten(parts: list[str]) -> list[str]:
    """At most six words, cut before a preposition; a cut never drops a figure or a code
    ('1 490 € au lieu de 1 790 €' stays whole, not '1 490 € au lieu')."""
    if len(parts) <= _MAX_POINT_WORDS:
        return parts
    cuts = [i for i in range(2, _MAX_POINT_WORDS + 1) if fold(parts[i]) in _CUT_BEFORE]
    stop = cuts[-1] if cuts else _MAX_POINT_WORDS
    if any(_is_fact(part) for part in parts[stop:_MAX_FACT_WORDS]):
        return _strip_edges(parts[:_MAX_FACT_WORDS])
    return _strip_edges(parts[:stop])


def clean_point(text: str) -> str | None:
    """A short phrase fit for a headline, or None when nothing meaningful is left."""
    if URL_RE.search(text):
        return None
    text = _NOISE_RE.sub(" ", text.replace("!", " ").replace("?", " "))
    minus = "-" if _MINUS_RE.match(text) else ""  # '-20 %' is a discount, not '20 %'
    parts = _shorten(_strip_edges(_with_symbols(tidy_phrase(text).split())))
    if minus and parts and parts[0][:1].isdigit():
        parts[0] = minus + parts[0]
    folded = [fold(word.strip(".,")) for word in parts]
    if not parts or not any(is_content(w) for w in folded):
        return None
    if len(folded) <= 3 and _TONE_WORDS & set(folded):
        return None
    tone = _TONE_ADJECTIVES | _TONE_JOINERS | _TONE_WORDS
    if all(w in tone or is_mood_word(w) for w in folded):  # 'Ton clair et rassurant'
        return None
    if any(w in DIRECTION_WORDS for w in folded) or all(w in FORMAT_WORDS for w in folded):
        return None
    point = " ".join(parts).strip(" .,")
    if point.isupper() and len(point) > 4:
        point = point.lower()
    elif _sentence_case(parts, folded):
        point = lower_first(point)
    return point or None


def _with_symbols(parts: list[str]) -> list[str]:
    """'12', '€' -> '12 €': a currency or percent sign is part of its number, not a word;
    '1', '490' -> '1 490': a French thousands group too."""
    merged: list[str] = []
    for part in parts:
        symbol = merged and _SYMBOL.match(part) and merged[-1][-1:].isdigit()
        group = merged and _THOUSANDS.match(part) and _GROUPED_NUMBER.match(merged[-1])
        if symbol or group:
            merged[-1] = f"{merged[-1]} {part}"
        else:
            merged.append(part)
    return merged


def _sentence_case(parts: list[str], folded: list[str]) -> bool:
    """True for "Organic beans" (a clause start), False for "Lyon" or "GlowUp serum"."""
    first = parts[0]
    if not first[:1].isupper() or first[1:] != first[1:].lower():
        return False
    if len(parts) == 1:
        return folded[0] in STOP_WORDS or folded[0] in _SINGLE_ADJECTIVES
    return all(word == word.lower() for word in parts[1:])


def _split_items(segment: str) -> list[str]:
    items = [item for item in _SPLIT_RE.split(segment) if item and item.strip()]
    merged: list[str] = []
    for item in items:
        lone = bool(merged) and len(merged[-1].split()) == 1
        if lone and fold(merged[-1]) in _SINGLE_ADJECTIVES and len(item.split()) >= 2:
            merged[-1] = f"{merged[-1]} and {item}"
            continue
        merged.append(item)
    return merged


def _triggered(text: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for match in _TRIGGER_RE.finditer(text):
        end = _SENTENCE_END.search(text, match.end())
        stop = end.start() if end else len(text)
        segment = text[match.end() : min(stop, match.end() + 300)]
        offset = match.end()
        for item in _split_items(segment):
            found.append((offset + segment.find(item), item))
    return found


def _bullets(text: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for match in _BULLET_RE.finditer(text):
        body = match.group(1)
        if _FRAMING_LABEL_RE.match(body) or _TRIGGER_RE.match(body):
            continue
        label, colon, value = body.partition(":")
        if colon and len(label.split()) <= 3 and value.strip():
            body = value
        found.append((match.start(1), body))
    return found


_LIST_JOINER_RE = re.compile(r"\s(?:and|or|et|ou)\s", re.IGNORECASE)
_QUALIFIER_RE = re.compile(r"\s*(?:sans|without|no)\s", re.IGNORECASE)


def _list_bounds(text: str) -> list[tuple[int, int]]:
    """Clause bounds, where the commas of a noun list ('Invoices, receipts and taxes in one
    place') do not cut: a one- or two-word piece before a comma joins what follows when that
    goes on to 'and'/'et' before the clause ends."""
    bounds = [(m.start(), m.end()) for m in _CLAUSE_SPLIT_RE.finditer(text)]
    kept: list[tuple[int, int]] = []
    start = 0
    for index, (stop, after) in enumerate(bounds):
        piece = text[start:stop]
        following = text[after : bounds[index + 1][0] if index + 1 < len(bounds) else len(text)]
        listed = text[stop] == "," and 0 < len(piece.split()) <= 2
        if listed and _LIST_JOINER_RE.search(following) and len(following.split()) <= 8:
            continue  # the comma is inside the list: the clause goes on
        if text[stop] == "," and _QUALIFIER_RE.match(following):
            continue  # 'Essai gratuit de 14 jours, sans carte bancaire' is one point
        kept.append((stop, after))
        start = after
    return kept


def _clauses(text: str, excluded_words: set[str]) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    bounds = _list_bounds(text)
    start = 0
    for stop, after in [*bounds, (len(text), len(text))]:
        clause = text[start:stop]
        folded = {fold(word) for word in words(clause)}
        meaningful = {w for w in folded if is_content(w)} - excluded_words
        if meaningful and not folded & _FRAMING_WORDS:
            found.append((start, clause))
        start = after
    return found


def _salience(point: str, frequency: Counter[str]) -> float:
    terms = [fold(word) for word in words(point)]
    content = [term for term in terms if is_content(term)]
    score = sum(math.log1p(frequency[term]) for term in content)
    return score / (1.0 + 0.15 * max(0, len(terms) - 4))


def _select(
    candidates: Iterable[tuple[int, str]], excluded: set[str], frequency: Counter[str]
) -> tuple[str, ...]:
    chosen: list[tuple[int, str]] = []
    seen = set(excluded)
    for position, raw in sorted(candidates, key=lambda item: item[0]):
        point = clean_point(raw)
        key = fold(point) if point else ""
        if point and key not in seen:
            seen.add(key)
            chosen.append((position, point))
    if len(chosen) > MAX_POINTS:
        ranked = sorted(chosen, key=lambda item: (-_salience(item[1], frequency), item[0]))
        chosen = sorted(ranked[:MAX_POINTS])
    return tuple(point for _, point in chosen)


def find_points(text: str, excluded: set[str], excluded_words: set[str]) -> tuple[str, ...]:
    """Up to six short key points, in brief order.

    ``excluded`` holds folded phrases that are not points (brand, product, audience);
    ``excluded_words`` folded words that do not make a clause a point on their own.
    """
    frequency = Counter(fold(word) for word in words(text))
    explicit = _select([*_triggered(text), *_bullets(text)], excluded, frequency)
    if explicit:
        return explicit
    return _select(_clauses(text, excluded_words), excluded, frequency)
