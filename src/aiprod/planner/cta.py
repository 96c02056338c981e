"""The call to action of a brief: labelled, "end with ...", imperative, web address, default."""

from __future__ import annotations

import re

from aiprod.planner.speech import SCHEME_LINK_RE, URL_RE, find_url
from aiprod.planner.stopwords import STOP_WORDS
from aiprod.planner.textutil import fold, tidy_phrase, upper_first, words

Span = tuple[int, int]
_END = r"(?=$|\n|[;!?]|\.(?:\s|$))"
_LABEL_RE = re.compile(
    r"\b(?:cta|call[\s-]to[\s-]action|appel\s+[àa]\s+l'action)\s*(?:is|est|:|=|-|–)\s*"
    rf"(.{{1,160}}?){_END}",
    re.IGNORECASE,
)
_END_WITH_RE = re.compile(
    r"\b(?:end(?:ing|s)?\s+(?:with|on)|finish(?:ing)?\s+(?:with|on)|close\s+(?:with|on)|"
    r"wrap\s+up\s+with|sign\s+off\s+with|termine[rz]?\s+(?:par|sur)|fini[rs]\s+(?:par|sur)|"
    r"finissez\s+(?:par|sur)|conclu(?:re|ez)\s+(?:par|sur)|avec\s+un\s+appel\s+[àa])\s*:?\s*"
    rf"(.{{1,160}}?){_END}",
    re.IGNORECASE,
)
_STRONG = (
    r"order|buy|visit|download|subscribe|sign\s+up|register|install|reserve|donate|"
    r"pre-?order|commandez|achetez|visitez|t[ée]l[ée]chargez|inscrivez-vous|abonnez-vous|"
    r"r[ée]servez|essayez|d[ée]couvrez|rejoignez|contactez|appelez|profitez|rendez-vous|"
    r"testez|installez|commander|acheter|t[ée]l[ée]charger|r[ée]server|d[ée]couvrir"
)
_WEAK = (
    r"get|try|shop|join|start|book|call|discover|learn\s+more|learn|grab|claim|explore|"
    r"find\s+out|find|see|follow|contact|apply|request|check\s+out|head\s+(?:to|over)|"
    r"go\s+to|come|taste|experience|switch|save|venez|passez|suivez|demandez|offrez"
)
_MARKER_RE = re.compile(
    r"\b(?:now|today|tonight|online|here|at|on|via|us|free|maintenant|aujourd'hui|dès|"
    r"sur|vite|en\s+ligne|ici)\b",
    re.IGNORECASE,
)
_CLAUSE_RE = re.compile(r"[^.!?;\n,\"]+(?:\.(?=\S)[^.!?;\n,\"]*)*")
_VERB_START_RE = re.compile(
    r"^\s*(?:(?:and|then|so|now|please|et|puis|alors|donc|merci\s+de)\s+){0,2}"
    rf"(?:(?P<strong>{_STRONG})|(?P<weak>{_WEAK}))\b",
    re.IGNORECASE,
)
_QUOTED_RE = re.compile(r"\"([^\"\n]{2,80})\"")
_OUR_SITE_RE = re.compile(
    r"\b(?:our|the|my)\s+(?:web\s?site|site|online\s+(?:store|shop)|shop)\b|"
    r"\b(?:notre|le|mon)\s+site(?:\s+(?:web|internet))?\b",
    re.IGNORECASE,
)
_DIRECTION_RE = re.compile(r"\b(?:logo|tagline|slogan|packshot|music|musique)\b", re.IGNORECASE)


def _polish(text: str, url: str | None) -> str:
    text = tidy_phrase(text)
    if url and not URL_RE.search(text):
        text = _OUR_SITE_RE.sub(url, text, count=1)
    words = text.split()
    if len(words) > 12:
        text = " ".join(words[:12])
    return upper_first(text.rstrip(" .,;:"))


