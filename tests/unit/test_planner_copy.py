"""Copy that reads like good copy: whole facts, no filler, offers said as shown (EN and FR)."""

from __future__ import annotations

from aiprod.planner import analyse_brief

VOLT = (
    "Publicité verticale de 30 secondes pour Volt, le vélo électrique urbain. Ton dynamique. "
    "80 km d'autonomie, recharge en 3 heures, 1 490 € au lieu de 1 790 €. -20 % sur les "
    "accessoires avec le code VOLT20. Premier entretien offert. Réservez un essai sur "
    "volt-velo.fr"
)
LEDGERLY = (
    "30-second square ad for Ledgerly, the bookkeeping app for freelancers. Friendly and "
    "confident. Freelancers save 5 hours a week on paperwork. Invoices, receipts and taxes in "
    "one place. Plans from 9 € a month, first month free with code LEDGER20. Start free at "
    "ledgerly.app"
)


def test_a_price_and_the_price_it_replaces_stay_one_point() -> None:
    # '1 490 € au lieu de 1 790 €' was cut to '1 490 € au lieu': six words, cut before 'de'
    assert "1 490 € au lieu de 1 790 €" in analyse_brief(VOLT).key_points


def test_a_discount_keeps_its_minus_and_its_code() -> None:
    # '-20 % sur les accessoires avec le code VOLT20' became '20 % sur les accessoires'
    assert "-20 % sur les accessoires avec le code VOLT20" in analyse_brief(VOLT).key_points


def test_what_the_brand_is_is_its_description_not_a_point() -> None:
    # 'Vélo électrique urbain' was a point, shown as a one-item list's heading
    volt, ledgerly = analyse_brief(VOLT), analyse_brief(LEDGERLY)
    assert volt.description == "le vélo électrique urbain"
    assert ledgerly.description == "the bookkeeping app for freelancers"
    assert not any("électrique" in point for point in volt.key_points)
    assert not any("bookkeeping" in point for point in ledgerly.key_points)


def test_a_sentence_of_tone_adjectives_is_no_point() -> None:
    # 'Friendly and confident' was a list item
    assert not any("friendly" in point for point in analyse_brief(LEDGERLY).key_points)


def test_a_noun_list_is_not_cut_at_its_commas() -> None:
    # 'Invoices' was a point of its own and dropped; 'receipts and taxes' said alone
    assert "invoices, receipts and taxes" in analyse_brief(LEDGERLY).key_points
