"""Shared helpers for parser tests: a stand-in TablesResult for testing the pipeline on its own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest


@dataclass
class StubTables:
    template: str | None = "v2021"
    cells: dict[str, Any] = field(default_factory=dict)
    present: dict[str, bool] = field(default_factory=lambda: {"table2": True, "table3": True, "table4": True})
    findings: list[Any] = field(default_factory=list)
    legacy: dict[str, object] | None = None
    table_lines: set[int] = field(default_factory=set)


@pytest.fixture
def stub_tables() -> Callable[..., StubTables]:
    return StubTables
