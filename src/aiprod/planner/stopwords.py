"""Function words of English and French, used for language detection and keyword filtering."""

from __future__ import annotations

from aiprod.planner.textutil import folded_set


def _raw(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words frequent in English and absent from French (so they tell the languages apart).
EN_MARKERS = _raw(
    """
    the and of to for with is are be been was were that this these those it its our your
    we you they them their by from at as or but not will can should would could must make
    about who which what when where how into than then there here has have had do does did
    my me i he she his her an all any some more most very just also only over under
    mention highlight include want need get while because so if up out new
    """
)

# Words frequent in French and absent from English.
FR_MARKERS = _raw(
    """
    le la les un une des du de et est pour avec dans sur qui que pas nous vous notre nos
    votre vos ce cette ces au aux par son sa ses il elle ils elles sont être avoir faire
    très mais ou où je tu leur leurs mettre mentionner avant aussi comme sans chez
    entre plus moins tout tous toute toutes fait peut doit nouveau nouvelle nouveaux
    ton ta mon ma mes se ne y été était lui dont
    """
)

# French elisions ("l'", "d'", ...) start many French tokens.
FR_ELISIONS = ("l'", "d'", "j'", "qu'", "n'", "s'", "c'", "m'", "t'")

EN_STOP = EN_MARKERS | _raw(
    """
    a on in no yes it's we're you're let's us am being via per each every both such own
    same other others too off again further once why whom whose itself ourselves yourself
    like just really much many few lot lots one two three thing things way ways we'd i'd
    you'd i'm we'll let love would like
    """
)

FR_STOP = FR_MARKERS | _raw(
    """
    a à en l d j qu n s c m t ça cela ceci celui celle ceux celles quel quelle quels
    quelles même mêmes autre autres chaque si donc car ni or voici voilà on aussi
    l'on alors encore bien toujours jamais déjà là ici lors
    """
)

STOP_WORDS = folded_set(" ".join(EN_STOP | FR_STOP))

# Words describing the video itself rather than what it sells.
FORMAT_WORDS = folded_set(
    """
    ad ads advert advertisement advertising video videos spot commercial promo promotional
    clip reel reels teaser trailer short shorts story stories film post campaign social
    second seconds sec secs minute minutes min s vertical horizontal square portrait
    landscape format aspect ratio tone mood style music voiceover voice narration
    script brief cta call action end ending mention highlight include feature features
    pub publicité publicitaire vidéo vidéos seconde secondes durée carré carrée
    verticale horizontale paysage ton ambiance musique voix off mentionner mettre avant
    souligner fin terminer appel action tiktok instagram youtube facebook linkedin
    snapchat pinterest twitter make create write produce need want please aimed aim
    targeting targeted target audience explainer showcase emphasise emphasize stress key
    points point trailer usp usps benefits cible destiné destinée public points clés
    mettez soulignez mentionnez insister évoquer thanks merci créez créer faites réalisez
    réaliser voudrais voudrions aimerais aimerions besoin brand marque
    """
)

# Capitalised words that are not brands: platforms, events, months, days, languages.
NOT_BRANDS = folded_set(
    """
    instagram tiktok youtube facebook linkedin twitter x snapchat pinterest reels shorts
    stories google meta threads whatsapp christmas noël noel halloween easter pâques
    valentine valentine's black friday cyber monday january february march april may june
    july august september october november december janvier février mars avril mai juin
    juillet août septembre octobre novembre décembre monday tuesday wednesday thursday
    friday saturday sunday lundi mardi mercredi jeudi vendredi samedi dimanche english
    french français anglais i we our the a an la le les un une this that it cta usp b2b
    b2c seo roi ugc tv ai smb pme faq diy asap hd 4k uk us usa eu fr en ceo cto it
    """
)

# Production directions: a "point" naming one of these is about the video, not the product.
DIRECTION_WORDS = folded_set(
    """
    cta logo music musique voiceover voice-over subtitles captions soundtrack jingle
    sous-titres transition transitions outro intro font fonts colour color colours colors
    """
)
