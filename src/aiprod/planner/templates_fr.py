"""Modèles de texte en français. Emplacements : {brand} {x} {le_x} {Le_x} {du_x} {un_x} {dun_x}
(le produit avec son article), {aud} {les_aud}, {p} {P} (le point), {cta} {Cta}, et les accords
{change} {devenait} {sort} (singulier/pluriel du produit).

Chaque famille a trois longueurs (court, moyen, long) pour tenir le rythme visé.
"""

from __future__ import annotations

from aiprod.planner.moods import Mood
from aiprod.planner.templates_en import Classes, Synthetic

HOOKS: dict[str, Classes] = {
    "brand": (
        ("Découvrez {brand}.", "Voici {brand}.", "Place à {brand}."),
        (
            "Envie {dun_x} qui {change} tout ? Découvrez {brand}.",
            "Et si {le_x} {devenait} un vrai plaisir ? Voici {brand}.",
            "Et si {le_x} {devenait} plus simple ? Découvrez {brand}.",
        ),
        (
            "Vous cherchez {un_x} qui {sort} vraiment de l'ordinaire ? Bonne nouvelle : "
            "{brand} est là.",
            "Bonne nouvelle pour {les_aud} : voici {brand}.",
        ),
    ),
    "brand_food": (
        ("Découvrez {brand}.",),
        ("Marre {du_x} sans saveur ? Découvrez {brand}.",),
        ("Marre {du_x} sans saveur ? {brand} change la donne, dès le premier instant.",),
    ),
    "plain": (
        ("{Le_x}, en mieux.",),
        (
            "Envie {dun_x} qui {change} tout ? Vous êtes au bon endroit.",
            "Et si {le_x} {devenait} un vrai plaisir ?",
        ),
        ("Et si {le_x} {devenait} enfin un vrai plaisir, chaque jour ? C'est possible.",),
    ),
    "plain_food": (
        ("{Le_x}, en mieux.",),
        ("Marre {du_x} sans saveur ? On a la solution.",),
        ("Marre {du_x} sans saveur ? On a une excellente nouvelle pour vous.",),
    ),
}
# Le titre d'une offre qui ne dit que son prix : le prix est affiché en grand dessous, le
# titre dit ce qu'il achète. Genres : « cut » (un prix au lieu d'un autre), « from » (un prix
# de départ), « price » ; avec la marque, puis sans.
OFFER_HEADLINES: dict[str, tuple[str, str]] = {
    "cut": ("{brand} à prix doux", "Prix en baisse"),
    "from": ("{brand} à petit prix", "Petits prix"),
    "price": ("Le prix {brand}", "Notre prix"),
}
# Le mot au-dessus du prix, dans le badge de l'offre : l'amorce du brief, lue avant le prix.
PRICE_LEADS: dict[str, str] = {
    "à partir de": "Dès",
    "a partir de": "Dès",
    "dès": "Dès",
    "seulement": "Seulement",
    "juste": "Juste",
}
PRICE_WORD = "Prix"
HOOK_AUDIENCE = (
    "Vous êtes {aud} ? Cette vidéo est pour vous.",
    "Ceci s'adresse {aux_aud}.",
    "Avis {aux_aud} !",
)

