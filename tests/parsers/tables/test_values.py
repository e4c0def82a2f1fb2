"""Printed cell -> value (§9 "Values", §4.2 units)."""

from __future__ import annotations

import pytest

from parsers.tables.values import parse_value

YUAN = "active.procurement.amount_yuan"
WAN = "active.admin_fees.amount_wan"


@pytest.mark.parametrize(
    ("raw", "key", "kind", "value", "checks"),
    [
        ("0", "k.int", "int", 0, []),
        ("0 ", "k.int", "int", 0, []),
        ("0\u2002", "k.int", "int", 0, []),
        ("１２", "k.int", "int", 12, []),
        ("1,036", "k.int", "int", 1036, []),
        ("", "k.int", "int", None, ["C07"]),
        ("/", "k.int", "int", None, ["C07"]),
        ("-", "k.int", "int", None, ["C07"]),
        ("—", "k.int", "int", None, ["C07"]),
        ("\u00a0", "k.int", "int", None, ["C07"]),
        ("abc", "k.int", "int", None, ["C07"]),
        ("-18", "active.penalty.change", "signed_int", -18, []),
        ("+1036", "active.licensing.change", "signed_int", 1036, []),
        ("-3", "k.int", "int", -3, ["C12"]),
        ("1.5", "k.int", "int", None, ["C12"]),
        ("5949.088667", WAN, "decimal", "5949.088667", []),
        ("24,252.311082", WAN, "decimal", "24252.311082", []),
        ("0", WAN, "decimal", "0", []),
        ("251000元", YUAN, "decimal", "251000", []),
        ("75394432.52元", YUAN, "decimal", "75394432.52", []),
        ("25.1万元", YUAN, "decimal", "251000", []),
        ("251000", YUAN, "decimal", "251000", ["C12"]),
        ("251000元", WAN, "decimal", "25.1", []),
        ("-5", WAN, "decimal", None, ["C12"]),
    ],
)
def test_parse_value(raw: str, key: str, kind: str, value: object, checks: list[str]) -> None:
    got, issues = parse_value(raw, key, kind)
    assert got == value and type(got) is type(value)
    assert [cid for cid, _ in issues] == checks
