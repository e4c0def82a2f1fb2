"""`plain_count` is a shortcut of `parse_value` for count keys: wherever it gives a figure, the
full reading gives the same figure and no issue, for every count key type."""

from __future__ import annotations

import pytest

from parsers.tables.values import parse_value, plain_count

_PRINTED = [
    "0", "12", " 7 ", "0７", "１２", "3件", "4条", "5个", "6项", "8次", "1,234", "+5", "-5", "－3",
    "12.0", "1.5", "3万元", "3元", "/", "", "无", "—", "abc", "1 2", "十二", "007", "12\u2002",
]  # fmt: skip


@pytest.mark.parametrize("raw", _PRINTED)
@pytest.mark.parametrize("kind", ["int", "signed_int"])
def test_plain_count_agrees_with_parse_value(raw: str, kind: str) -> None:
    count = plain_count(raw)
    if count is None:
        return
    value, issues = parse_value(raw, "applications.granted.total", kind)
    assert (value, issues) == (count, [])
    assert type(value) is int


def test_blanks_signs_decimals_and_money_are_left_to_parse_value() -> None:
    for raw in ("/", "", "无", "-5", "1.5", "3万元", "3元", "abc"):
        assert plain_count(raw) is None