# Un point se dit simplement, avec au plus une courte accroche et jamais une formule qui en
# change le sens (« Premier entretien offert, à chaque fois » est faux).
POINTS: dict[str, Classes] = {
    "noun": (
        ("{P}.", "Le plus ? {P}."),
        (
            "Bonne nouvelle : {p}.",
            "À noter : {p}.",
            "À ne pas manquer : {p}.",
        ),
        (
            "Ce qui distingue {brand} ? {P}.",
            "Et le meilleur dans tout ça ? {P}.",
            "Avec {brand}, c'est simple : {p}.",
            "Autre atout de {brand} : {p}.",
        ),
    ),
    "noun_bare": ((), (), ()),
    "offer": (
        ("{P}.",),
        ("À ne pas manquer : {p}.", "Bonne nouvelle : {p}."),
        ("Et le meilleur dans tout ça ? {P}.",),
    ),
    "adj": (
        ("{P}.",),
        ("Et en plus, c'est {p}.", "Bonne nouvelle : c'est {p}."),
        ("Et le meilleur dans tout ça ? C'est {p}.", "Mieux encore, c'est {p}."),
    ),
    "verb": (
        ("{P}.",),
        ("Vous pouvez enfin {p}.", "Bonne nouvelle : vous pouvez {p}."),
        ("Avec {brand}, vous pouvez {p}.", "Désormais, vous pouvez {p}."),
    ),
    "clause": (
        ("{P}.",),
        ("Bonne nouvelle : {p}.", "Le saviez-vous ? {P}."),
        ("Et voici ce qui fait la différence : {p}.", "Vous avez bien entendu : {p}."),
    ),
}
GENERIC_ELABORATIONS = (
    "Tout simplement.",
    "Sans compromis.",
    "C'est notre promesse.",
    "Vous allez sentir la différence.",
    "Parce que vous méritez le meilleur.",
    "Et ça se voit dans chaque détail.",
    "Exactement comme il se doit.",
    "Une qualité sur laquelle vous pouvez compter, chaque jour.",
    "On s'occupe des détails pour que vous n'ayez pas à le faire.",
    "Ce sont les petites choses qui font les grandes différences.",
    "Une fois essayé, impossible de s'en passer.",
    "Simple, honnête et fait pour durer.",
    "Franchement, ça marche.",
    "Chaque jour, pour tout le monde.",
    "Un petit changement, une grande différence.",
    "Tout s'intègre naturellement à votre quotidien.",
    "Vous vous demanderez comment vous faisiez avant.",
    "Fait avec soin, et ça se voit.",
    "Et ce n'est que le début.",
)
CONTEXT_ELABORATIONS = (
    "Idéal pour {les_aud}.",
    "Pensé pour {les_aud}.",
    "C'est toute la différence {brand}.",
)
MOOD_ELABORATIONS: dict[Mood, tuple[str, ...]] = {
    "upbeat": ("Ressentez l'énergie dès le premier instant.",),
    "calm": (
        "Détendez-vous, on s'occupe de tout.",
        "Prenez le temps d'en profiter.",
        "Tout devient plus simple.",
        "Rien à craindre.",
    ),
    "corporate": (
        "Des résultats fiables et mesurables.",
        "Conçu pour accompagner votre croissance.",
        "La confiance des équipes exigeantes.",
        "Une efficacité qui se mesure.",
    ),
    "inspiring": (
        "Les grandes choses commencent par de petits choix.",
        "Imaginez tout ce que vous pourriez accomplir.",
        "C'est votre moment.",
        "Voyez plus grand, chaque jour.",
    ),
    "dramatic": (
        "Cela change tout.",
        "Plus rien ne sera comme avant.",
        "Préparez-vous à être surpris.",
        "La puissance, réinventée.",
    ),
    "playful": (
        "Oui, vraiment.",
        "On sait, on est aussi impatients que vous.",
        "Allez, faites-vous plaisir.",
        "Qui a dit que c'était forcément ennuyeux ?",
    ),
}

CTA_WITH_BRAND: Classes = (
    ("C'est ça, {brand}. {Cta}.",),
    ("Prêt à essayer {brand} ? {Cta}.", "Découvrez {brand}. {Cta}."),
    ("{brand} vous attend. Alors, n'attendez plus : {cta}.",),
)
CTA_PLAIN: Classes = (
    ("{Cta}.",),
    ("N'attendez plus : {cta}.", "Qu'attendez-vous ? {Cta}."),
    ("Alors, n'attendez plus : {cta}.",),
)
CTA_LEAD_INS = (
    "Le moment est venu de vous lancer.",
    "Vous le méritez.",
    "Voyez la différence par vous-même.",
    "Ça ne prend qu'un instant.",
    "Vous nous remercierez plus tard.",
)

SYNTHETIC_AUDIENCE: Synthetic = (
    "Pensé pour {les_aud}",
    "Pensé pour {les_aud}.",
    "Chaque détail est pensé pour {les_aud}.",
    "Chaque détail est pensé pour {les_aud}, du premier instant au dernier.",
)
SYNTHETIC_PRODUCT: Synthetic = (
    "{Le_x}, en mieux",
    "{Le_x}, en mieux.",
    "On a repensé {le_x} de A à Z.",
    "On a repensé {le_x} de A à Z, pour que vous n'ayez plus jamais à faire de compromis.",
)
SYNTHETIC_GENERIC: tuple[Synthetic, ...] = (
    (
        "Conçu avec soin",
        "Conçu avec soin.",
        "Chaque détail est pensé avec soin.",
        "Chaque détail est pensé avec soin, de la première idée au résultat final.",
    ),
    (
        "Simple dès le premier jour",
        "Simple dès le premier jour.",
        "Se lancer ne prend qu'un instant.",
        "Se lancer ne prend qu'un instant, et vous vous demanderez comment vous faisiez avant.",
    ),
    (
        "Une qualité de confiance",
        "Une qualité de confiance.",
        "Vous pouvez compter sur une qualité constante.",
        "Vous pouvez compter sur la même qualité, à chaque fois, quoi qu'il arrive.",
    ),
    (
        "Le bon choix",
        "Le bon choix, sans prise de tête.",
        "Vous en avez plus, sans payer plus.",
        "Vous en avez plus pour ce qui compte, sans payer plus ni perdre de temps.",
    ),
    (
        "Une expérience unique",
        "Une expérience unique.",
        "Chaque instant est pensé pour vous faire plaisir.",
        "Chaque instant est pensé pour vous faire plaisir, de la première seconde à la dernière.",
    ),
)
