"""RFC 9110 ``Range`` parsing in front of Starlette's FileResponse."""

from __future__ import annotations

import pytest

from aiprod.api.file_responses import parse_byte_ranges
from aiprod.storage import RangeNotSatisfiable


@pytest.mark.parametrize(
    ("header", "ranges"),
    [
        ("bytes=100-199", [(100, 199)]),
        ("bytes=100-", [(100, 999)]),
        ("bytes=-100", [(900, 999)]),
        ("bytes=-5000", [(0, 999)]),  # a suffix longer than the file is the whole file
        ("bytes=990-5000", [(990, 999)]),  # the last position is clipped
        ("BYTES = 0-0 , 10-19", [(0, 0), (10, 19)]),
        ("bytes=0-9,,5000-6000", [(0, 9)]),  # unsatisfiable parts are dropped
    ],
)
def test_satisfiable_ranges(header: str, ranges: list[tuple[int, int]]) -> None:
    assert parse_byte_ranges(header, 1000) == ranges


@pytest.mark.parametrize(
    "header",
    [
        "items=0-5",
        "bytes",
        "bytes=",
        "bytes=-",
        "bytes=a-b",
        "bytes=5-2",
        "bytes=1-2-3",
        "bytes=0-9,x",
        "bytes=" + "9" * 20 + "-",  # past 19 digits: invalid, not a crash
        "bytes=١-٢",  # only ASCII digits count
    ],
)
def test_invalid_headers_are_ignored(header: str) -> None:
    assert parse_byte_ranges(header, 1000) is None


@pytest.mark.parametrize(
    "header", ["bytes=1000-", "bytes=5000-6000", "bytes=-0", "bytes=1000-1001,"]
)
def test_unsatisfiable_ranges(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable) as caught:
        parse_byte_ranges(header, 1000)
    assert caught.value.size == 1000


def test_nothing_is_satisfiable_in_an_empty_file() -> None:
    with pytest.raises(RangeNotSatisfiable):
        parse_byte_ranges("bytes=-10", 0)
