"""Keyword normalisation for the asset library.

Words are compared casefolded, with accents stripped and punctuation turned into spaces, so
"Café", "cafe" and "CAFÉS" meet. Plurals are handled by trying a few singular forms
(English -s/-es/-ies, French -s/-x/-aux) rather than by a real stemmer: both sides of a
comparison go through the same forms, which is all matching needs.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_WORD = re.compile(r"[^0-9a-z]+")
_MIN_STEM = 3  # never shorten a word below this many letters ("bus", "gas" stay whole)


@lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """Casefold, strip accents, keep letters and digits separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    bare = bare.replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    return _NON_WORD.sub(" ", bare).strip()


def tokens(text: str) -> list[str]:
    """The normalised words of ``text``, in order."""
    return normalise(text).split()


@lru_cache(maxsize=4096)
def word_forms(word: str) -> tuple[str, ...]:
    """``word`` (already normalised) then its plausible singular forms, most likely first."""
    forms = [word]
    if word.endswith("ies"):
        forms.append(word[:-3] + "y")
    if word.endswith("aux") and not word.endswith("eaux"):
        forms.append(word[:-3] + "al")
    if word.endswith(("s", "x")) and not word.endswith("ss"):
        forms.append(word[:-1])
    if word.endswith("es"):
        forms.append(word[:-2])
    singular = (form for form in forms[1:] if len(form) >= _MIN_STEM)
    return tuple(dict.fromkeys([word, *singular]))
