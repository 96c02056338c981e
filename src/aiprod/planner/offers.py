"""Offers in a line: prices (and the price they replace), promo codes, discount badges.

>>> o = find_offer("20% off this week with code VOLT20")
>>> (o.badge, o.price, o.was, o.code)
('-20%', None, None, 'VOLT20')
>>> o = find_offer("Seulement 29 € au lieu de 49 €", "fr")
>>> (o.badge, o.price, o.was, o.code)
(None, '29 €', '49 €', None)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aiprod.planner import templates_en, templates_fr
from aiprod.planner.figures import Figure, find_figures
from aiprod.planner.textutil import (
    any_of,
    fit_headline,
    fold,
    folded_set,
    title_case,
    upper_first,
    word_set,
)
from aiprod.planner.tokens import is_content

CODE_RE = re.compile(
    r"(?:\bpromo[ -]?code|\bcode[ -]promo|\bdiscount code|\bcoupon(?: code)?|\bcode)"
    r"\s*:?\s*[\"'“«]?\s*(?P<code>[A-Za-z0-9][A-Za-z0-9_-]{2,30})",
    re.IGNORECASE,
)
DISCOUNT_RE = re.compile(
    r"(?:(?P<minus>-)\s?)?(?P<n>\d{1,3}(?:[.,]\d+)?)\s?(?:%|percent\b|per cent\b|pour ?cent\b)"
    r"(?P<after>\s+(?:off|discount|de réduction|de remise|de rabais|offerts?)\b)?",
    re.IGNORECASE,
)
SAVE_RE = any_of(["save", "économisez", "jusqu'à", "up to"], after=r"\s*$")
FREE_RE = any_of(
    [
        r"free (?:delivery|shipping|returns|trial|first \w+)",
        r"first (?:month|week|\w+) free",
        r"livraison (?:gratuite|offerte)",
        r"retours? (?:gratuits?|offerts?)",
        r"essai gratuit",
        r"(?:premier|1er) mois (?:offert|gratuit)",
        r"2 for 1",
        r"two for one",
        r"buy one,? get one free",
        r"half price",
        r"moitié prix",
        r"deux pour (?:le prix d')?un",
    ]
)
WAS_PHRASES = [
    "was",
    "instead of",
    "au lieu de",
    "before",
    "avant",
    "regularly",
    "normally",
    "usually",
    "rrp",
    "prix barré",
]
WAS_CUES = any_of(WAS_PHRASES, after=r"\s*:?\s*$")
PRICE_CUES = frozenset(
    fold(w)
    for w in word_set(
        "price prices priced cost costs from only just now at prix tarif dès coûte "
        "seulement maintenant partir pour for per par month mois year an meal repas"
    )
)
FREE_WORD_RE = any_of(["free", "gratuite?s?", "offerte?s?"])
CODE_PHRASE_RE = re.compile(
    r"(?:\b(?:use|using|enter|with|avec|utilisez|saisissez|entrez)\s+(?:the\s+|le\s+)?)?"
    + CODE_RE.pattern,
    re.IGNORECASE,
)
OFFER_EDGE_WORDS = folded_set(
    "use using enter with for and or on at to of the a an de d' du des avec le la les et ou "
    "pour sur en utilisez profitez get now maintenant only seulement just juste désormais"
)
PRICE_LEADS = folded_set("at from dès à starting start starts partir")
_LEAD_INSIDE_RE = re.compile(
    r"\b(?:à|at|for|from|dès|pour)\s+(?:\x00\s*)+(?=[^\W\d_])", re.IGNORECASE
)
"""A price lead whose price was taken out mid-line: dropped, or the headline reads
'Menu du midi à la première semaine'; at the line's end it goes to the badge over the price."""
_LEAD_BEFORE_RE = re.compile(
    r"\b(à partir de|a partir de|starting (?:at|from)|starts? at|from|dès|only|just|seulement|"
    r"juste)\s*$",
    re.IGNORECASE,
)
"""The lead-in right before a price ('Plans from 9 €'): shown over the price, in its badge."""
OFFER_FALLBACK = {
    "en": ("Your promo code", "Special offer"),
    "fr": ("Votre code promo", "Offre spéciale"),
}
RATE_NOUNS = word_set(
    "day week month year night jour semaine mois an année meal repas person personne user "
    "utilisateur seat"
)
_RATE_AFTER = re.compile(
    rf"\s*(?:a|an|per|every|each|par|chaque|/)\s*(?P<noun>{'|'.join(sorted(RATE_NOUNS))})\b",
    re.IGNORECASE,
)
_WAS_BEFORE = any_of(WAS_PHRASES, after=r"\s*:?\s*")
MAX_CODE = 32
MAX_PRICE = 24
HEADLINE_CHARS = 32
CUE_WINDOW = 24


