"""Drafting each scene in several lengths: the pacing step then picks one length per scene."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from aiprod.planner.brief import BriefAnalysis
from aiprod.planner.grammar import bare_noun, is_food, point_kind
from aiprod.planner.keywords import visual_words
from aiprod.planner.offers import CODE_PHRASE_RE, find_offer
from aiprod.planner.slots import (
    Slots,
    pick,
    pick_many,
    point_slots,
    render,
    shortest,
    templates_for,
)
from aiprod.planner.speech import domain_of, speakable
from aiprod.planner.templates_en import Synthetic
from aiprod.planner.textutil import (
    count_words,
    fit_headline,
    fold,
    lower_first,
    title_case,
    unique,
    upper_first,
)

SceneRole = Literal["hook", "point", "cta"]
HEADLINE_LIMIT = 32


@dataclass(frozen=True)
class Variant:
    """One way to say a scene: its narration, spoken word count and sentence count."""

    text: str
    words: int
    sentences: int
    bias: float = 0.0


@dataclass(frozen=True)
class Draft:
    """A scene before pacing: everything but the choice of narration length."""

    role: SceneRole
    headline: str
    keywords: tuple[str, ...]
    variants: tuple[Variant, ...]
    sentence_budget: int


_TERSE_BIAS = 1.5
"""Cost of the tersest wording, kept for very short targets only."""
_FILLER_BIAS = 3.0
"""Cost of each word of filler ('It's that simple.'): more than the word saves in distance
to the target, so filler is said only when the script would otherwise miss the +/-10 %
band, and then as little of it as reaches the band."""


def _expand(
    classes: list[list[str]],
    extras: list[str],
    language: str,
    lead: bool,
    terse: list[str] | None = None,
    facts: Sequence[str] = (),
) -> tuple[Variant, ...]:
    """Every length a scene can take: each class of wording, then with the brief's ``facts``
    added, then with filler ``extras`` too. A filler sentence says nothing the brief said, so
    pacing takes one only when the script cannot reach its target length otherwise."""
    variants: list[Variant] = []
    if terse and terse not in classes:
        text = speakable(" ".join(terse), language)
        variants.append(Variant(text, count_words(text), len(terse), _TERSE_BIAS))
    for base in classes:
        said = fold(" ".join(base))
        known = [fact for fact in facts if _bare(fact) not in said]
        fresh = [extra for extra in extras if _bare(extra) not in said]
        added = [*known, *fresh]
        for count in range(len(added) + 1):
            more = added[:count]
            sentences = [*more, *base] if lead else [*base, *more]
            text = speakable(" ".join(sentences), language)
            bias = _FILLER_BIAS * sum(count_words(extra) for extra in more[len(known) :])
            if count_words(text):
                variants.append(Variant(text, count_words(text), len(sentences), bias))
    if not variants:  # defensive: every template has words of its own
        text = "À découvrir." if language == "fr" else "Discover more."
        variants.append(Variant(text, 2, 1))
    return tuple(variants)


def _bare(sentence: str) -> str:
    return fold(sentence).strip(" .!?")


def headline_case(text: str, language: str) -> str:
    """Title Case in English, sentence case in French; fitted to 32 characters."""
    text = upper_first(text) if language == "fr" else title_case(text)
    return fit_headline(text, HEADLINE_LIMIT)


def _keywords(analysis: BriefAnalysis, text: str) -> tuple[str, ...]:
    banned = tuple(p for p in (analysis.brand, analysis.website) if p)
    found = [*visual_words(text, banned), *visual_words(analysis.product or "")]
    found += list(analysis.keywords)
    return tuple(unique(found)[:5]) or ("abstract",)


class Composer:
    """Drafts the scenes of one script; remembers used templates so wording varies."""

    def __init__(self, analysis: BriefAnalysis, slots: Slots) -> None:
        self.analysis = analysis
        self.slots = slots
        self.lang = analysis.language
        self.copy = templates_for(self.lang)
        self.used: set[str] = set()

    def _seed(self, *parts: str) -> str:
        a = self.analysis
        return "|".join([a.brand or "", a.product or "", *parts])

    def hook(self) -> Draft:
        """Opening scene: a question or teaser that names the brand when there is one."""
        family = "brand" if "brand" in self.slots else "plain"
        food = is_food(self.analysis.product)
        classes: list[list[str]] = []
        for level in range(3):
            pool = self.copy.HOOKS[f"{family}_food"][level] if food else ()
            if not (food and level == 1):
                pool = (*pool, *self.copy.HOOKS[family][level])
            text = pick(pool, self.slots, self._seed("hook", str(level)), self.used)
            classes.append(self._introducing(text) if text else [])
        extras = pick_many(self.copy.HOOK_AUDIENCE, self.slots, self._seed("aud"), self.used, 1)
        every = [t for level in (0, 1) for t in self.copy.HOOKS[family][level]]
        terse = shortest(every, self.slots)
        variants = _expand(
            [c for c in classes if c],
            extras,
            self.lang,
            lead=False,
            terse=self._introducing(terse) if terse else None,
        )
        return Draft("hook", self._hook_headline(), _keywords(self.analysis, ""), variants, 3)

    def _introducing(self, text: str) -> list[str]:
        """The hook's sentences with what the brief says the brand is: 'Meet Ledgerly.' ->
        'Meet Ledgerly, the bookkeeping app for freelancers.', else one sentence more
        ('Volt, c'est le vélo électrique urbain.')."""
        brand, description = self.analysis.brand, self.analysis.description
        if not brand or not description:
            return [text]
        described = lower_first(description)
        if text.endswith(f" {brand}."):
            return [f"{text[:-1]}, {described}."]
        template = "{brand}, c'est {d}." if self.lang == "fr" else "{brand} is {d}."
        return [text, template.format(brand=brand, d=described)]

    def _hook_headline(self) -> str:
        brand = self.analysis.brand
        if brand:
            lead = f"Découvrez {brand}" if self.lang == "fr" else f"Meet {brand}"
            return headline_case(lead if len(lead) <= HEADLINE_LIMIT else brand, self.lang)
        if self.analysis.product:
            return headline_case(self.analysis.product, self.lang)
        return "Du nouveau" if self.lang == "fr" else "Something New"

    def points(self, group: list[str], index: int) -> Draft:
        """A scene covering one or more key points (merged when scenes are scarce): noun
        phrases merged are said as one list ('80 km d'autonomie et recharge en 3 heures.')."""
        listed = len(group) > 1 and all(self._kind(p) == "noun" for p in group)
        said = [self._listed(group)] if listed else group
        classes: list[list[str]] = [[], [], []]
        for point in said:
            slots = point_slots(self.slots, point)
            kind = self._kind(point)
            family = self.copy.POINTS[kind]
            bare = self.copy.POINTS["noun_bare"] if kind == "noun" and bare_noun(point) else None
            for level in range(3):
                pool = (*family[level], *(bare[level] if bare else ()))
                seed = self._seed(point, str(level))
                text = pick(pool, slots, seed, self.used, again=level == 0)
                classes[level].append(text or f"{slots['P']}.")
        extras = self._elaborations("|".join(group), index)
        terse = [f"{upper_first(point)}." for point in said]
        variants = _expand(classes, extras, self.lang, lead=False, terse=terse)
        keywords = _keywords(self.analysis, " ".join(group))
        headline = self._points_headline(group)
        return Draft("point", headline, keywords, variants, len(said) + 1)

    def _kind(self, point: str) -> str:
        return "offer" if find_offer(point, self.lang) else point_kind(point, self.lang)

    def _listed(self, group: list[str]) -> str:
        """'a, b and c' ('et' in French): merged noun phrases said as one list."""
        last = " et " if self.lang == "fr" else " and "
        return f"{', '.join(group[:-1])}{last}{group[-1]}"

    def _points_headline(self, group: list[str]) -> str:
        """The point itself; for merged points, all of them when they fit, else a heading
        over the list ('Les atouts de Volt'), never the first point alone."""
        offers = [point for point in group if self._kind(point) == "offer"]
        joined = " & ".join(group if not offers else offers[:1])
        if len(joined) > HEADLINE_LIMIT:  # the code is on its chip: '15% Off All Helmets'
            joined = " ".join(CODE_PHRASE_RE.sub(" ", joined).split())
        if len(group) == 1 or offers or len(joined) <= HEADLINE_LIMIT:
            return headline_case(joined, self.lang) or self._fallback_headline()
        brand = self.analysis.brand
        french = self.lang == "fr"
        heading = (f"Les atouts de {brand}" if french else f"Why {brand}") if brand else ""
        if not heading or len(heading) > HEADLINE_LIMIT:
            heading = "L'essentiel" if french else "At a Glance"
        return headline_case(heading, self.lang)

    def synthetic(self, item: Synthetic, index: int) -> Draft:
        """A filler scene (audience, product, mood...) for briefs with too few points."""
        classes = [[text] for level in (1, 2, 3) if (text := render(item[level], self.slots))]
        headline = render(item[0], self.slots) or ""
        extras = self._elaborations(item[0], index, context=False)
        variants = tuple(
            replace(v, bias=v.bias + _FILLER_BIAS * v.words)  # a filler scene is all filler
            for v in _expand(classes, extras, self.lang, lead=False)
        )
        keywords = _keywords(self.analysis, "")
        return Draft("point", headline_case(headline, self.lang), keywords, variants, 2)

    def _elaborations(self, key: str, index: int, *, context: bool = True) -> list[str]:
        """Up to four follow-up sentences, alternating mood (or context) and generic ones.

        Pacing uses the first ones only when the target needs the words.
        """
        flavour = self.copy.MOOD_ELABORATIONS[self.analysis.mood]
        if context:
            flavour = (*flavour, *self.copy.CONTEXT_ELABORATIONS)
        seed = self._seed(key, str(index))
        generic = self.copy.GENERIC_ELABORATIONS
        chosen = pick_many(flavour, self.slots, seed, self.used, 1)
        chosen += pick_many(generic, self.slots, seed, self.used, 1)
        chosen += pick_many(flavour, self.slots, seed + "+", self.used, 1)
        chosen += pick_many(generic, self.slots, seed + "+", self.used, 1)
        return chosen

    def call_to_action(self) -> Draft:
        """Closing scene: the call to action, with the brand named."""
        brand = self.analysis.brand
        named = bool(brand) and fold(brand or "") in fold(self.analysis.call_to_action)
        family = self.copy.CTA_WITH_BRAND if brand and not named else self.copy.CTA_PLAIN
        classes: list[list[str]] = []
        for level in range(3):
            text = pick(family[level], self.slots, self._seed("cta", str(level)), self.used)
            classes.append([text] if text else [])
        extras = pick_many(self.copy.CTA_LEAD_INS, self.slots, self._seed("lead"), self.used, 3)
        terse = shortest(family[0], self.slots)
        variants = _expand(
            [c for c in classes if c],
            extras,
            self.lang,
            lead=True,
            terse=[terse] if terse else None,
        )
        return Draft("cta", self._cta_headline(), _keywords(self.analysis, ""), variants, 2)

    def _cta_headline(self) -> str:
        website = self.analysis.website
        if website:
            shown = website if len(website) <= HEADLINE_LIMIT else domain_of(website)
            if len(shown) <= HEADLINE_LIMIT:
                return fit_headline(shown, HEADLINE_LIMIT)
        cta = self.slots["Cta"]
        if len(cta) <= HEADLINE_LIMIT or not self.analysis.brand:
            return headline_case(cta, self.lang) or self._fallback_headline()
        return self._fallback_headline()

    def _fallback_headline(self) -> str:
        if self.analysis.brand:
            return fit_headline(self.analysis.brand, HEADLINE_LIMIT) or "AIPROD"
        return "À découvrir" if self.lang == "fr" else "Discover More"
