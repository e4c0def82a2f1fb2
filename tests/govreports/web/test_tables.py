"""The template layout: every key of keys.yaml in exactly one cell, every table a full rectangle."""

from __future__ import annotations

import pytest

from govreports import spec
from govreports.web.tables import Table, tables_of


def _grid_width(table: Table) -> set[int]:
    """The widths of every row once row spans are carried down (one value for a sound table)."""
    carried: dict[int, int] = {}  # row index -> columns taken by spans from above
    widths = set()
    for i, row in enumerate(table.rows):
        widths.add(sum(c.colspan for c in row) + carried.get(i, 0))
        for c in row:
            for below in range(i + 1, i + c.rowspan):
                carried[below] = carried.get(below, 0) + c.colspan
    return widths


@pytest.mark.parametrize("template", spec.TEMPLATES)
def test_every_key_once_and_tables_rectangular(template: str) -> None:
    cells = dict.fromkeys(spec.key_names(template), 7)
    cells["active.admin_fees.amount_wan" if template == "v2021" else "active.procurement.amount_yuan"] = None
    tables, absent = tables_of({"template": template, "cells": cells})
    assert [t.name for t in tables] == ["table2", "table3", "table4"] and absent == []
    keys = [c.key for t in tables for row in t.rows for c in row if c.key]
    assert sorted(keys) == sorted(spec.key_names(template))
    for t in tables:
        assert len(_grid_width(t)) == 1, t.name
    nulls = [c.key for t in tables for row in t.rows for c in row if c.is_null]
    assert len(nulls) == 1


def test_absent_table_is_reported_and_legacy_has_none() -> None:
    cells = {k: 1 for k in spec.key_names("v2021") if not k.startswith("appeals.")}
    tables, absent = tables_of({"template": "v2021", "cells": cells})
    assert [t.name for t in tables] == ["table2", "table3"] and absent == ["table4"]
    assert tables_of({"template": "legacy", "cells": {}}) == ([], [])