def _from_verb(body: str, found: re.Match[str]) -> str:
    start = found.start("strong") if found.group("strong") else found.start("weak")
    return body[start:]


def _imperative_in(text: str) -> str | None:
    """The part of ``text`` from its first call-to-action verb, if any."""
    for clause in _CLAUSE_RE.finditer(text):
        found = _VERB_START_RE.match(clause.group(0))
        if found and (found.group("strong") or _MARKER_RE.search(clause.group(0))):
            return _from_verb(clause.group(0), found)
        inner = re.search(rf"\b(?:to\s+|[àa]\s+)?(?:{_STRONG})\b.*", clause.group(0), re.I)
        if inner and found is None and re.match(r"(?:to|à|a)\s", inner.group(0), re.I):
            return re.sub(r"^(?:to|à|a)\s+", "", inner.group(0), flags=re.I)
    return None


_FUNCTION_PHRASES_RE = re.compile(
    r"\b(?:de\s+la\s+part\s+d[e']|on\s+behalf\s+of|à\s+propos\s+d[e']|in\s+front\s+of|"
    r"grâce\s+à|thanks\s+to|au\s+lieu\s+d[e']|instead\s+of)",
    re.IGNORECASE,
)


def _says_something(candidate: str) -> bool:
    """A call to action needs one word that is not a function word or a bare link:
    "end with for for de la part de" states none."""
    if URL_RE.search(candidate):
        return True
    text = _FUNCTION_PHRASES_RE.sub(" ", SCHEME_LINK_RE.sub(" ", candidate))
    return any(
        fold(word) not in STOP_WORDS and any(ch.isalpha() for ch in word) for word in words(text)
    )


def _from_label(text: str) -> tuple[str, Span] | None:
    for pattern in (_LABEL_RE, _END_WITH_RE):
        for match in pattern.finditer(text):
            body = match.group(1)
            quoted = _QUOTED_RE.search(body)
            candidate = quoted.group(1) if quoted else _imperative_in(body)
            if candidate is None and (URL_RE.search(body) or not _DIRECTION_RE.search(body)):
                candidate = body
            if candidate and _says_something(tidy_phrase(candidate)):
                return candidate, (match.start(), match.end())
    return None


def _from_quotes(text: str) -> tuple[str, Span] | None:
    for match in _QUOTED_RE.finditer(text):
        found = _VERB_START_RE.match(match.group(1))
        if found and len(match.group(1).split()) <= 8:
            return match.group(1), (match.start(), match.end())
    return None


def _from_imperative(text: str) -> tuple[str, Span] | None:
    first: tuple[str, Span] | None = None
    for clause in _CLAUSE_RE.finditer(text):
        body = clause.group(0)
        found = _VERB_START_RE.match(body)
        if found is None or len(body.split()) > 10:
            continue
        if not (found.group("strong") or _MARKER_RE.search(body) or URL_RE.search(body)):
            continue
        hit = (_from_verb(body, found), (clause.start(), clause.end()))
        if URL_RE.search(body):
            return hit
        first = first or hit
    return first


def find_call_to_action(text: str) -> tuple[str | None, list[Span]]:
    """The call to action stated in ``text`` (cleaned brief), and the spans it came from."""
    url = find_url(text)
    written = url[0] if url else None
    for finder in (_from_label, _from_quotes, _from_imperative):
        found = finder(text)
        if found:
            polished = _polish(found[0], written)
            if any(ch.isalnum() for ch in polished):
                return polished, [found[1]]
    return None, []


def default_call_to_action(language: str, brand: str | None, url: str | None) -> str:
    """A call to action in the brief's language when the brief states none."""
    if url:
        return f"Rendez-vous sur {url}" if language == "fr" else f"Visit {url}"
    if language == "fr":
        return f"Découvrez {brand} dès aujourd'hui" if brand else "Essayez dès aujourd'hui"
    return f"Try {brand} today" if brand else "Try it today"
