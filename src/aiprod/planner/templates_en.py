"""English copy templates. Slots: {brand} {x} (product, generic form) {X} {aud} {Aud} {p} {P}
(the point) {cta} {Cta} and agreement helpers {lets} {tastes} {is} (singular/plural product).

Each family holds three length classes, (short, medium, long), so the writer can pace copy.
"""

from __future__ import annotations

from aiprod.planner.moods import Mood

Classes = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]

HOOKS: dict[str, Classes] = {
    "brand": (
        ("Meet {brand}.", "Say hello to {brand}.", "This is {brand}."),
        (
            "Looking for better {x}? Meet {brand}.",
            "What if {x} could be this good? Meet {brand}.",
        ),
        (
            "Tired of {x} that {lets} you down? Meet {brand}.",
            "Think you know {x}? Think again, because {brand} is here.",
            "Good news for {aud}: meet {brand}.",
        ),
    ),
    "brand_food": (
        ("Good things are brewing. Say hello to {brand}.",),
        ("Tired of {x} that {tastes} like cardboard? Meet {brand}.",),
        ("Tired of {x} that {tastes} like cardboard? Meet {brand}, and taste the difference.",),
    ),
    "plain": (
        ("Great {x} starts here.",),
        (
            "Looking for better {x}? You just found it.",
            "What if {x} could be this good?",
        ),
        (
            "Tired of {x} that {lets} you down? We have some very good news for you.",
            "Looking for better {x}? You're in exactly the right place.",
        ),
    ),
    "plain_food": (
        ("Great {x} starts here.",),
        ("Tired of {x} that {tastes} like cardboard? We can help.",),
        ("Tired of {x} that {tastes} like cardboard? We have some very good news for you.",),
    ),
}
# An offer scene's headline when the line says nothing but its price: the price itself is
# shown big under it, so the headline names what the price is for. Kinds: 'cut' (a price
# instead of another), 'from' (a starting price), 'price'; with the brand, then without.
OFFER_HEADLINES: dict[str, tuple[str, str]] = {
    "cut": ("{brand} for Less", "Now for Less"),
    "from": ("{brand} Pricing", "Simple Pricing"),
    "price": ("{brand} Pricing", "Our Price"),
}
# The word over a price in the offer's badge: the brief's own lead-in, read before the price.
PRICE_LEADS: dict[str, str] = {
    "from": "From",
    "starting at": "From",
    "starting from": "From",
    "starts at": "From",
    "start at": "From",
    "only": "Only",
    "just": "Just",
}
PRICE_WORD = "Price"
HOOK_AUDIENCE = ("Calling all {aud}!", "{Aud}, this one's for you.", "Hey {aud}, listen up.")

