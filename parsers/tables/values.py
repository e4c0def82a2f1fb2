"""One printed cell -> the value of its key (annual-report-format.md §9 "Values", §4.2 units).

Integers stay int, money stays an exact decimal string converted to the key's unit, a sign is
accepted only where the key is signed (v2019 `change`), blanks are None. Problems come back as
(check id, message) pairs so the caller can attach the key.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

from govreports import spec
from govreports.text import drop_spaces, nfkc

Value = int | str | None
Issue = tuple[str, str]  # (check id, message)

_ZERO_WIDTH = ("\u200b", "\ufeff")  # dropped like whitespace by `clean`
_THOUSANDS_RE = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
_NUMBER_RE = re.compile(r"^([+-]?)(\d+(?:\.\d+)?)(万元|元|件|条|个|项|次)?$")
# The unit each money key is counted in (keys.yaml key names say it: *_wan, *_yuan).
_KEY_UNIT = {"amount_wan": "万元", "amount_yuan": "元"}
# Pure functions of one cell's text, called for every cell many times per report: memoised,
# bounded (see normalize.CACHE_SIZE).
_CACHE_SIZE = 1 << 13


@cache
def _blank_values() -> frozenset[str]:
    return frozenset(spec.labels()["tables"]["blank_values"])


@cache
def value_cjk_max() -> int:
    """Most CJK ideographs a value cell can hold after `clean`: a unit of _NUMBER_RE (万元) or a
    blank marker (无)."""
    units = max(len(u) for u in re.findall(r"[\u4e00-\u9fff]+", _NUMBER_RE.pattern))
    return max(units, *(len(re.findall(r"[\u4e00-\u9fff]", clean(b))) for b in _blank_values()))


@cache
def _unit_factors() -> dict[str, Decimal]:
    return {u: Decimal(str(f)) for u, f in spec.labels()["tables"]["units"].items()}


@lru_cache(maxsize=_CACHE_SIZE)
def clean(raw: str | None) -> str:
    """NFKC and no whitespace: "0\u2002" and "0 " are "0"."""
    return drop_spaces(nfkc(raw or ""), _ZERO_WIDTH)


@lru_cache(maxsize=_CACHE_SIZE)
def is_blank(raw: str | None) -> bool:
    return clean(raw) in _blank_values()


@lru_cache(maxsize=_CACHE_SIZE)
def looks_numeric(raw: str | None) -> bool:
    """A value cell (number, possibly with a unit or separators) rather than a label."""
    text = clean(raw)
    if not text:
        return False
    if _THOUSANDS_RE.match(text):
        text = text.replace(",", "")
    return bool(_NUMBER_RE.match(text))


def _fmt(d: Decimal) -> str:
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


_BLANK = ("", "", "")  # `_reading` of a printed blank marker


@lru_cache(maxsize=_CACHE_SIZE)
def _reading(raw: str | None) -> tuple[str, str, str | None] | None:
    """(sign, digits, unit) of a printed figure, `_BLANK` for a blank marker, None if unreadable.
    Independent of the key, so memoised: tables print the same few figures over and over."""
    text = clean(raw)
    if text in _blank_values():
        return _BLANK
    if _THOUSANDS_RE.match(text):
        text = text.replace(",", "")
    match = _NUMBER_RE.match(text)
    return match.groups() if match else None  # type: ignore[return-value]


@lru_cache(maxsize=_CACHE_SIZE)
def plain_count(raw: str | None) -> int | None:
    """The figure of a cell printed as a plain whole number ("12", "3件"), which every count key
    (int or signed_int) reads the same and without an issue; None for anything else (a blank,
    a sign, a decimal, a money unit: `parse_value` decides those per key). Memoised per text, so
    a figure seen in any cell of any report is not parsed again."""
    if raw is not None and raw.isdigit() and raw.isascii() and raw not in _blank_values():
        return int(raw)  # ASCII digits: what `_reading` gives them, without NFKC and patterns
    reading = _reading(raw)
    if reading is None or reading is _BLANK:
        return None
    sign, digits, unit = reading
    if sign == "-" or "." in digits or unit in ("万元", "元"):
        return None
    return int(digits)


def parse_value(raw: str | None, key: str, kind: str) -> tuple[Value, list[Issue]]:
    """Parse the printed `raw` for cell `key` of keys.yaml type `kind` (int | signed_int | decimal)."""
    value, issues = read_value(raw, key, kind)
    return value, list(issues)


@lru_cache(maxsize=_CACHE_SIZE)
def read_value(raw: str | None, key: str, kind: str) -> tuple[Value, tuple[Issue, ...]]:
    """`parse_value`, memoised with its issues as a tuple: the same few figures ("0", "1")
    land in the same ~200 keys of every report."""
    value, issues = _parse_value(raw, key, kind)
    return value, tuple(issues)


def _parse_value(raw: str | None, key: str, kind: str) -> tuple[Value, list[Issue]]:
    reading = _reading(raw)
    if reading is _BLANK:
        shown = (raw or "").strip() or "blank"
        return None, [("C07", f"{key}: printed {shown!r}, no number")]
    if reading is None:
        return None, [("C07", f"{key}: unreadable value {raw!r}")]
    sign, digits, unit = reading
    issues: list[Issue] = []
    if kind == "decimal":
        want = _KEY_UNIT.get(key.rsplit(".", 1)[-1])
        if sign == "-":
            return None, [("C12", f"{key}: negative amount {raw!r}")]
        if unit in ("万元", "元") and want and unit != want:
            factors = _unit_factors()
            try:
                converted = Decimal(digits) * factors[unit] / factors[want]
            except InvalidOperation:  # pragma: no cover - digits matched the regex
                return None, [("C12", f"{key}: cannot convert {raw!r}")]
            return _fmt(converted), issues
        if unit is None and want == "元":
            # 采购总金额 has no unit in its header; an unmarked figure is taken as 元 (§4.2).
            issues.append(("C12", f"{key}: no unit printed with {raw!r}; taken as 元"))
        elif unit not in (None, "万元", "元"):
            issues.append(("C12", f"{key}: unexpected unit {unit!r} in {raw!r}"))
        return digits, issues
    if "." in digits:
        return None, [("C12", f"{key}: {raw!r} is not a whole number")]
    if unit in ("万元", "元"):
        issues.append(("C12", f"{key}: money unit {unit!r} in a count cell"))
    value = int(digits)
    if sign == "-":
        if kind == "signed_int":
            return -value, issues
        issues.append(("C12", f"{key}: negative count {raw!r}"))
        return -value, issues
    return value, issues
