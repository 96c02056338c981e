"""Small word lists: product categories, audiences, and hints for grammar in the templates."""

from __future__ import annotations

from aiprod.planner.textutil import fold


def _set(text: str) -> frozenset[str]:
    """Folded (lower-case, accent-free) words: look them up with ``fold(word)``."""
    return frozenset(fold(word) for word in text.split())


# Things briefs sell. Multi-word entries are matched before single words.
PRODUCT_NOUNS = _set(
    """
    coffee tea espresso latte matcha kombucha juice smoothie water beer wine cider spirits gin
    chocolate snacks snack cookies cookie bread pastries pizza burger burgers cheese granola
    cereal honey sauce meals meal food restaurant cafe café bakery bar brewery winery
    app apps software platform saas tool tools service services api website dashboard
    game games console headphones earbuds speaker speakers phone smartphone laptop camera
    watch smartwatch tablet charger drone printer keyboard mouse tv
    shoes sneakers boots trainers shirt shirts t-shirts dress jacket jeans hoodie clothing
    apparel fashion bag bags backpack jewelry jewellery sunglasses glasses hat
    skincare serum cream moisturiser moisturizer shampoo soap makeup lipstick perfume
    fragrance cosmetics haircare sunscreen
    bike bikes bicycle e-bike scooter car cars suv van motorcycle tyres tires
    hotel resort holidays trips tours travel flights airline cruise gym fitness yoga pilates
    course courses class classes training coaching bootcamp school academy workshop
    bank banking insurance loan loans mortgage card investing savings crypto
    furniture sofa mattress bed lamp kitchen cookware decor candles candle plants flowers
    toys toy stroller diapers pet dog cat petfood vitamins supplements protein
    podcast newsletter magazine book books ebook album concert festival event conference
    subscription membership delivery box kit spa salon clinic studio shop store boutique
    market marketplace agency restaurant charity nonprofit ngo foundation eggs milk yogurt
    association fondation œufs lait yaourt
    thé jus bière vin chocolat biscuits pain pâtisserie pâtisseries fromage repas
    boulangerie brasserie application logiciel plateforme outil outils jeu jeux
    casque enceinte téléphone ordinateur montre appareil imprimante chaussures baskets
    chemise robe veste sac sacs bijoux lunettes vêtements crème sérum savon
    parfum maquillage cosmétiques vélo voiture voitures trottinette moto hôtel voyage
    voyages vols salle formation formations cours atelier école banque assurance prêt
    carte meubles canapé matelas lit lampe cuisine bougies plantes fleurs jouets
    croquettes vitamines compléments livre livres abonnement livraison coffret
    """
)
PRODUCT_BIGRAMS = _set(
    """
    cold_brew running_shoes energy_drink ice_cream credit_card meal_kit online_course
    coffee_beans coffee_shop electric_car electric_bike pet_food dog_food cat_food
    """
)

# Eaten or drunk: unlocks the "tastes like cardboard" family of hooks.
FOOD_NOUNS = _set(
    """
    coffee tea espresso latte matcha kombucha juice smoothie water beer wine cider gin
    chocolate snacks snack cookies cookie bread pastries pizza burger burgers cheese granola
    cereal honey sauce meals meal food cold brew ice cream café thé jus bière vin chocolat
    biscuits pain pâtisseries fromage repas
    """
)

# Uncountable in English: "better coffee", not "better coffees".
MASS_NOUNS = _set(
    """
    coffee tea espresso matcha kombucha juice water beer wine cider gin chocolate bread
    pizza cheese granola cereal honey sauce food software fitness yoga pilates training
    coaching banking insurance furniture clothing apparel fashion jewelry jewellery
    skincare haircare makeup sunscreen cookware decor travel delivery equipment gear
    luggage music content advice support care healthcare education energy hosting
    security marketing design consulting accounting protein crypto investing ice cream
    cold brew petfood
    """
)

