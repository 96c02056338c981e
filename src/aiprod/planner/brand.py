"""Finding the brand name in a brief: labels, trademark signs, quotes, capitalised names."""

from __future__ import annotations

import re

from aiprod.planner.moods import is_mood_word
from aiprod.planner.stopwords import NOT_BRANDS
from aiprod.planner.textutil import fold, folded_set, tidy_phrase
from aiprod.planner.tokens import Token, is_capitalised, is_name_word, mostly_upper, tokenize

BrandSpan = tuple[str, int, int]
"""A brand as written, with the character span it occupies in the brief."""

_LABEL_RE = re.compile(
    r"(?:^|[\n.;,(])\s*(?:[-*•]\s*)?(?:brand(?:\s+name)?|company|client|advertiser|"
    r"marque|nom\s+de\s+la\s+marque|annonceur|entreprise|soci[ée]t[ée])\s*[:=]\s*"
    r"([^\n,;.(]{1,60})",
    re.IGNORECASE,
)
_MARK_RE = re.compile(r"((?:[^\s™®]+[ ]){0,3}[^\s™®]+)\s?[™®]")
_QUOTED_RE = re.compile(r"\"([^\"\n]{1,40})\"|(?<![\w])'([^'\n]{1,40})'(?![\w])")
_TRIGGERS = folded_set(
    """
    for pour by par chez called named introducing presenting meet launching launch brand
    marque client company startup appelé appelée nommé nommée baptisé baptisée lancement
    part
    """
)
_WEAK_TRIGGERS = frozenset({"from", "with", "avec"})
_SKIP = folded_set(
    """
    the a an our my new brand-new brand marque company startup app application la le les
    l' un une notre nouvelle nouveau nouvel société entreprise appli client de du d'
    """
)
_ARTICLES = frozenset({"the", "la", "le", "les", "l'", "a", "an"})
_CONNECTORS = frozenset({"&", "of", "de", "du", "des", "and", "et", "+"})
_NOT_QUOTED_BEFORE = re.compile(
    r"(?:cta|call to action|end(?:ing)? (?:with|on)|say|says|saying|tagline|slogan|"
    r"headline|title|titre|terminer (?:par|sur)|finir (?:par|sur)|accroche|phrase)"
    r"\W{0,3}$",
    re.IGNORECASE,
)
_CTA_START = folded_set(
    """
    order buy shop visit download sign subscribe book try get call join discover learn
    start register install grab claim reserve contact follow commandez achetez visitez
    téléchargez inscrivez-vous abonnez-vous réservez essayez découvrez rejoignez appelez
    contactez profitez rendez-vous testez
    """
)


def _valid_name(name: str) -> str | None:
    name = tidy_phrase(name)
    if name.lower().endswith("'s"):
        name = name[:-2]
    parts = name.split()
    if not parts or len(parts) > 5 or len(name) > 40 or not any(c.isalpha() for c in name):
        return None
    if "://" in name or "/" in name:  # a link or a path, never a brand name
        return None
    folded = [fold(part) for part in parts]
    if all(part in NOT_BRANDS or is_mood_word(part) for part in folded):
        return None
    if folded[0] in NOT_BRANDS and len(parts) == 1:
        return None
    return name


def _from_label(text: str) -> BrandSpan | None:
    match = _LABEL_RE.search(text)
    if match is None:
        return None
    offset = match.start(1)
    found = _collect_name(tokenize(match.group(1)), 0)
    if found:
        return found[0], offset + found[1], offset + found[2]
    name = _valid_name(match.group(1))
    return (name, match.start(1), match.end(1)) if name else None


def _from_mark(text: str) -> BrandSpan | None:
    for mark in re.finditer("[™®]", text):
        match = _MARK_RE.search(text, max(0, mark.start() - 120), mark.end())
        if match is None:
            continue
        words = match.group(1).split(" ")
        caps: list[str] = []
        for word in reversed(words):
            if not is_capitalised(word.strip("\"'(")):
                break
            caps.insert(0, word.strip("\"'("))
        name = _valid_name(" ".join(caps) if caps else words[-1])
        if name:
            return name, match.start(1), match.end(1)
    return None


