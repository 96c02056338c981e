from aiprod.qa.semantic import content_stems, key_points_check, point_present


def test_points_match_across_plurals_case_and_accents() -> None:
    said = set(content_stems("Every bag holds ORGANIC bean blends. Livraison offerte!"))
    assert point_present("organic beans", said)
    assert point_present("livraison offerte", said)
    assert not point_present("free delivery", said)


def test_check_names_the_dropped_points() -> None:
    check = key_points_check(
        ["organic beans", "free delivery", "roasted weekly"],
        ["Meet Bean There: organic beans, roasted every week.", "Free delivery"],
    )
    assert not check.passed
    assert check.measured == "2/3"
    assert "roasted weekly" in check.detail


def test_all_present_passes_and_no_points_is_not_applicable() -> None:
    assert key_points_check(["fast setup"], ["Setup is fast."]).passed
    empty = key_points_check([], ["anything"])
    assert empty.passed and empty.measured == "n/a"


def test_stop_words_alone_are_always_present() -> None:
    assert point_present("and the of", set())
