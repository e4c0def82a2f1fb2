"""Base records the portal farm is built from, one JSON file per record beside this module.

Each file is a record in the CONTRACT.md §1 format (title, agency, year, template, body_kind,
dates, cells, sections, legacy) plus:
- `id`: the file stem (seeds keep their seed stem, e.g. "000_ef311760e166d8f9");
- `expected_findings`: document-level check ids a correct parse of the rendered report raises;
- `notes`: what the record models and which defects it carries;
- optional rendering hints: `preface` (text before section 一), `headings` (section id ->
  printed heading, e.g. legacy reports), `appendix_heading` (legacy statistics appendix),
  `printed_labels` (canonical table label -> the variant the report prints, e.g. 本年度止件数).

The five seeds copy their cells and metadata from ../shared/seeds/truth and their section
texts from the seed files; the others are built by hand from annual-report-format.md
(Pingtan 2020 v2019 with the A2 failure, a clean v2019 report, Pingtan 2023 v2021 with the
narrative mismatch, a legacy 2018 report with its statistics appendix).
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def _load() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for entry in sorted(resources.files(__package__).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            record = json.loads(entry.read_text(encoding="utf-8"))
            out[record.get("id") or entry.name.removesuffix(".json")] = record
    return out


def load_base_records() -> dict[str, dict[str, Any]]:
    """Record id -> record (a fresh deep copy each call, so callers may mutate it)."""
    return copy.deepcopy(_load())


def base_records() -> list[dict[str, Any]]:
    """The same records as a list, in id order."""
    return list(load_base_records().values())
