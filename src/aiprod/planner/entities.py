"""What is sold (product or category) and to whom (audience)."""

from __future__ import annotations

import re

from aiprod.planner.lexicon import AUDIENCE_HEADS, PRODUCT_BIGRAMS, PRODUCT_NOUNS
from aiprod.planner.moods import is_mood_word
from aiprod.planner.stopwords import EN_STOP, FORMAT_WORDS, FR_STOP, STOP_WORDS
from aiprod.planner.textutil import fold, folded_set
from aiprod.planner.tokens import Token, is_content, is_lower_word, tokenize

_FORMAT_LEAD_RE = re.compile(
    r"\b(?:ad|advert|video|spot|commercial|promo|clip|reel|teaser|film|vidéo|pub|publicité|"
    r"campaign|campagne)\s+(?:for|about|promoting|on|pour|sur|de|présentant)\s+"
    r"|\b(?:promote|promoting|launch|launching|sell|selling|promouvoir|présenter|"
    r"lancer|vendre|lancement\s+de)\s+",
    re.IGNORECASE,
)
_DETERMINERS = folded_set(
    """
    the a an our my your their its new brand-new latest notre nos mon ma mes votre vos leur
    leurs le la les l' un une des du de d' nouveau nouvelle nouvel nouveaux nouvelles
    """
)
_STRONG_AUDIENCE_RE = re.compile(
    r"\b(?:aimed\s+at|targeting|targeted\s+(?:at|to)|target(?:\s+audience)?(?:\s+is)?\s*:|"
    r"audience(?:\s+is)?\s*:|for\s+an\s+audience\s+of|geared\s+towards?|destin[ée]e?s?\s+"
    r"(?:à|aux|a)|à\s+destination\s+(?:des|de)|s'adressant\s+(?:à|aux)|cibl(?:e|ant)\s*:?|"
    r"public(?:\s+cible)?\s*:|speaks?\s+to|tailored\s+(?:for|to))\s*",
    re.IGNORECASE,
)
_WEAK_AUDIENCE_RE = re.compile(
    r"\b(?:for|pour|designed\s+for|made\s+for|built\s+for|auprès\s+des?|idéal\s+pour)\s+",
    re.IGNORECASE,
)
_AUDIENCE_STOP = folded_set(
    """
    who that which with in on at to from by about while where when whose qui que avec dans
    sur à par pour dont lors quand mention highlight featuring including
    """
)
_AUDIENCE_JOINERS = frozenset({"and", "&", "et", "or", "ou", "of", "de", "d'"})


def _phrase_after(tokens: list[Token], index: int, limit: int) -> list[Token]:
    """Lower-case words from ``index`` (determiners skipped) up to a stop word or mark."""
    while index < len(tokens) and tokens[index].folded in _DETERMINERS:
        index += 1
    phrase: list[Token] = []
    while index < len(tokens) and len(phrase) < limit:
        token = tokens[index]
        folded = token.folded
        if not token.is_word or folded in _AUDIENCE_STOP or is_mood_word(folded):
            break
        if folded in FORMAT_WORDS or token.text[:1].isdigit():
            break
        phrase.append(token)
        index += 1
    while phrase and (phrase[-1].folded in STOP_WORDS or phrase[-1].folded in _AUDIENCE_JOINERS):
        phrase.pop()
    return phrase


def _token_index(tokens: list[Token], position: int) -> int:
    for index, token in enumerate(tokens):
        if token.start >= position:
            return index
    return len(tokens)


def _is_audience(phrase: list[Token]) -> bool:
    return any(token.folded in AUDIENCE_HEADS for token in phrase)


def find_audience(text: str) -> str | None:
    """Who the video speaks to ("busy parents", "développeurs"), or None."""
    tokens = tokenize(text)
    for pattern, strict in ((_STRONG_AUDIENCE_RE, False), (_WEAK_AUDIENCE_RE, True)):
        for match in pattern.finditer(text):
            phrase = _phrase_after(tokens, _token_index(tokens, match.end()), 5)
            if not phrase or (strict and not all(is_lower_word(t) for t in phrase)):
                continue
            if strict and not _is_audience(phrase):
                continue
            return " ".join(token.text for token in phrase)
    return None


def _product_phrase(phrase: list[Token]) -> str | None:
    words = [t for t in phrase if is_lower_word(t) and is_content(t.folded)]
    if not words or _is_audience(words) or len(words) != len(phrase):
        return None
    return " ".join(t.text for t in words[:3])


def _after_brand(tokens: list[Token], brand_end: int) -> str | None:
    index = _token_index(tokens, brand_end)
    while index < len(tokens) and tokens[index].text in {'"', "'", "™", "®"}:
        index += 1
    phrase: list[Token] = []
    while index < len(tokens) and len(phrase) < 3 and is_lower_word(tokens[index]):
        if not is_content(tokens[index].folded):
            break
        phrase.append(tokens[index])
        index += 1
    while phrase and phrase[-1].folded not in PRODUCT_NOUNS:
        phrase.pop()
    return " ".join(t.text for t in phrase) if phrase else None


def _from_lexicon(tokens: list[Token], skip: tuple[int, int] | None) -> str | None:
    words = [t for t in tokens if t.is_word and not (skip and skip[0] <= t.start < skip[1])]
    for first, second in zip(words, [*words[1:], None], strict=False):
        if second is not None and f"{first.folded}_{second.folded}" in PRODUCT_BIGRAMS:
            return f"{first.text} {second.text}".lower()
        elided = first.text[:2].lower() in {"l'", "d'"}
        text = first.text[2:] if elided else first.text
        raw = text.lower()
        if raw in EN_STOP or raw in FR_STOP:
            continue  # "the" must not pass for a folded "thé"
        if fold(text) in PRODUCT_NOUNS and (text.islower() or skip is None):
            return text.lower()
    return None


def find_product(text: str, brand_span: tuple[int, int] | None) -> str | None:
    """The product or category ("coffee", "running shoes"), or None."""
    tokens = tokenize(text)
    if brand_span is not None:
        found = _after_brand(tokens, brand_span[1])
        if found:
            return found
    for match in _FORMAT_LEAD_RE.finditer(text):
        phrase = _phrase_after(tokens, _token_index(tokens, match.end()), 3)
        found = _product_phrase(phrase)
        if found:
            return found
    if brand_span is not None:
        found = _from_lexicon(tokenize(text[brand_span[0] : brand_span[1]].lower()), None)
        if found:
            return found
    found = _from_lexicon(tokens, brand_span)
    if found:
        return found
    content = [t.text for t in tokens if t.is_word and is_content(t.folded)]
    if 0 < len(content) <= 3 and brand_span is None:
        return " ".join(content).lower()
    return None


_DESCRIPTION_RE = re.compile(
    r"\s*,\s*(?P<desc>(?:the|an?|your|our|le|la|l'|les|un|une|votre|notre)\s*"
    r"[^.,;:!?()\n]{2,60}?)\s*(?=[.,;:!?()\n]|$)",
    re.IGNORECASE,
)


def find_description(text: str, brand_span: tuple[int, int] | None) -> str | None:
    """What the brief says the brand is, in apposition: 'Volt, le vélo électrique urbain'
    -> 'le vélo électrique urbain'. It is who the brand is (said in the hook), not a point."""
    if brand_span is None:
        return None
    match = _DESCRIPTION_RE.match(text, brand_span[1])
    if match is None:
        return None
    desc = " ".join(match["desc"].split())
    return desc if any(is_content(fold(word)) for word in desc.split()[1:]) else None
