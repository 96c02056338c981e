"""Web addresses in briefs, and turning written copy into text that reads well aloud."""

from __future__ import annotations

import re

from aiprod.planner.textutil import strip_symbols

_TLDS = (
    "com|net|org|io|co|ai|app|dev|fr|be|ch|ca|uk|de|es|it|nl|eu|shop|store|coffee|tech|xyz|"
    "me|tv|info|biz|us|online|site|club|studio|design|cafe|paris|lu|pt|ie|at|se|no|dk|fi|"
    "au|nz|in|jp|io|gg|so|to|ly|fm|life|live|health|fit|bio|eco|green|travel|media|agency|"
    "digital|world|today|news|blog|page|link|space|website|fun|games|art|food|wine|beer|"
    "bike|shoes|fashion|beauty|care|pet|pets|family|group|team|solutions|services|cloud"
)
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
# Unknown top-level domains count when written in lower case and not a file extension.
_OTHER_TLD = (
    r"(?!(?:js|py|ts|md|txt|pdf|jpe?g|png|gif|svg|webp|mp[34]|mov|wav|csv|json|ya?ml|html?|"
    r"css|docx?|xlsx?|pptx?|zip|exe|etc)\b)(?-i:[a-z]{2,6})"
)
URL_RE = re.compile(
    rf"(?<![\w@.-])(?:https?://(?:{_LABEL}\.)+[a-z]{{2,24}}|"
    rf"(?:www\.)?(?:{_LABEL}\.)+(?:{_TLDS}|{_OTHER_TLD}))"
    r"(?![\w-])(?:/[^\s\"'<>()]*)?",
    re.IGNORECASE,
)
# A link with a scheme whose host is no web address we know how to say (``https://a.b/c``):
# neither a website nor words, so it is left out of points, brands and narration.
SCHEME_LINK_RE = re.compile(r"(?<![\w.-])[a-z][a-z0-9+.-]{1,15}://\S*", re.IGNORECASE)
_EMAIL_RE = re.compile(r"[\w.+-]+@(?:[a-z0-9-]+\.)+[a-z]{2,24}\b", re.IGNORECASE)
_SCHEME_RE = re.compile(r"^https?://", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""


def find_url(text: str) -> tuple[str, int, int] | None:
    """The first web address in ``text``: (as written minus scheme, start, end)."""
    match = URL_RE.search(text)
    if match is None:
        return None
    raw = match.group(0).rstrip(_TRAILING)
    written = _SCHEME_RE.sub("", raw).rstrip("/")
    if not written:
        return None
    return written, match.start(), match.start() + len(raw)


def domain_of(url: str) -> str:
    """The host of a web address as written: no scheme, no path."""
    return _SCHEME_RE.sub("", url).split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]


def spoken_domain(url: str, language: str) -> str:
    """``beanthere.coffee/shop`` -> ``beanthere dot coffee`` (``point`` in French)."""
    host = domain_of(url)
    if host.lower().startswith("www."):
        host = host[4:]
    dot = " point " if language == "fr" else " dot "
    return dot.join(part for part in host.split(".") if part)


def _spoken_email(match: re.Match[str], language: str) -> str:
    user, host = match.group(0).split("@", 1)
    at = " arobase " if language == "fr" else " at "
    return user.replace(".", " ") + at + spoken_domain(host, language)


_CURRENCY = (
    (re.compile(r"\$\s?(\d+(?:[.,]\d+)?)"), r"\1 dollars"),
    (re.compile(r"€\s?(\d+(?:[.,]\d+)?)"), r"\1 euros"),
    (re.compile(r"£\s?(\d+(?:[.,]\d+)?)"), r"\1 pounds"),
    (re.compile(r"(\d+(?:[.,]\d+)?)\s?€"), r"\1 euros"),
    (re.compile(r"(\d+(?:[.,]\d+)?)\s?\$"), r"\1 dollars"),
)
_FR_RATES = (
    re.compile(r"(\d+)\s?j(?:ours?)?\s?/\s?(\d+)\b", re.IGNORECASE),
    re.compile(r"(\d+)\s?h\s?/\s?(\d+)\b", re.IGNORECASE),
)
_INNER_DOT = re.compile(r"(?<=[^\W\d_])\.(?=[^\W\d_])")
_STRAY_CURRENCY = re.compile(r"[$€£¥]")
_DISCOUNT_MINUS = re.compile(r"(?<![\w.,])[-−–]\s?(\d+(?:[.,]\d+)?)\s?%")
_SLASH_DIGITS = re.compile(r"(\d)\s*/\s*(\d)")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.!?;:])")
_REPEATED_PUNCT = re.compile(r"([,.;:])(?:\s*[,.;:])+")
_SYMBOL_WORDS = {
    "en": {"&": " and ", "%": " percent", "+": " plus ", "=": " equals ", "@": " at "},
    "fr": {"&": " et ", "%": " pour cent", "+": " plus ", "=": " égale ", "@": " arobase "},
}


def _said_discount(match: re.Match[str], language: str) -> str:
    """'-20 %' -> 'moins 20 %' ('Moins' opening a sentence), '20 % off' in English: the dash
    was dropped as a symbol and the discount said as a plain '20 percent'."""
    if language != "fr":
        return f"{match[1]} % off"
    before = match.string[: match.start()].rstrip()
    opens = not before or before[-1] in ".!?:"
    return f"{'Moins' if opens and not before.endswith(':') else 'moins'} {match[1]} %"


def speakable(text: str, language: str) -> str:
    """Copy fit for a voice: addresses spelled out, no markdown, slashes, emoji or symbols."""
    text = _EMAIL_RE.sub(lambda m: _spoken_email(m, language), text)
    text = URL_RE.sub(lambda m: spoken_domain(m.group(0).rstrip(_TRAILING), language), text)
    text = SCHEME_LINK_RE.sub(" ", text)
    for pattern, replacement in _CURRENCY:
        text = pattern.sub(replacement, text)
    text = _STRAY_CURRENCY.sub(" ", text)
    text = _DISCOUNT_MINUS.sub(lambda m: _said_discount(m, language), text)
    if language == "fr":
        text = _FR_RATES[0].sub(r"\1 jours sur \2", text)
        text = _FR_RATES[1].sub(r"\1 heures sur \2", text)
        text = text.replace("24/7", "24 heures sur 24, 7 jours sur 7")
    text = _SLASH_DIGITS.sub(r"\1 \2", text)
    text = re.sub(r"\b(and|et)/(or|ou)\b", r"\1 \2", text)
    text = text.replace("/", " ou " if language == "fr" else " or ")
    text = re.sub(r"#(\d)", "numéro \\1" if language == "fr" else "number \\1", text)
    for symbol, word in _SYMBOL_WORDS["fr" if language == "fr" else "en"].items():
        text = text.replace(symbol, word)
    text = _INNER_DOT.sub(" point " if language == "fr" else " dot ", text)
    text = strip_symbols(text)
    text = _REPEATED_PUNCT.sub(r"\1", text)
    if language != "fr":
        text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    else:
        text = re.sub(r"\s+([,.])", r"\1", text)
    return " ".join(text.split())