def _unelided(folded: str) -> str:
    """``l'application`` -> ``application``: French elided articles are skipped like words."""
    return folded[2:] if folded[:2] in {"l'", "d'"} and len(folded) > 2 else folded


def _skip_articles(tokens: list[Token], index: int) -> int:
    skipped = 0
    while index < len(tokens) and skipped < 3:
        token = tokens[index]
        if _unelided(token.folded) not in _SKIP or is_capitalised(token.text):
            break
        index, skipped = index + 1, skipped + 1
    return index


def _name_tokens(tokens: list[Token], index: int) -> list[Token]:
    parts: list[Token] = []
    while index < len(tokens) and len(parts) < 5:
        token = tokens[index]
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        joins = following is not None and is_name_word(following)
        if is_name_word(token):
            parts.append(token)
        elif not parts and token.folded in _ARTICLES and is_capitalised(token.text) and joins:
            parts.append(token)  # "The Daily Grind", "Les Jardins de Marie"
        elif parts and token.folded in _CONNECTORS and joins:
            parts.append(token)
        else:
            break
        index += 1
    return parts


def _collect_name(tokens: list[Token], index: int) -> BrandSpan | None:
    """The capitalised name starting at ``tokens[index]`` (after optional articles)."""
    parts = _name_tokens(tokens, _skip_articles(tokens, index))
    if not parts:
        return None
    text = " ".join(p.text for p in parts)
    if text[:2] in {"l'", "d'"}:
        text = text[2:]
    name = _valid_name(text)
    return (name, parts[0].start, parts[-1].end) if name else None


def _quoted_at(text: str, position: int) -> BrandSpan | None:
    match = _QUOTED_RE.match(text, position)
    if match is None:
        return None
    inner = match.group(1) or match.group(2) or ""
    name = _valid_name(inner)
    return (name, match.start() + 1, match.end() - 1) if name else None


def _after_trigger(
    text: str, tokens: list[Token], use_caps: bool, triggers: frozenset[str]
) -> BrandSpan | None:
    for index, token in enumerate(tokens[:-1]):
        if token.folded not in triggers:
            continue
        after = tokens[index + 1]
        if after.text in {'"', "'"}:
            quoted = _quoted_at(text, after.start)
            if quoted:
                return quoted
        elif use_caps:
            found = _collect_name(tokens, index + 1)
            if found:
                return found
    return None


def _from_quotes(text: str) -> BrandSpan | None:
    for match in _QUOTED_RE.finditer(text):
        inner = (match.group(1) or match.group(2) or "").strip()
        words = inner.split()
        if not words or len(words) > 4 or not is_capitalised(words[0]):
            continue
        if fold(words[0]) in _CTA_START or _NOT_QUOTED_BEFORE.search(text[: match.start()]):
            continue
        name = _valid_name(inner)
        if name:
            return name, match.start() + 1, match.end() - 1
    return None


def _from_camel_case(tokens: list[Token]) -> BrandSpan | None:
    for token in tokens:
        body = token.text
        inner_upper = any(ch.isupper() for ch in body[1:]) and any(ch.islower() for ch in body)
        if inner_upper and "." not in body and token.folded not in NOT_BRANDS:
            name = _valid_name(body)
            if name:
                return name, token.start, token.end
    return None


def find_brand(text: str) -> BrandSpan | None:
    """The brand named in ``text`` (cleaned brief) and where it is, or None."""
    tokens = tokenize(text)
    use_caps = not mostly_upper(text)
    found = (
        _from_label(text)
        or _from_mark(text)
        or _after_trigger(text, tokens, use_caps, _TRIGGERS)
        or _after_trigger(text, tokens, use_caps, _WEAK_TRIGGERS)
        or _from_quotes(text)
        or (_from_camel_case(tokens) if use_caps else None)
    )
    if found:
        return found
    return None
