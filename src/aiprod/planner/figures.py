"""Numbers worth showing big: a value with its unit ("80 km", "48 h", "10 %", "$19.99", "2x").

English and French: decimal points and commas ("4,5 kg"), thousands grouped by commas
("10,000") or by spaces ("1 299 €"), currencies before or after the number, spelled-out
units of the narration ("20 percent", "9.99 dollars", "10 pour cent").

>>> f = find_figure("80 km battery range")
>>> (f.value, f.decimals, f.prefix, f.unit, f.label)
(80.0, 0, '', 'km', 'battery range')
>>> f = find_figure("autonomie de 4,5 heures", "fr")
>>> (f.value, f.decimals, f.unit, f.label)
(4.5, 1, 'heures', 'autonomie')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aiprod.planner.stopwords import STOP_WORDS
from aiprod.planner.textutil import fold, word_set

CURRENCY_SYMBOLS = {"$": "$", "€": "€", "£": "£", "¥": "¥"}
CURRENCY_WORDS = {
    "dollars": "$",
    "dollar": "$",
    "usd": "$",
    "euros": "€",
    "euro": "€",
    "eur": "€",
    "pounds": "£",
    "gbp": "£",
}
SPELLED_UNITS = {"percent": "%", "per cent": "%", "pour cent": "%", "times": "x", "fois": "x"}
KNOWN_UNITS = word_set(
    "% x × km m cm mm kg g mg l ml cl h hr hrs hour hours heure heures min mins minute minutes "
    "s sec secs second seconds seconde secondes day days jour jours week weeks semaine semaines "
    "month months mois year years an ans année années mph km/h kwh wh w kw mah gb tb mb go mo "
    "mp fps k m star stars étoile étoiles mile miles million millions billion billions milliard "
    "milliards"
)
PLURAL_EN = word_set("day hour minute week month year mile second star")
LABEL_EDGE_WORDS = word_set(
    "of in on at to for with from and or by per a an the de d' du des en à au aux pour avec "
    "par et ou le la les l' un une sur dans up over than more less plus moins about environ "
    "under just only seulement jusqu'à "
    "l d qu"  # an elided article stripped of its apostrophe ("et l'" ends a cut clause)
)
RATE_WORDS = word_set("a an per every each par chaque")
PERIOD_WORDS = word_set(
    "day week month year hour night jour semaine mois an année heure nuit trimestre quarter"
)
ELIDED_RE = re.compile(r"^(?:d|l|qu)['’]", re.IGNORECASE)
MAX_LABEL_WORDS = 6
CLAUSE_WINDOW = 160

_NUMBER = r"\d{1,3}(?:[ \u00a0\u202f,.]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
_PREFIX = r"(?P<prefix>US\$|[$€£¥]|[xX×](?=\d))?"
_UNIT = (
    r"(?P<unit>%|[xX×](?![\w])|[$€£¥]|(?:per cent|pour cent)\b"
    r"|/7\b|-?[^\W\d_]+(?:/[^\W\d_]+)?)?"
)
FIGURE_RE = re.compile(
    rf"(?<![\w.,/]){_PREFIX}(?P<number>{_NUMBER})(?![\d])(?P<gap>[ \u00a0\u202f-]?){_UNIT}",
    re.UNICODE,
)
ROUND_THE_CLOCK_RE = re.compile(
    r"(?<![\w/.,])(?P<n>\d{1,2})\s?(?P<u>j|h|jours?|heures?)\s?(?:/|sur)\s?(?P<of>\d{1,2})(?![\w/])",
    re.IGNORECASE,
)
YEAR_RE = re.compile(r"^(19|20)\d\d$")
ORDINAL_RE = re.compile(r"^(st|nd|rd|th|e|er|ère|ème|eme)$", re.IGNORECASE)
_CLAUSE_SPLIT = re.compile(r"\s*(?:[;:!?]|[.,](?=\s)|[.,]$| [—–-] |\n)\s*")


@dataclass(frozen=True)
class Figure:
    """A number as it should be shown: ``prefix`` + value (with ``decimals``) + ``unit``."""

    value: float
    decimals: int
    prefix: str
    unit: str
    label: str
    text: str
    """The figure as written in the line (number and unit), for masking or display."""
    currency: bool


def parse_number(text: str, language: str = "en") -> tuple[float, int] | None:
    """(value, decimal places) of a written number, or None when it is not one.

    >>> parse_number("1 299"), parse_number("4,5", "fr"), parse_number("10,000")
    ((1299.0, 0), (4.5, 1), (10000.0, 0))
    """
    raw = re.sub(r"[ \u00a0\u202f]", "", text)
    if not raw or not raw[0].isdigit():
        return None
    separators = [c for c in raw if c in ".,"]
    decimal_sep = _decimal_separator(raw, separators, language)
    whole, _, frac = raw.partition(decimal_sep) if decimal_sep else (raw, "", "")
    digits = re.sub(r"[.,]", "", whole)
    if not digits.isdigit() or (frac and not frac.isdigit()):
        return None
    return float(f"{digits}.{frac}" if frac else digits), min(3, len(frac))


def _decimal_separator(raw: str, separators: list[str], language: str) -> str | None:
    if not separators:
        return None
    if len(set(separators)) == 2:
        return separators[-1]
    sep = separators[0]
    if len(separators) > 1:
        return None  # 1,000,000 or 1.000.000: all thousands
    after = len(raw) - raw.index(sep) - 1
    if after != 3:
        return sep
    thousands = {"en": ",", "fr": "."}.get(language[:2], ",")
    return None if sep == thousands else sep


def _unit_of(unit: str, language: str, value: float) -> tuple[str, bool] | None:
    """(unit shown, is a currency) for the word after a number; None when it is no unit."""
    word = unit.strip().lstrip("-")
    folded = fold(word)
    if word in CURRENCY_SYMBOLS:
        return word, True
    if folded in CURRENCY_WORDS:
        return CURRENCY_WORDS[folded], True
    if folded in SPELLED_UNITS:
        return SPELLED_UNITS[folded], False
    if folded in ("x", "×", "/7"):
        return ("x" if folded != "/7" else "/7"), False
    if folded in KNOWN_UNITS or unit.startswith("-"):
        plural = language[:2] == "en" and folded in PLURAL_EN and value != 1
        return (f"{folded}s" if plural else word.lower() if word.islower() else word), False
    return None


def _counted(unit: str) -> bool:
    """True when the word after a bare number is a noun it counts: '10,000 customers'."""
    word = unit.strip().lstrip("-")
    return word.isalpha() and not ORDINAL_RE.match(word) and fold(word) not in STOP_WORDS


def _named_before(text: str, start: int) -> bool:
    """True when the number belongs to a name: 'SOC 2', 'iPhone 15', 'Model 3'."""
    before = text[max(0, start - 40) : start]
    if not before.endswith(" ") or before.endswith("  "):
        return False
    tokens = before.split()
    last = tokens[-1] if tokens else ""
    if not last.isalpha():
        return False
    inner_upper = any(c.isupper() for c in last[1:])
    return inner_upper or (last[0].isupper() and fold(last) not in STOP_WORDS)


def _clause(text: str, start: int, end: int) -> tuple[str, str]:
    """The words before and after a span, within its clause (looking at most
    ``CLAUSE_WINDOW`` characters either side, so long lines stay linear)."""
    window = max(0, start - CLAUSE_WINDOW)
    cuts = [m.end() for m in _CLAUSE_SPLIT.finditer(text, window, start)]
    left = text[cuts[-1] if cuts else window : start]
    stop = _CLAUSE_SPLIT.search(text, end, end + CLAUSE_WINDOW)
    right = text[end : stop.start() if stop else min(len(text), end + CLAUSE_WINDOW)]
    return left, right


def _trimmed(words: list[str]) -> list[str]:
    words = [w.strip("\"'“”«»()[]") for w in words]
    words = [w for w in words if w]
    while words and fold(words[0]) in LABEL_EDGE_WORDS:
        words.pop(0)
    while words and fold(words[-1]) in LABEL_EDGE_WORDS:
        words.pop()
    if words and ELIDED_RE.match(words[0]) and len(words[0]) > 2:
        words[0] = ELIDED_RE.sub("", words[0])  # "d'autonomie" -> "autonomie"
    return words


def _rate(words: list[str]) -> list[str] | None:
    """'a month', 'per day', 'par mois': a figure's rate, kept whole as its label with what
    follows it ('5 hours a week on paperwork' -> 'a week on paperwork', not 'week on
    paperwork')."""
    if len(words) >= 2 and fold(words[0]) in RATE_WORDS and fold(words[1]) in PERIOD_WORDS:
        while fold(words[-1]) in LABEL_EDGE_WORDS:
            words = words[:-1]
        return words
    return None


def figure_label(text: str, start: int, end: int) -> str:
    """A short label from the words around a figure, in its clause: the words after it when
    there are any ('80 km battery range' -> 'battery range', '5 hours a month' -> 'a month'),
    else those before it ('autonomie de 80 km' -> 'autonomie')."""
    left, right = _clause(text, start, end)
    words = _rate(right.split()) or _trimmed(right.split()) or _trimmed(left.split())
    return " ".join(words[:MAX_LABEL_WORDS])[:80]


def _unit_and_end(match: re.Match[str], language: str, value: float) -> tuple[str, bool, int]:
    """(unit, currency, end of the figure) for a matched number; unit '' for a bare count."""
    raw = match["unit"] or ""
    prefix = match["prefix"] or ""
    glued = raw and not match["gap"] and raw[0].isalpha()
    found = _unit_of(raw, language, value) if raw else None
    if found is None or (prefix and raw[:1].isalpha()):
        if glued:
            raise ValueError("a name such as '3D' or 'MP3'")
        return "", False, match.end("number")
    return found[0], found[1], match.end()


def _figure_at(match: re.Match[str], text: str, language: str) -> Figure | None:
    parsed = parse_number(match["number"], language)
    if parsed is None:
        return None
    value, decimals = parsed
    try:
        unit, currency, end = _unit_and_end(match, language, value)
    except ValueError:
        return None
    prefix = (match["prefix"] or "").replace("US$", "$")
    if prefix in ("x", "X", "×"):
        prefix, unit = "", "x"
    currency = currency or prefix in CURRENCY_SYMBOLS
    if not prefix and not unit and not _counted(match["unit"] or ""):
        return None
    if not prefix and not unit and YEAR_RE.match(match["number"]):
        return None
    if not currency and fold(unit) not in KNOWN_UNITS and _named_before(text, match.start()):
        return None
    if currency and unit in CURRENCY_SYMBOLS and language[:2] == "en" and not prefix:
        prefix, unit = unit, ""  # '9.99 dollars' is shown '$9.99' in English
    label = figure_label(text, match.start(), end)
    return Figure(value, decimals, prefix, unit, label, text[match.start() : end], currency)


def _round_the_clock(match: re.Match[str], text: str) -> Figure:
    """'7j/7', '24h/24', '7 jours sur 7': shown as '7j/7', '24h/24'."""
    unit = f"{match['u'][0].lower()}/{match['of']}"
    label = figure_label(text, match.start(), match.end())
    return Figure(float(match["n"]), 0, "", unit, label, match.group(0), currency=False)


def find_figures(text: str, language: str = "en") -> list[Figure]:
    """Every figure in ``text``, in order; known units come before counted nouns."""
    clock = [
        (m.start(), m.end(), _round_the_clock(m, text)) for m in ROUND_THE_CLOCK_RE.finditer(text)
    ]
    found: list[Figure | None] = [f for _, _, f in clock]
    for match in FIGURE_RE.finditer(text):
        if not any(start <= match.start() < end for start, end, _ in clock):
            found.append(_figure_at(match, text, language))
    return [f for f in found if f is not None]


def _known(figure: Figure) -> bool:
    return bool(figure.prefix) or fold(figure.unit) in KNOWN_UNITS or "/" in figure.unit


def find_figure(text: str, language: str = "en") -> Figure | None:
    """The figure to show for a line: the first with a real unit, else the first counted one."""
    figures = find_figures(text, language)
    known = [f for f in figures if _known(f)]
    ranked = known or figures
    return ranked[0] if ranked else None


SHORT_UNITS = {
    "en": {
        "hr": "h",
        "hrs": "h",
        "hour": "h",
        "hours": "h",
        "minute": "min",
        "minutes": "min",
        "mins": "min",
        "second": "s",
        "seconds": "s",
        "kilometre": "km",
        "kilometres": "km",
        "kilometer": "km",
        "kilometers": "km",
    },
    "fr": {
        "heure": "h",
        "heures": "h",
        "minute": "min",
        "minutes": "min",
        "seconde": "s",
        "secondes": "s",
        "kilomètre": "km",
        "kilomètres": "km",
    },
}
"""Units a stat card shows in their short form: '3 h' for 'recharge en 3 heures', '5 h' for
'5 hours' (a long unit made the number small, and counting up showed '1 hours')."""


def short_unit(unit: str, language: str = "en") -> str:
    """The unit as a stat card shows it: 'heures' -> 'h', 'hours' -> 'h'; others unchanged."""
    return SHORT_UNITS.get(language[:2], {}).get(unit.lower(), unit)


def shown(figure: Figure) -> str:
    """The figure as it would be displayed: '$19.99', '80 km', '10 %' (French), '2x'."""
    number = f"{figure.value:.{figure.decimals}f}"
    space = "" if figure.unit in ("%", "x", "") or "/" in figure.unit else " "
    return f"{figure.prefix}{number}{space}{figure.unit}"
