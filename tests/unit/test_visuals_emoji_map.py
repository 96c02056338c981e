"""Keywords to emoji in English and French: accents, plurals, phrases, exclusions."""

from __future__ import annotations

from collections import Counter

import pytest

from aiprod.visuals.emoji_map import (
    FALSE_FRIENDS,
    emoji_for,
    language_index,
    match_emoji,
    primary_language,
)
from aiprod.visuals.text import normalise, word_forms
from aiprod.visuals.words_en import WORDS_EN
from aiprod.visuals.words_fr import WORDS_FR


@pytest.mark.parametrize(
    ("keyword", "emoji"),
    [
        ("coffee", "☕"),
        ("tea", "🍵"),
        ("bread", "🍞"),
        ("pizza", "🍕"),
        ("shoes", "👟"),
        ("phone", "📱"),
        ("laptop", "💻"),
        ("car", "🚗"),
        ("bike", "🚲"),
        ("house", "🏠"),
        ("money", "💰"),
        ("gift", "🎁"),
        ("delivery", "🚚"),
        ("fast", "⚡"),
        ("secure", "🔒"),
        ("save", "💰"),
        ("grow", "📈"),
        ("organic", "🌱"),
        ("eco", "♻️"),
        ("health", "🩺"),
        ("love", "❤️"),
        ("time", "⏱️"),
        ("global", "🌍"),
        ("team", "👥"),
        ("support", "💬"),
        ("idea", "💡"),
        ("rocket", "🚀"),
        ("star", "⭐"),
        ("check", "✅"),
        ("calendar", "📅"),
        ("music", "🎵"),
        ("sport", "🏅"),
        ("travel", "✈️"),
        ("beach", "🏖️"),
        ("rain", "🌧️"),
        ("city", "🏙️"),
        ("forest", "🌲"),
        ("ocean", "🌊"),
        ("developer", "👩‍💻"),
    ],
)
def test_english_keywords(keyword: str, emoji: str) -> None:
    assert emoji_for([keyword]) == emoji


@pytest.mark.parametrize(
    ("keyword", "emoji"),
    [
        ("café", "☕"),
        ("livraison", "🚚"),
        ("gratuit", "🆓"),
        ("bio", "🌱"),
        ("rapide", "⚡"),
        ("sécurisé", "🔒"),
        ("économiser", "💰"),
        ("équipe", "👥"),
        ("idée", "💡"),
        ("voyage", "✈️"),
        ("plage", "🏖️"),
        ("ville", "🏙️"),
        ("forêt", "🌲"),
        ("pluie", "🌧️"),
        ("pain", "🍞"),
        ("chat", "🐱"),
        ("thé", "🍵"),
    ],
)
def test_french_keywords(keyword: str, emoji: str) -> None:
    assert emoji_for([keyword], "fr") == emoji


@pytest.mark.parametrize(
    ("keyword", "language", "emoji"),
    [
        ("CAFÉS", "fr", "☕"),
        ("Cafe", "fr", "☕"),
        ("Forets", "fr", "🌲"),
        ("FORÊTS", "fr", "🌲"),
        ("Idées", "fr", "💡"),
        ("bateaux", "fr", "⛵"),  # -eaux -> -eau
        ("chevaux", "fr", "🐴"),  # -aux -> -al
        ("réseaux sociaux", "fr", "🤳"),
        ("cities", "en", "🏙️"),  # -ies -> -y
        ("boxes", "en", "📦"),  # -es
        ("Shoes", "en", "👟"),
        ("credit cards", "en", "💳"),  # phrase with a plural
        ("Œufs", "fr", "🥚"),  # ligature
        ("l'équipe", "fr", "👥"),  # elision
        ("e-commerce", "en", "🛒"),  # hyphen
    ],
)
def test_normalisation_accents_case_and_plurals(keyword: str, language: str, emoji: str) -> None:
    assert emoji_for([keyword], language) == emoji


def test_phrases_beat_their_words_and_heads_are_tried_first() -> None:
    assert emoji_for(["save time"]) == "⏱️"  # the phrase, not "save" -> 💰
    assert emoji_for(["running shoes"]) == "👟"  # English head noun is last
    assert emoji_for(["organic coffee"]) == "☕"
    assert emoji_for(["chaussures de course"], "fr") == "👟"  # French head noun is first
    assert emoji_for(["café bio"], "fr") == "☕"
    assert emoji_for(["livraison gratuite"], "fr") == "🚚"


def test_keyword_order_decides() -> None:
    assert emoji_for(["pizza", "coffee"]) == "🍕"
    assert emoji_for(["unknownword", "coffee", "pizza"]) == "☕"
    found = match_emoji(["zzz", "Livraisons rapides"], "fr")
    assert found is not None
    assert (found.emoji, found.keyword, found.word) == (
        "🚚",
        "Livraisons rapides",
        "livraison rapide",
    )


def test_exclude_skips_to_the_next_match() -> None:
    assert emoji_for(["coffee", "tea"], exclude={"☕"}) == "🍵"
    assert emoji_for(["coffee"], exclude={"☕"}) is None
    # the emoji presentation selector (VS16) does not make two emoji different
    assert emoji_for(["recycling", "tree"], exclude=["♻"]) == "🌳"
    assert emoji_for(["tree"], exclude=["🌳️"]) is None


def test_no_match_gives_none() -> None:
    assert emoji_for([]) is None
    assert emoji_for(["", "   ", "!!!"]) is None
    assert emoji_for(["qwertyuiop", "zxcv"], "fr") is None


def test_other_language_is_searched_but_false_friends_are_not() -> None:
    assert emoji_for(["pizza", "football"], "fr") == "🍕"
    assert emoji_for(["coffee"], "fr") == "☕"  # English keyword in a French video
    assert emoji_for(["livraison"], "en") == "🚚"  # and the other way round
    assert emoji_for(["car"], "fr") is None  # "car" means "because" in French
    assert emoji_for(["sale"], "fr") is None  # "dirty"
    assert emoji_for(["the"], "en") is None  # not "thé"
    assert emoji_for(["pain"], "en") is None  # not "bread"
    assert all(words for words in FALSE_FRIENDS.values())


def test_language_codes() -> None:
    assert primary_language("fr-FR") == "fr"
    assert primary_language("fr_CA") == "fr"
    assert primary_language("EN") == "en"
    assert primary_language("de") == "en"
    assert emoji_for(["chat"], "fr-FR") == "🐱"
    assert emoji_for(["chat"], "en-GB") == "💬"


def test_vocabulary_is_large_and_unambiguous() -> None:
    assert len(language_index("en")) + len(language_index("fr")) >= 250
    assert len(language_index("fr")) >= 150
    for rows in (WORDS_EN, WORDS_FR):
        words = Counter(normalise(word) for _, line in rows for word in line.split(","))
        assert [w for w, n in words.items() if n > 1 or not w] == []


def test_word_forms() -> None:
    assert word_forms("cities") == ("cities", "city", "citie", "citi")
    assert word_forms("bus") == ("bus",)
    assert word_forms("glass") == ("glass",)
    assert word_forms("tv") == ("tv",)
    assert word_forms("chevaux")[:2] == ("chevaux", "cheval")
    assert normalise("  Crème-Brûlée  ") == "creme brulee"
