"""Records to render attachments from: the seed truth records, plus a v2019 one.

Used by the attachment tests and the benchmark. Section texts come from farm.corpus when it
has a base record for the seed; otherwise the renderer's neutral filler text is used (the
tables, which is what the attachment readers are checked on, come from the truth either way).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from govreports import spec
from govreports.paths import PROJECT_ROOT


def seeds_dir() -> Path:
    return Path(os.environ.get("GOVREPORTS_SEEDS") or PROJECT_ROOT.parent / "shared" / "seeds")


def _corpus_by_id() -> dict[str, dict[str, Any]]:
    try:
        from farm import corpus  # type: ignore[attr-defined]

        records = corpus.load_base_records()
    except Exception:  # corpus not written yet, or broken: the truth records still serve
        return {}
    return {str(r.get("id")): r for r in records if isinstance(r, dict) and r.get("id")}


def seed_records() -> list[dict[str, Any]]:
    """The truth records of ../shared/seeds/truth, with corpus section texts where available."""
    corpus = _corpus_by_id()
    out: list[dict[str, Any]] = []
    for path in sorted((seeds_dir() / "truth").glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        base = corpus.get(record.get("id", path.stem))
        if base and isinstance(base.get("sections"), dict):
            record["sections"] = base["sections"]
        out.append(record)
    return out


def v2019_record() -> dict[str, Any]:
    """A v2019 record: farm.corpus's when it has one, else a fixed one that passes A1–A4."""
    for record in _corpus_by_id().values():
        if record.get("template") == "v2019" and record.get("cells"):
            return record
    cells: dict[str, Any] = {k: 0 for k in spec.key_names("v2019")}
    cells.update(
        {
            "active.regulations.newly_made": 2,
            "active.regulations.newly_published": 2,
            "active.regulations.published_total": 17,
            "active.normative_docs.newly_made": 77,
            "active.normative_docs.newly_published": 132,
            "active.normative_docs.published_total": 470,
            "active.licensing.prev_year_items": 1036,
            "active.licensing.change": -18,
            "active.licensing.decisions": 24252,
            "active.penalty.change": 5,
            "active.admin_fees.prev_year_items": 35,
            "active.admin_fees.change": -15,
            "active.procurement.items": 12,
            "active.procurement.amount_yuan": "75394432.52",
        }
    )
    rows = {
        "new_received": 20,
        "carried_over": 1,
        "granted": 7,
        "partially_granted": 6,
        "denied_third_party": 4,
        "unable_not_held": 3,
        "other_handling": 1,
        "total_processed": 21,
    }
    for row, n in rows.items():
        cells[f"applications.{row}.natural_person"] = n
        cells[f"applications.{row}.total"] = n
    # One application from a company: received, granted and processed in that column too (A1–A3).
    for row, natural in (("new_received", 19), ("granted", 6), ("total_processed", 20)):
        cells[f"applications.{row}.commercial_enterprise"] = 1
        cells[f"applications.{row}.natural_person"] = natural
    for g, vals in {"review": (1, 0, 2, 0, 3), "litigation_direct": (12, 0, 0, 0, 12)}.items():
        for col, v in zip(("upheld", "corrected", "other", "pending", "total"), vals, strict=True):
            cells[f"appeals.{g}.{col}"] = v
    return {
        "id": "v2019_sample",
        "title": "平潭综合实验区2020年政府信息公开工作年度报告",
        "agency": "平潭综合实验区",
        "year": 2020,
        "template": "v2019",
        "body_kind": "government",
        "dates": {
            "published": "2021-03-01",
            "signed": "2021-02-26",
            "period_start": "2020-01-01",
            "period_end": "2020-12-31",
        },
        "cells": cells,
        "sections_present": [
            "overview",
            "proactive",
            "applications",
            "review_litigation",
            "problems",
            "other",
        ],
    }


def sample_records() -> list[dict[str, Any]]:
    return [*seed_records(), v2019_record()]
