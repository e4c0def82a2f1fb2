"""What changed between two records: cells with their delta, sections, and the other fields.

Used for silent revisions within a year (C23, stored with the new version) and for year-over-year
comparisons (`govreports diff`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from archive.normalize import cell_number, norm_text

FIELDS = ("title", "agency", "template", "body_kind")
DATE_FIELDS = ("published", "signed", "period_start", "period_end")


def delta(old: Any, new: Any) -> int | str | None:
    """new - old when both are numbers; money (decimal strings) stays a decimal string."""
    a, b = cell_number(old), cell_number(new)
    if a is None or b is None:
        return None
    if isinstance(a, int) and isinstance(b, int):
        return b - a
    d = Decimal(b) - Decimal(a)
    return format(d.normalize(), "f") if d != 0 else "0"


def cell_changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Every key whose value differs, in key order of the newer record then the older's leftovers.

    A key present on one side only is a change too (a table added or dropped), with `from`/`to` None.
    """
    out: list[dict[str, Any]] = []
    keys = list(new) + [k for k in old if k not in new]
    for key in keys:
        a, b = old.get(key), new.get(key)
        # Equal non-strings (the integer cells, nearly all) are the same without _same's call.
        if key in old and key in new and ((a == b and not isinstance(a, str)) or _same(a, b)):
            continue
        out.append(
            {
                "key": key,
                "from": a,
                "to": b,
                "delta": delta(a, b),
                **({"absent": "from"} if key not in old else {}),
                **({"absent": "to"} if key not in new else {}),
            }
        )
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        na, nb = cell_number(a), cell_number(b)
        if na is not None and nb is not None:
            return na == nb
    return a == b


def record_changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """All differences between two versions of one report."""
    # Equal texts normalise equally: only differing ones are normalised and compared.
    fields = {
        f: {"from": old.get(f), "to": new.get(f)}
        for f in FIELDS
        if _s(old.get(f)) != _s(new.get(f)) and norm_text(_s(old.get(f))) != norm_text(_s(new.get(f)))
    }
    old_dates, new_dates = old.get("dates") or {}, new.get("dates") or {}
    for f in DATE_FIELDS:
        if old_dates.get(f) != new_dates.get(f):
            fields[f"dates.{f}"] = {"from": old_dates.get(f), "to": new_dates.get(f)}
    old_sec, new_sec = old.get("sections") or {}, new.get("sections") or {}
    sections = [
        s
        for s in dict.fromkeys(list(new_sec) + list(old_sec))
        if old_sec.get(s) != new_sec.get(s) and norm_text(old_sec.get(s)) != norm_text(new_sec.get(s))
    ]
    return {
        "cells": cell_changes(old.get("cells") or {}, new.get("cells") or {}),
        "sections": sections,
        "fields": fields,
        "legacy_changed": (old.get("legacy") or None) != (new.get("legacy") or None),
    }


def _s(value: Any) -> str | None:
    return None if value is None else str(value)


def describe(changes: dict[str, Any]) -> str:
    parts: list[str] = []
    if n := len(changes.get("cells") or []):
        parts.append(f"{n} cell{'s' if n != 1 else ''}")
    if secs := changes.get("sections"):
        parts.append("section" + ("s " if len(secs) > 1 else " ") + ", ".join(secs))
    if fields := changes.get("fields"):
        parts.append(", ".join(fields))
    if changes.get("legacy_changed"):
        parts.append("legacy appendix")
    return "; ".join(parts) or "formatting only"