@dataclass(frozen=True)
class OfferFound:
    """What an offer scene would show; at least one field is set."""

    badge: str | None
    price: str | None
    was: str | None
    code: str | None


def find_code(text: str) -> str | None:
    """A promo code after 'code', 'promo code', 'coupon': it needs a digit or capitals."""
    for match in CODE_RE.finditer(text):
        code = match["code"].rstrip("-_")
        if any(c.isdigit() for c in code) and any(c.isalpha() for c in code):
            return code.upper()[:MAX_CODE]
        if code.isupper() and len(code) >= 4:
            return code[:MAX_CODE]
    return None


def find_badge(text: str) -> str | None:
    """'-20%' for a discount ('20% off', 'save 20%', '-20 %'), else a free-offer phrase."""
    for match in DISCOUNT_RE.finditer(text):
        saved = SAVE_RE.search(text[max(0, match.start() - CUE_WINDOW) : match.start()])
        if match["minus"] or match["after"] or saved is not None:
            return f"-{match['n'].replace(',', '.')}%"
    free = FREE_RE.search(text)
    if free is None:
        return None
    phrase = free.group(0)
    return (phrase[0].upper() + phrase[1:])[:40]


def _amount(figure: Figure) -> str:
    """A price as written, spaces normalised: '$19.99', '1 299 €', '€12'."""
    text = re.sub(r"[\s\u00a0\u202f]+", " ", figure.text).strip()
    words = {"dollars": "$", "dollar": "$", "euros": "€", "euro": "€"}
    for word, symbol in words.items():
        if text.lower().endswith(word):
            number = text[: -len(word)].strip()
            return f"{symbol}{number}" if symbol == "$" else f"{number} {symbol}"
    return text[:24]


def _before(text: str, part: str) -> str:
    """The few words before ``part`` in ``text`` (where a 'was' or 'instead of' would be)."""
    at = text.find(part)
    return text[max(0, at - CUE_WINDOW) : at]


def find_prices(text: str, language: str = "en") -> tuple[str | None, str | None]:
    """(price, was): the price now and the struck-through one, when the line says both."""
    amounts = [f for f in find_figures(text, language) if f.currency]
    if not amounts:
        return None, None
    was = [f for f in amounts if WAS_CUES.search(_before(text, f.text))]
    now = [f for f in amounts if f not in was]
    if not was and len(amounts) == 2 and re.search(r"→|->|\bnow\b|\bmaintenant\b", text):
        was, now = amounts[:1], amounts[1:]
    price = _amount(now[0]) if now else None
    return price, _amount(was[0]) if was else None


def _priced(text: str, language: str) -> bool:
    """True when a currency amount in the line reads as a price (not a saving or a stat)."""
    price, was = find_prices(text, language)
    if was is not None:
        return True
    return price is not None and bool(PRICE_CUES & {fold(w) for w in re.findall(r"\w+", text)})


def find_offer(text: str, language: str = "en") -> OfferFound | None:
    """The offer a line makes, or None: a code, a discount or free-offer badge, a price."""
    code, badge = find_code(text), find_badge(text)
    price, was = find_prices(text, language) if _priced(text, language) else (None, None)
    if not (code or badge or price):
        return None
    return OfferFound(badge=badge, price=price, was=was, code=code)