# Heads of audience phrases ("busy parents", "développeurs").
AUDIENCE_HEADS = _set(
    """
    parents moms mums mothers dads fathers families kids children teens teenagers students
    graduates developers devs engineers programmers designers marketers founders
    entrepreneurs freelancers creators professionals managers executives leaders ctos
    ceos teams companies businesses startups smbs retailers owners homeowners renters
    buyers shoppers customers clients users gamers players runners cyclists athletes
    travellers travelers commuters foodies lovers fans enthusiasts drinkers workers
    employees nurses doctors teachers seniors retirees millennials boomers women men
    people adults beginners pros hikers surfers readers listeners viewers
    coders investors patients dog-owners cat-owners pet-owners couples newlyweds
    mamans papas familles enfants ados adolescents étudiants étudiantes jeunes
    développeurs développeuses ingénieurs designers fondateurs entrepreneurs indépendants
    freelances créateurs créatrices professionnels cadres dirigeants équipes entreprises
    pme commerçants propriétaires acheteurs clients clientes utilisateurs joueurs coureurs
    cyclistes sportifs sportives voyageurs gourmands amateurs passionnés salariés
    infirmières médecins enseignants seniors retraités femmes hommes gens adultes
    débutants actifs citadins lecteurs parisiens lyonnais
    """
)

# Base verbs that open a point ("save time", "track every run").
EN_VERBS = _set(
    """
    save get track find enjoy make build learn cut boost grow reduce manage earn discover
    explore create share connect send book order pay plan stay keep sleep feel look
    start switch skip avoid unlock access meet work play train cook eat drink travel
    shop compare choose customise customize personalise personalize automate organise
    organize protect improve simplify stream listen watch read write
    """
)
# Words that open an adjective-like point ("ready in 5 minutes", "made in France").
EN_ADJ_OPENERS = _set(
    """
    ready available made built designed crafted delivered sourced handmade handcrafted
    perfect easy fast quick simple safe secure compatible certified approved tested
    trusted loved rated engineered powered packed roasted brewed grown baked free
    always never fully totally 100%
    """
)
# Finite verbs that turn a point into a full clause ("beans are roasted daily").
EN_FINITE = _set(
    """
    is are was were has have had can will 's 're does do gets makes helps lets keeps
    comes goes works takes gives brings means saves stays runs feels looks tastes
    use uses start starts cost costs love loves trust trusts
    """
)
FR_VERBS = _set(
    """
    gagner économiser suivre trouver profiter découvrir partager créer réduire simplifier
    booster apprendre payer réserver commander recevoir choisir personnaliser gérer
    organiser planifier améliorer protéger automatiser travailler collaborer éviter
    manger boire savourer déguster voyager dormir courir cuisiner préparer accéder
    comparer suivre vivre respirer progresser investir
    """
)
FR_ADJ_OPENERS = _set(
    """
    prêt prête prêts prêtes disponible disponibles idéal idéale parfait parfaite facile
    simple rapide sûr sûre gratuit gratuite gratuits gratuites compatible certifié
    certifiée fabriqué fabriquée fabriqués fabriquées livré livrée livrés livrées conçu
    conçue conçus conçues fait faite faits faites torréfié torréfiée torréfiés cultivé
    cultivée cultivés élaboré élaborée testé testée approuvé approuvée 100%
    """
)
FR_FINITE = _set(
    """
    est sont était étaient a ont peut peuvent va vont fait font permet permettent aide
    aident rend rendent offre offrent garde reste restent devient
    """
)

# Feminine French nouns (for "la"/"une"); unknown nouns are guessed from their ending.
FR_FEMININE = _set(
    """
    application plateforme formation crème bière boisson voiture moto trottinette montre
    tablette enceinte imprimante chemise robe veste mode banque assurance carte salle
    cuisine lampe bougie plante fleur pâtisserie boulangerie brasserie école livraison
    marque solution offre box boîte gamme collection box méthode expérience agence
    entreprise boutique maison recette qualité saveur pizza console
    """
)
FR_MASCULINE_E = _set(
    """
    café thé logiciel outil jeu casque téléphone ordinateur appareil sac vélo hôtel
    voyage cours atelier prêt canapé matelas lit livre abonnement coffret service
    programme produit parfum savon sérum musée magasin restaurant site podcast
    """
)
FR_FEMININE_ENDINGS = ("tion", "sion", "té", "ette", "ure", "ie", "ence", "ance", "ade", "ise")
