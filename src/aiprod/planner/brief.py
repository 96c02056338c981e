"""Reading a free-text brief (English or French) into the facts a script is written from."""

from __future__ import annotations

from dataclasses import dataclass

from aiprod.planner.brand import find_brand
from aiprod.planner.cta import default_call_to_action, find_call_to_action
from aiprod.planner.entities import find_audience, find_description, find_product
from aiprod.planner.format_hints import (
    DEFAULT_DURATION_S,
    Aspect,
    Span,
    find_aspect,
    find_duration,
)
from aiprod.planner.keywords import Language, detect_language, find_keywords
from aiprod.planner.moods import Mood, detect_mood
from aiprod.planner.points import clean_point, find_points
from aiprod.planner.speech import SCHEME_LINK_RE, find_url
from aiprod.planner.textutil import clean_text, fold, words
from aiprod.planner.tokens import mostly_upper


@dataclass(frozen=True)
class BriefAnalysis:
    """What a brief asks for. Every field has a usable value, whatever the brief says.

    Attributes:
        language: ``"en"`` or ``"fr"``, from function-word frequencies (default ``"en"``).
        brand: the brand as written (``"Bean There"``), or None.
        product: the product or category (``"coffee"``), or None.
        audience: who the video speaks to (``"busy parents"``), or None.
        mood: one of the music moods; ``"corporate"`` when the brief names no tone.
        key_points: up to six short phrases to cover, in brief order.
        call_to_action: what the viewer should do, stated or a default in ``language``.
        cta_explicit: True when ``call_to_action`` comes from the brief.
        website: the first web address, as written without its scheme, or None.
        duration_s: target length in seconds, 5-300 (default 30).
        duration_explicit: True when the brief named a length.
        aspect: ``"vertical"``, ``"square"``, ``"horizontal"``, or None when not named.
        keywords: salient nouns for visuals and ambience, most useful first.
    """

    language: Language
    brand: str | None
    product: str | None
    audience: str | None
    mood: Mood
    key_points: tuple[str, ...]
    call_to_action: str
    cta_explicit: bool
    website: str | None
    duration_s: float
    duration_explicit: bool
    aspect: Aspect | None
    keywords: tuple[str, ...]
    description: str | None = None
    """What the brand is, as the brief puts it after its name ('le vélo électrique urbain')."""


def _mask(text: str, spans: list[Span]) -> str:
    """Replace each span by a sentence break of the same length (positions are kept)."""
    chars = list(text)
    for start, end in spans:
        if end > start:
            chars[start:end] = list(". " + " " * (end - start - 2))[: end - start]
    return "".join(chars)


def _excluded(*phrases: str | None) -> tuple[set[str], set[str]]:
    present = [phrase for phrase in phrases if phrase]
    return {fold(p) for p in present}, {fold(w) for p in present for w in words(p)}


def _banned(*phrases: str | None) -> tuple[str, ...]:
    return tuple(phrase for phrase in phrases if phrase)


def analyse_brief(text: str) -> BriefAnalysis:
    """Analyse a brief in English or French. Never raises; fast on long briefs.

    >>> a = analyse_brief("30-second vertical ad for Bean There coffee, upbeat, "
    ...                   "mention organic beans and free delivery")
    >>> a.brand, a.mood, a.key_points, a.duration_s, a.aspect
    ('Bean There', 'upbeat', ('organic beans', 'free delivery'), 30.0, 'vertical')
    """
    cleaned = clean_text(text)
    language = detect_language(cleaned)
    brand_found = find_brand(cleaned)
    if mostly_upper(cleaned) and len(cleaned.lower()) == len(cleaned):
        cleaned = cleaned.lower()  # capitals carry no meaning; spans stay valid
    brand = brand_found[0] if brand_found else None
    brand_span = (brand_found[1], brand_found[2]) if brand_found else None
    url = find_url(cleaned)
    website = url[0] if url else None
    duration, duration_span = find_duration(cleaned)
    aspect, aspect_spans = find_aspect(cleaned)
    cta, cta_spans = find_call_to_action(cleaned)
    product = find_product(cleaned, brand_span)
    audience = find_audience(cleaned)
    spans = [*cta_spans, *aspect_spans, *([duration_span] if duration_span else [])]
    spans += [(url[1], url[2])] if url else []
    links = [link.span() for link in SCHEME_LINK_RE.finditer(cleaned)]
    spans += links
    description = find_description(cleaned, brand_span)
    excluded, excluded_words = _excluded(brand, product, audience)
    if description:  # the hook says it; as a point it was said twice ('Vélo électrique urbain')
        excluded |= {fold(description), fold(clean_point(description) or description)}
    points = find_points(_mask(cleaned, spans), excluded, excluded_words)
    return BriefAnalysis(
        language=language,
        brand=brand,
        product=product,
        audience=audience,
        mood=detect_mood([fold(word) for word in words(cleaned)]),
        key_points=points,
        call_to_action=cta or default_call_to_action(language, brand, website),
        cta_explicit=cta is not None,
        website=website,
        duration_s=duration if duration is not None else DEFAULT_DURATION_S,
        duration_explicit=duration is not None,
        aspect=aspect,
        keywords=find_keywords(
            _mask(cleaned, links), product, points, _banned(brand, cta, website)
        ),
        description=description,
    )
