"""Tone words (English and French) mapped to the music moods, and mood detection."""

from __future__ import annotations

from typing import Literal

from aiprod.planner.textutil import fold

Mood = Literal["upbeat", "calm", "corporate", "inspiring", "dramatic", "playful"]
MOODS: tuple[Mood, ...] = ("upbeat", "calm", "corporate", "inspiring", "dramatic", "playful")
DEFAULT_MOOD: Mood = "corporate"

# Unmistakable tone words count twice as much as words that merely lean towards a mood.
_STRONG: dict[Mood, str] = {
    "upbeat": """upbeat energetic energised energized fun lively dynamic peppy bouncy punchy
        fast-paced high-energy exciting cheerful joyful vibrant dynamique énergique
        entraînant entraînante festif festive joyeux joyeuse pétillant pétillante rythmé
        rythmée enjoué enjouée vitaminé vitaminée""",
    "calm": """calm calming relaxing relaxed zen soothing peaceful serene tranquil mellow
        chill chilled meditative gentle calme apaisant apaisante relaxant relaxante serein
        sereine paisible tranquille reposant reposante doux douce""",
    "corporate": """professional corporate b2b formal institutional trustworthy
        professionnel professionnelle professionnels institutionnel institutionnelle
        formel formelle sobre""",
    "inspiring": """inspiring inspirational inspire motivational motivating uplifting
        empowering aspirational hopeful heartfelt inspirant inspirante motivant motivante
        émouvant émouvante optimiste inspiré inspirée""",
    "dramatic": """epic bold dramatic cinematic intense suspenseful thrilling heroic
        powerful épique audacieux audacieuse dramatique cinématographique intense puissant
        puissante percutant percutante spectaculaire""",
    "playful": """playful quirky whimsical silly cheeky funny humorous humourous witty
        goofy light-hearted lighthearted ludique décalé décalée espiègle drôle humoristique
        amusant amusante rigolo rigolote loufoque""",
}
_WEAK: dict[Mood, str] = {
    "upbeat": "happy positive gai gaie positif positive",
    "calm": "cozy cosy quiet ambient cocooning douceur",
    "corporate": "business enterprise serious polished entreprise sérieux sérieuse",
    "inspiring": "emotional hopeful émotion espoir",
    "dramatic": "suspense tension massive",
    "playful": "cute mignon mignonne humour",
}
_NEGATIONS = frozenset(
    {"not", "no", "never", "without", "less", "pas", "sans", "ni", "jamais", "non"}
)


def _build_index() -> dict[str, tuple[Mood, int]]:
    index: dict[str, tuple[Mood, int]] = {}
    for table, weight in ((_WEAK, 1), (_STRONG, 2)):
        for mood, text in table.items():
            for word in text.split():
                index[fold(word)] = (mood, weight)
    return index


MOOD_WORDS: dict[str, tuple[Mood, int]] = _build_index()
"""Folded tone word -> (mood, weight)."""


def detect_mood(tokens: list[str]) -> Mood:
    """The mood named most strongly by ``tokens`` (folded words); earliest wins ties."""
    scores: dict[Mood, int] = {}
    first_seen: dict[Mood, int] = {}
    for position, token in enumerate(tokens):
        hit = MOOD_WORDS.get(token)
        if hit is None:
            continue
        window = tokens[max(0, position - 2) : position]
        if any(word in _NEGATIONS for word in window):
            continue
        mood, weight = hit
        scores[mood] = scores.get(mood, 0) + weight
        first_seen.setdefault(mood, position)
    if not scores:
        return DEFAULT_MOOD
    return min(scores, key=lambda mood: (-scores[mood], first_seen[mood]))


def is_mood_word(folded: str) -> bool:
    """True when ``folded`` (a folded word) is a tone word of any mood."""
    return folded in MOOD_WORDS
