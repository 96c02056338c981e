"""Words that name an ambience category (per language) or an effect kind.

Each entry is a comma-separated list in natural spelling, singular; ``keywords.normalise``
strips accents and case, and plurals are tried off at lookup, so "Forêts" finds "forêt".
"""

from __future__ import annotations

ENGLISH: dict[str, str] = {
    "rain": (
        "rain, rainy, raining, rainfall, rainstorm, drizzle, downpour, shower, storm, "
        "thunderstorm, umbrella, monsoon, puddle, raindrop, wet weather"
    ),
    "city": (
        "city, downtown, urban, street, town, metropolis, sidewalk, pavement, plaza, "
        "alley, avenue, boulevard, neighborhood, neighbourhood, cityscape, skyline, "
        "city centre, city center, block"
    ),
    "ocean": (
        "ocean, sea, seaside, beach, wave, surf, shore, coast, coastline, seashore, tide, "
        "harbour, harbor, bay, lagoon, seagull, seafront"
    ),
    "forest": (
        "forest, woods, woodland, jungle, tree, bird, birdsong, nature, park, countryside, "
        "meadow, grove, trail, hiking, rainforest, garden, spring"
    ),
    "cafe": (
        "cafe, coffee, coffee shop, coffeeshop, espresso, cappuccino, latte, barista, "
        "bistro, restaurant, diner, brunch, breakfast, bakery, tearoom, bar, pub, canteen"
    ),
    "crowd": (
        "crowd, audience, people, stadium, concert, festival, market, marketplace, party, "
        "gathering, mall, fair, protest, rally, station, lobby, cheering, spectator, "
        "terminal, airport"
    ),
    "office": (
        "office, workplace, meeting, desk, coworking, cubicle, work, business, corporate, "
        "startup, conference, boardroom, keyboard, computer, typing, meeting room, "
        "open space, agency, call center"
    ),
    "wind": (
        "wind, windy, breeze, breezy, gust, gusty, blizzard, gale, mountain, desert, "
        "tempest, hurricane, cliff, plateau, summit, snowstorm, tundra"
    ),
    "night": (
        "night, nighttime, evening, midnight, cricket, dusk, moonlight, moon, star, "
        "starry, insect, nocturnal, twilight, summer night, cicada"
    ),
    "fire": (
        "fire, campfire, bonfire, fireplace, hearth, flame, burning, ember, crackling, "
        "firewood, chimney, torch, barbecue, wood stove, log fire"
    ),
    "stream": (
        "stream, river, creek, brook, waterfall, fountain, water, rapids, canal, "
        "riverside, riverbank, lake, babbling, pond, spring water"
    ),
    "traffic": (
        "traffic, traffic jam, highway, motorway, freeway, road, car, rush hour, commute, "
        "intersection, crossroads, honking, junction, congestion, bus, truck, engine, "
        "roundabout, ring road"
    ),
}

FRENCH: dict[str, str] = {
    "rain": (
        "pluie, pluvieux, pleuvoir, pleut, averse, bruine, crachin, orage, parapluie, "
        "ondée, déluge, flaque, goutte de pluie, temps de pluie"
    ),
    "city": (
        "ville, centre-ville, urbain, urbaine, rue, quartier, trottoir, métropole, cité, "
        "ruelle, agglomération, avenue, boulevard, place publique, en ville"
    ),
    "ocean": (
        "océan, mer, plage, vague, littoral, rivage, côte, marée, ressac, bord de mer, "
        "mouette, baie, lagon, port, front de mer, houle"
    ),
    "forest": (
        "forêt, bois, arbre, oiseau, nature, parc, campagne, jungle, sentier, clairière, "
        "prairie, randonnée, chant d'oiseaux, jardin, sous-bois, printemps"
    ),
    "cafe": (
        "café, bistrot, brasserie, restaurant, terrasse, expresso, croissant, boulangerie, "
        "salon de thé, comptoir, bar, cafétéria, petit déjeuner, serveur, cantine"
    ),
    "crowd": (
        "foule, public, gens, stade, concert, festival, marché, fête, rassemblement, "
        "manifestation, spectateur, supporter, centre commercial, gare, aéroport, cohue, "
        "monde fou"
    ),
    "office": (
        "bureau, réunion, travail, entreprise, open space, openspace, clavier, ordinateur, "
        "salle de réunion, coworking, conférence, société, startup, boulot, agence, "
        "centre d'appels"
    ),
    "wind": (
        "vent, venteux, brise, rafale, bourrasque, tempête, mistral, montagne, désert, "
        "blizzard, ouragan, tornade, falaise, sommet, tramontane"
    ),
    "night": (
        "nuit, nocturne, soir, soirée, minuit, grillon, criquet, cigale, crépuscule, lune, "
        "étoile, insecte, nuit d'été, clair de lune"
    ),
    "fire": (
        "feu, feu de camp, feu de bois, cheminée, flamme, braise, foyer, bûcher, incendie, "
        "brasier, barbecue, âtre, bois de chauffage, poêle à bois"
    ),
    "stream": (
        "rivière, ruisseau, fleuve, torrent, cascade, fontaine, eau, source, rapides, "
        "ruisselet, canal, berge, rive, lac, étang, chute d'eau"
    ),
    "traffic": (
        "circulation, embouteillage, bouchon, autoroute, route, voiture, trafic, "
        "heure de pointe, carrefour, périphérique, périph, klaxon, camion, bus, moteur, "
        "feu rouge, rond-point, poids lourd"
    ),
}

VOCABULARY: dict[str, dict[str, str]] = {"en": ENGLISH, "fr": FRENCH}

KIND_WORDS: dict[str, str] = {
    "whoosh": (
        "whoosh, woosh, swoosh, swish, swipe, swoop, whizz, whiz, flyby, fly by, pass by, "
        "passby, transition, wipe, balayage"
    ),
    "pop": "pop, blip, bloop, plop, boop, pluck, bulle, popup, pop up",
    "click": "click, tick, tap, ui, button, toggle, clic, bouton, mouse click, interface",
    "riser": (
        "riser, rise, rising, build, buildup, build up, uplifter, uplift, tension, "
        "crescendo, montée, upsweep, sweep up"
    ),
    "impact": (
        "impact, hit, boom, thud, slam, punch, braam, stinger, thump, choc, coup, frappe, downer"
    ),
    "ambience": (
        "ambience, ambiance, ambient, atmosphere, atmos, atmo, background, bed, roomtone, "
        "room tone, environment, soundscape, fond sonore, bruit de fond, loop"
    ),
}
