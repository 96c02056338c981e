"""Scene keywords → ambience category, in English and French (accents and plurals optional)."""

from __future__ import annotations

import pytest

from aiprod.providers.sfx import AMBIENCE_CATEGORIES, ambience_for
from aiprod.providers.sfx.keywords import categories_in, kinds_in, normalise, singulars
from aiprod.providers.sfx.vocabulary import VOCABULARY

ENGLISH = {
    "rain": ["rain", "Rainy", "downpour", "thunderstorms", "drizzle"],
    "city": ["downtown", "street", "Streets", "urban", "city centre"],
    "ocean": ["beach", "beaches", "waves", "sea", "seaside"],
    "forest": ["forest", "woods", "birds", "trees", "rainforest"],
    "cafe": ["coffee", "coffee shops", "café", "cafes", "espresso"],
    "crowd": ["crowd", "crowds", "stadium", "festival", "audience"],
    "office": ["office", "meeting", "meetings", "open space", "keyboard"],
    "wind": ["wind", "windy", "breeze", "gusts", "mountains"],
    "night": ["night", "crickets", "midnight", "starry", "evening"],
    "fire": ["campfire", "fireplace", "flames", "bonfire", "embers"],
    "stream": ["river", "creek", "brooks", "waterfall", "stream"],
    "traffic": ["traffic", "traffic jam", "highway", "cars", "rush hour"],
}
FRENCH = {
    "rain": ["pluie", "pluies", "averse", "orage", "Bruine"],
    "city": ["ville", "villes", "rue", "Centre-Ville", "quartier"],
    "ocean": ["plage", "plages", "océan", "ocean", "vagues", "bord de mer"],
    "forest": ["forêt", "foret", "forêts", "oiseaux", "chant d'oiseaux"],
    "cafe": ["café", "cafe", "cafés", "terrasse", "salon de thé", "bistrot"],
    "crowd": ["foule", "foules", "stade", "marché", "marche", "fête"],
    "office": ["bureau", "bureaux", "réunion", "reunions", "open space"],
    "wind": ["vent", "vents", "rafales", "tempête", "tempete"],
    "night": ["nuit", "nuits", "grillons", "crépuscule", "étoiles"],
    "fire": ["feu", "feux", "feu de camp", "cheminée", "flammes", "braises"],
    "stream": ["rivière", "riviere", "rivières", "ruisseaux", "cascade"],
    "traffic": ["embouteillage", "embouteillages", "bouchons", "périphérique", "voitures"],
}


@pytest.mark.parametrize(("category", "words"), ENGLISH.items())
def test_english_words_map_to_their_category(category: str, words: list[str]) -> None:
    for word in words:
        assert ambience_for([word], "en") == category, word


@pytest.mark.parametrize(("category", "words"), FRENCH.items())
def test_french_words_map_with_or_without_accents_and_in_plural(
    category: str, words: list[str]
) -> None:
    for word in words:
        assert ambience_for([word], "fr") == category, word
        assert ambience_for([word.upper()], "fr-FR") == category, word


def test_vocabulary_is_substantial_in_both_languages() -> None:
    for language in ("en", "fr"):
        assert set(VOCABULARY[language]) == set(AMBIENCE_CATEGORIES)
        for category, words in VOCABULARY[language].items():
            assert len(words.split(",")) >= 8, (language, category)


def test_unknown_or_empty_keywords_give_none() -> None:
    assert ambience_for([]) is None
    assert ambience_for(["spaceship", "laser", "!!!"]) is None
    assert ambience_for([""], "fr") is None


def test_phrases_beat_their_words() -> None:
    assert ambience_for(["feu rouge"], "fr") == "traffic"
    assert ambience_for(["feu"], "fr") == "fire"
    assert ambience_for(["coffee shop"]) == "cafe"


def test_most_named_category_wins_then_the_first_named() -> None:
    assert ambience_for(["street", "rain", "umbrella"]) == "rain"
    assert ambience_for(["un feu de camp dans la forêt"], "fr") == "fire"
    assert ambience_for(["forêt", "feu de camp"], "fr") == "forest"


def test_other_language_is_a_fallback() -> None:
    assert ambience_for(["plage"], "en") == "ocean"
    assert ambience_for(["beach"], "fr") == "ocean"
    assert ambience_for(["beach"], "de") == "ocean"


def test_normalise_strips_case_accents_and_punctuation() -> None:
    assert normalise("  Forêt-Noire, Œuvre! ") == "foret noire oeuvre"
    assert normalise("CAFÉ") == "cafe"
    assert singulars("oiseaux") == ["oiseaux", "oiseau"]
    assert "beach" in singulars("beaches")


def test_kinds_and_categories_in_file_words() -> None:
    assert kinds_in(["air", "swoosh", "01"]) == {"whoosh"}
    assert kinds_in(["Room", "Tone"]) == {"ambience"}
    assert kinds_in(["montée"]) == {"riser"}
    assert categories_in(["pluie", "forte"]) == {"rain"}
    assert categories_in(["rainy", "street"]) == {"rain", "city"}
