"""docs/providers.md's "list prices checked" table shows the defaults the code ships."""

from __future__ import annotations

import re
from pathlib import Path

from aiprod.config import Settings

DOC = Path(__file__).parents[2] / "docs" / "providers.md"


def price_rows() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    table = text.split("<!-- prices:start -->")[1].split("<!-- prices:end -->")[0]
    rows = re.findall(r"^\| `AIPROD_([A-Z0-9_]+)` \| ([^|]+) \|", table, re.MULTILINE)
    return {name.lower(): shown.strip() for name, shown in rows}


def test_the_price_table_shows_every_price_setting_with_its_default() -> None:
    rows = price_rows()
    fields = Settings.model_fields
    prices = {n for n in fields if "price" in n} | {"compute_rate_per_hour", "provider_budget"}
    assert set(rows) == prices, set(rows) ^ prices
    for name, shown in rows.items():
        default = fields[name].default
        assert shown == ("unset" if default is None else str(default)), name