def _shown_words(text: str | None) -> set[str]:
    return {fold(w) for w in re.findall(r"\w+", text or "")}


def _without_amounts(text: str, language: str) -> str:
    """The line without its prices: each amount, with the 'instead of' before a replaced one
    and the rate after it ('12 € a month' -> '')."""
    for figure in sorted(find_figures(text, language), key=lambda f: -len(f.text)):
        if figure.currency:
            was = rf"(?:{_WAS_BEFORE.pattern})?"
            amount = rf"{was}{re.escape(figure.text)}(?:{_RATE_AFTER.pattern})?"
            text = re.sub(amount, " \x00 ", text, flags=re.IGNORECASE)
    text = _LEAD_INSIDE_RE.sub(" ", text)  # 'Menu du midi à [15 €] la première semaine'
    return text.replace("\x00", " ")


def _now_price(source: str, language: str) -> tuple[str, str | None]:
    """(lead, rate noun) around the price a line asks now (not the one it replaces): ('from',
    'month') for 'Plans from 9 € a month'."""
    for figure in find_figures(source, language):
        at = source.find(figure.text)
        if not figure.currency or at < 0 or WAS_CUES.search(_before(source, figure.text)):
            continue
        lead = _LEAD_BEFORE_RE.search(source[:at])
        rate = _RATE_AFTER.match(source, at + len(figure.text))
        return (lead[1].lower() if lead else ""), (rate["noun"].lower() if rate else None)
    return "", None


def _price_with_rate(price: str, rate: str | None) -> str:
    """'9 €/month', '8 €/mois': the rate read right after the price, in the price's row."""
    shown = f"{price}/{rate}" if rate else price
    return shown if len(shown) <= MAX_PRICE else price


def _lead_badge(lead: str, language: str) -> str | None:
    copy = templates_fr if language[:2] == "fr" else templates_en
    words: dict[str, str] = copy.PRICE_LEADS
    return words.get(lead) if lead else None


def _saving_badge(price: str | None, was: str | None, language: str) -> str | None:
    """'-41%' for '$29' instead of '$49'."""
    now = find_figures(price or "", language)
    before = find_figures(was or "", language)
    if not now or not before or before[0].value <= 0:
        return None
    saving = round((before[0].value - now[0].value) / before[0].value * 100)
    return f"-{saving}%" if 0 < saving < 100 else None


def _offer_rest(text: str, language: str = "en") -> str:
    """What a line says besides its code, discount, 'free' and prices: 'Use code X for 15%
    off your first order' -> 'your first order'."""
    priced = _without_amounts(text, language)
    for pattern in (CODE_PHRASE_RE, DISCOUNT_RE, FREE_WORD_RE):
        priced = pattern.sub(" ", priced)
    words = [w.strip(" .;:!?\"'“”«»()") for w in priced.split()]
    words = [w for w in words if w.strip(",")]  # a comma inside stays: a phrase edge
    while words and fold(words[0].strip(",")) in OFFER_EDGE_WORDS:
        words.pop(0)
    while words and fold(words[-1].strip(",")) in OFFER_EDGE_WORDS | PRICE_LEADS:
        words.pop()  # 'Plans start at': the lead goes to the badge over the price
    return " ".join(words).strip(" ,")


def offer_strength(text: str, language: str = "en") -> float:
    """How much a line's offer gives: the share saved (0.2 for '-20 %', 0.41 for '$29 instead
    of $49'), 1.0 for something free, 0.0 for a plain price or a code alone; -1.0 when the
    line makes no offer; a code alone promises something (0.1). Scenes too few for every
    offer keep the strongest ones."""
    offer = find_offer(text, language)
    if offer is None:
        return -1.0
    badge = offer.badge or _saving_badge(offer.price, offer.was, language) or ""
    share = re.fullmatch(r"-(\d+(?:\.\d+)?)%", badge)
    if share:
        return min(1.0, float(share[1]) / 100)
    return 1.0 if badge else 0.1 if offer.code else 0.0