# A point is said plainly, with at most one short lead-in and never a tag that changes what
# it means ('Free first service, every single time' is false; 'just for you' says nothing).
POINTS: dict[str, Classes] = {
    "noun": (
        ("{P}.",),
        (
            "Good news: {p}.",
            "Here's the deal: {p}.",
            "Don't miss this: {p}.",
        ),
        (
            "Here's what sets {brand} apart: {p}.",
            "And the best part? {P}.",
            "One thing you will love: {p}.",
        ),
    ),
    # A price, discount or free offer is said as it stands: no claim around it.
    "offer": (
        ("{P}.",),
        ("Don't miss this: {p}.", "Good news: {p}."),
        ("And the best part? {P}.",),
    ),
    # Extra wording for plural or uncountable points ("organic beans", "free delivery").
    "noun_bare": (
        ("Enjoy {p}.",),
        ("It all starts with {p}.", "With {brand}, you get {p}."),
        ("With {brand}, you can count on {p}.",),
    ),
    "adj": (
        ("{P}.",),
        ("Plus, it's {p}.", "Good news: it's {p}.", "And yes, it's {p}."),
        ("Best of all, it's {p}.", "What's more, it's {p}."),
    ),
    "verb": (
        ("{P}.",),
        ("Now you can {p}.", "Good news: you can {p}.", "Finally, a way to {p}."),
        ("With {brand}, you can {p}.", "Now there's a simple way to {p}."),
    ),
    "clause": (
        ("{P}.",),
        ("Good news: {p}.", "Here's the thing: {p}.", "That's right: {p}."),
        ("And here's what makes it special: {p}.", "You heard that right: {p}."),
    ),
}
GENERIC_ELABORATIONS = (
    "It's that simple.",
    "No compromises.",
    "That's a promise.",
    "You'll notice the difference.",
    "Because you deserve better.",
    "And it shows in every detail.",
    "Exactly the way it should be.",
    "Quality you can count on, every single day.",
    "We sweat the details so you don't have to.",
    "It's the little things that make a big difference.",
    "Once you try it, there's no going back.",
    "Simple, honest and made to last.",
    "Honestly, it just works.",
    "Every day, for everyone.",
    "Small change, big difference.",
    "It is made to fit right into your life.",
    "You will wonder how you ever did without it.",
    "Built with care, and it shows.",
    "And that is only the beginning.",
)
CONTEXT_ELABORATIONS = (
    "Perfect for {aud}.",
    "Made with {aud} in mind.",
    "That's the {brand} difference.",
    "Just what great {x} should be.",
)
MOOD_ELABORATIONS: dict[Mood, tuple[str, ...]] = {
    "upbeat": ("Feel the energy from the very first moment.",),
    "calm": (
        "Relax, we've got you covered.",
        "Take your time and enjoy it.",
        "Everything just feels easier.",
        "Nothing to worry about.",
    ),
    "corporate": (
        "Reliable, measurable results.",
        "Built to scale with your business.",
        "Trusted by teams who value quality.",
        "Efficiency you can measure.",
    ),
    "inspiring": (
        "Great things start with small choices.",
        "Imagine what you could achieve.",
        "This is your moment.",
        "Dream bigger, every day.",
    ),
    "dramatic": (
        "This changes everything.",
        "Nothing will ever be the same.",
        "Prepare to be amazed.",
        "Power, redefined.",
    ),
    "playful": (
        "Yes, really.",
        "We know, we're excited too.",
        "Go on, treat yourself.",
        "Who said good things have to be boring?",
    ),
}

CTA_WITH_BRAND: Classes = (
    ("That's {brand}. {Cta}.",),
    ("Ready to try {brand}? {Cta}.", "Discover {brand}. {Cta}."),
    ("{brand} is ready when you are. Don't wait. {Cta}.",),
)
CTA_PLAIN: Classes = (
    ("{Cta}.",),
    ("Don't wait. {Cta}.", "What are you waiting for? {Cta}."),
    ("Go ahead. {Cta}.",),
)
CTA_LEAD_INS = (
    "There's never been a better time to start.",
    "You deserve it.",
    "See the difference for yourself.",
    "Your future self will thank you.",
    "It only takes a moment.",
)

# Filler scenes when a brief has fewer points than the pacing needs: (headline, S, M, L).
Synthetic = tuple[str, str, str, str]
SYNTHETIC_AUDIENCE: Synthetic = (
    "Made for {Aud}",
    "Made for {aud}.",
    "Designed with {aud} in mind.",
    "Every detail is designed with {aud} in mind, from start to finish.",
)
SYNTHETIC_PRODUCT: Synthetic = (
    "Better {X}",
    "Better {x}, made simple.",
    "This is {x} the way it should be.",
    "We rethought {x} from the ground up, so you never have to settle.",
)
SYNTHETIC_GENERIC: tuple[Synthetic, ...] = (
    (
        "Crafted With Care",
        "Crafted with care.",
        "Every detail is crafted with care.",
        "Every detail is crafted with care, from the first idea to the final result.",
    ),
    (
        "Simple From Day One",
        "Simple from day one.",
        "Getting started takes just a moment.",
        "Getting started takes just a moment, and you'll wonder how you managed without it.",
    ),
    (
        "Quality You Can Trust",
        "Quality you can trust.",
        "You can count on quality, every single time.",
        "You can count on the same quality every single time, no matter what.",
    ),
    (
        "Great Value",
        "Great value, zero hassle.",
        "You get more, without paying more.",
        "You get more of what matters, without paying more or wasting your time.",
    ),
    (
        "An Experience to Remember",
        "An experience to remember.",
        "Every moment is designed to delight you.",
        "Every moment is designed to delight you, from the very first second to the last.",
    ),
)
