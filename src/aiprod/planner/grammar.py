"""Just enough grammar for the templates: point shapes, English plurals, French articles."""

from __future__ import annotations

from typing import Literal

from aiprod.planner.lexicon import (
    EN_ADJ_OPENERS,
    EN_FINITE,
    EN_VERBS,
    FOOD_NOUNS,
    FR_ADJ_OPENERS,
    FR_FEMININE,
    FR_FEMININE_ENDINGS,
    FR_FINITE,
    FR_MASCULINE_E,
    FR_VERBS,
    MASS_NOUNS,
)
from aiprod.planner.textutil import fold, folded_set, words

PointKind = Literal["noun", "adj", "verb", "clause"]

_EN_LINKS = folded_set(
    "in on at for with by from to within under after before across around daily every "
    "locally fresh right straight overnight"
)
_FR_LINKS = folded_set("en à au aux dans pour chez par sans avec sur sous dès chaque")
_FR_INVARIABLE = folded_set("jus prix bus cours repas matelas bras mois fois temps tapis")
_HEAD_ENDS = folded_set("for with of in on at to by from without per that which who")
_VOWELS = "aeiouyhâàäéèêëîïôöûùüœ"


_CONTRACTIONS = folded_set("it's that's there's they're we're you're it'll we'll you'll")


def _participle(word: str, language: str) -> bool:
    """``roasted``, ``fabriqué``: a past participle (French checked with its accent)."""
    if language == "fr":
        return word.endswith(("é", "ée", "és", "ées")) and len(word) > 3
    return word.endswith("ed") and len(word) > 3


def point_kind(point: str, language: str) -> PointKind:
    """How a point can be said: a noun phrase, an adjective phrase, a verb, or a clause."""
    raw = [word.lower() for word in words(point)]
    parts = [fold(word) for word in raw]
    if not parts:
        return "noun"
    french = language == "fr"
    finite = FR_FINITE if french else EN_FINITE
    links = _FR_LINKS if french else _EN_LINKS
    if any(word in finite or word in _CONTRACTIONS for word in parts[1:]) or (
        parts[0] in _CONTRACTIONS
    ):
        return "clause"
    if parts[0] in (FR_VERBS if french else EN_VERBS) and len(parts) > 1:
        return "verb"
    opens = parts[0] in (FR_ADJ_OPENERS if french else EN_ADJ_OPENERS) or _participle(
        raw[0], language
    )
    if opens and (len(parts) == 1 or parts[1] in links):
        return "adj"
    if not french and 1 < len(parts) <= 3 and _participle(raw[-1], language):
        return "adj"
    return "noun"


def bare_noun(phrase: str) -> bool:
    """True for plural or uncountable English phrases, which read well without an article."""
    parts = words(phrase)
    links = [i for i, word in enumerate(parts) if i and fold(word) in _HEAD_ENDS]
    parts = parts[: links[0]] if links else parts  # 'app for freelancers': the app
    if not parts:
        return False
    last = fold(parts[-1])
    return last in MASS_NOUNS or (last.endswith("s") and not last.endswith("ss"))


def is_food(product: str | None) -> bool:
    """True when the product is eaten or drunk (enables taste-based hooks)."""
    return bool(product) and any(fold(w) in FOOD_NOUNS for w in words(product or "")[-1:])


def _pluralise(word: str) -> str:
    lowered = word.lower()
    if lowered.endswith("y") and len(word) > 1 and lowered[-2] not in "aeiou":
        return word[:-1] + "ies"
    if lowered.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


def en_generic(product: str) -> tuple[str, bool]:
    """``"app"`` -> ``("apps", True)``; ``"coffee"`` -> ``("coffee", False)`` (mass noun)."""
    parts = product.split()
    if not parts:
        return product, False
    last = fold(parts[-1])
    if last in MASS_NOUNS or fold(product) in MASS_NOUNS or not parts[-1].isalpha():
        return product, False
    if last.endswith("s") and not last.endswith("ss"):
        return product, True
    return " ".join([*parts[:-1], _pluralise(parts[-1])]), True


def fr_plural(phrase: str) -> bool:
    """A French noun phrase is plural when its first word (the head noun) is."""
    head = fold((phrase.split() or [""])[0])
    return head.endswith(("s", "x")) and head not in _FR_INVARIABLE


def fr_feminine(phrase: str) -> bool:
    """Grammatical gender of a French noun phrase's head noun (guessed when unknown)."""
    head = fold((phrase.split() or [""])[0])
    singular = head[:-1] if fr_plural(phrase) else head
    if singular in FR_FEMININE or head in FR_FEMININE:
        return True
    if singular in FR_MASCULINE_E or head in FR_MASCULINE_E:
        return False
    return singular.endswith(tuple(fold(e) for e in FR_FEMININE_ENDINGS))


def _elides(phrase: str) -> bool:
    return phrase[:1].lower() in _VOWELS


def fr_article(phrase: str, form: Literal["le", "du", "un", "de"]) -> str:
    """``phrase`` with a French determiner: le/la/l'/les, du/de la/de l'/des, un/une/des, de/d'."""
    if form == "de":
        return ("d'" if _elides(phrase) else "de ") + phrase
    if fr_plural(phrase):
        return {"le": "les ", "du": "des ", "un": "des "}[form] + phrase
    if form == "un":
        return ("une " if fr_feminine(phrase) else "un ") + phrase
    if _elides(phrase):
        return ("l'" if form == "le" else "de l'") + phrase
    if fr_feminine(phrase):
        return ("la " if form == "le" else "de la ") + phrase
    return ("le " if form == "le" else "du ") + phrase