def offer_headline(
    title: str,
    source: str,
    offer: dict[str, str | None],
    language: str = "en",
    brand: str | None = None,
) -> tuple[str, str | None]:
    """(headline, badge) for an offer scene, neither repeating the other, the price nor the
    code chip: a free-offer badge is the word 'Free' / 'Offert(e)' and the headline says what
    is free; a headline that says the discount, the code or the price is rewritten from
    ``source`` (the line the offer was read from) without them, or, when the line is nothing
    but its price, from a template ('Volt à prix doux' over '1 490 €'). A price's badge is
    its saving, else the lead-in the brief writes before it ('From' over '9 €/month').

    >>> offer_headline("Free Delivery", "free delivery", {"badge": "Free delivery"})
    ('Delivery', 'Free')
    >>> offer_headline("Use Code SPRING15", "Use code SPRING15 for 15% off your first order",
    ...                {"badge": "-15%", "code": "SPRING15"})
    ('Your First Order', '-15%')
    >>> offer_headline("1 490 € au lieu de 1 790 €", "1 490 € au lieu de 1 790 €",
    ...                {"price": "1 490 €", "was": "1 790 €"}, "fr", "Volt")
    ('Volt à prix doux', '-17%')
    """
    badge = offer.get("badge")
    free = FREE_WORD_RE.search(badge or "")
    if badge and free and not badge.startswith("-"):
        badge = upper_first(free.group(0).lower())
    price, was = offer.get("price"), offer.get("was")
    lead = _now_price(source, language)[0]
    if not badge and price:
        copy = templates_fr if language[:2] == "fr" else templates_en
        badge = (
            _saving_badge(price, was, language) or _lead_badge(lead, language) or copy.PRICE_WORD
        )
    shown = _shown_words(badge) | _shown_words(offer.get("code")) | _shown_words(price)
    if not _shown_words(title) & shown:
        return title, badge
    rest = _offer_rest(source, language) or _offer_rest(title, language)
    folded = [fold(w) for w in rest.split()]
    if rest and not _shown_words(rest) & shown and any(is_content(w) for w in folded):
        if len(folded) == 1 and brand and price:  # 'Plans' alone: 'Ledgerly Plans'
            rest = f"{rest.lower()} {brand}" if language[:2] == "fr" else f"{brand} {rest}"
        cased = upper_first(rest) if language[:2] == "fr" else title_case(rest)
        return fit_headline(cased), badge
    if price:
        return _price_headline(lead, was, language, brand), badge
    with_code, plain = OFFER_FALLBACK.get(language[:2], OFFER_FALLBACK["en"])
    return (with_code if offer.get("code") else plain), badge


def _price_headline(lead: str, was: str | None, language: str, brand: str | None) -> str:
    """The template headline of a line that says nothing but its price: never the price."""
    copy = templates_fr if language[:2] == "fr" else templates_en
    kind = "cut" if was else "from" if _lead_badge(lead, language) else "price"
    headlines: dict[str, tuple[str, str]] = copy.OFFER_HEADLINES
    branded, plain = headlines[kind]
    headline = branded.format(brand=brand) if brand else plain
    return headline if len(headline) <= HEADLINE_CHARS else plain


def offer_price(source: str, offer: dict[str, str | None], language: str = "en") -> str | None:
    """The price as shown: its rate after it ('9 €/month'), so the badge's lead-in, the price
    and its rate read in the brief's order; with a saving in the badge, the lead-in goes
    before the price ('From $14/month')."""
    price = offer.get("price")
    if not price:
        return price
    lead, rate = _now_price(source, language)
    shown = price if rate and price.endswith(f"/{rate}") else _price_with_rate(price, rate)
    word = _lead_badge(lead, language)
    badge = offer.get("badge") or _saving_badge(price, offer.get("was"), language)
    if word and shown.startswith(f"{word} "):
        return shown  # said so already (a spec planned twice)
    if word and badge and badge != word and len(f"{word} {shown}") <= MAX_PRICE:
        return f"{word} {shown}"
    return shown
