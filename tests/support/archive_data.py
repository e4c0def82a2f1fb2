"""Real archive contents for tests, shared by tests/archive, tests/govreports and tests/govreports/web.

Real records: the expected records of the seeds (../shared/seeds/truth) turned into records of
CONTRACT.md §1, with the section texts cut from the seed documents; plus farm/corpus records when
another engineer has put them there.

Backends: `database_url("sqlite" | "postgresql", tmp_path)` gives a fresh SQLite file or a fresh
PostgreSQL schema (search_path in the URL) on $GOVREPORTS_TEST_PG_URL, so tests stay isolated and
can run in parallel against one server.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from archive.api import Archive

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"
PG_URL = os.environ.get("GOVREPORTS_TEST_PG_URL")
SECTION_IDS = ("overview", "proactive", "applications", "review_litigation", "problems", "other")
SEED_STEMS = sorted(p.stem for p in (SEEDS / "truth").glob("*.json")) if (SEEDS / "truth").is_dir() else []

_HEADING = re.compile(
    r"^\s*[一二三四五六]、\s*(总体情况|主动公开政府信息情况|收到和处理政府信息公开申请情况|政府信息公开行政复议|存在的主要问题|其他需要报告)"
)
_SECTION_OF = {
    "总体情况": "overview",
    "主动公开政府信息情况": "proactive",
    "收到和处理政府信息公开申请情况": "applications",
    "政府信息公开行政复议": "review_litigation",
    "存在的主要问题": "problems",
    "其他需要报告": "other",
}


def seed_sections(text_: str) -> tuple[str, dict[str, str | None]]:
    """(preface, sections) of a seed document, cut at the six numbered headings."""
    lines = text_.splitlines()
    marks: list[tuple[int, str]] = []
    for i, line in enumerate(lines):
        m = _HEADING.match(line)
        if m and _SECTION_OF[m.group(1)] not in [s for _, s in marks]:
            marks.append((i, _SECTION_OF[m.group(1)]))
    sections: dict[str, str | None] = dict.fromkeys(SECTION_IDS)
    for n, (start, sid) in enumerate(marks):
        end = marks[n + 1][0] if n + 1 < len(marks) else len(lines)
        sections[sid] = "\n".join(lines[start + 1 : end]).strip() or None
    preface_end = marks[0][0] if marks else 0
    preface = "\n".join(lines[1:preface_end]).strip()
    return preface, sections


def seed_preface(stem: str) -> str:
    return seed_sections((SEEDS / f"{stem}.txt").read_text(encoding="utf-8"))[0]


def truth_record(stem: str, **changes: Any) -> dict[str, Any]:
    """The seed's expected record (a fresh copy); `changes` replace top-level fields."""
    truth = json.loads((SEEDS / "truth" / f"{stem}.json").read_text(encoding="utf-8"))
    seed_text = (SEEDS / f"{stem}.txt").read_text(encoding="utf-8")
    _preface, sections = seed_sections(seed_text)
    present = set(truth.get("sections_present") or SECTION_IDS)
    record = {
        "schema": "govreports/annual-report@1",
        "title": truth["title"],
        "agency": truth["agency"],
        "year": truth["year"],
        "template": truth["template"],
        "body_kind": truth["body_kind"],
        "dates": dict(truth["dates"]),
        "source": {"path": f"{stem}.txt", "url": None, "format": "txt", "sha256": None},
        "cells": dict(truth["cells"]),
        "sections": {s: (sections.get(s) if s in present else None) for s in SECTION_IDS},
        "findings": [{"check": c, "severity": "warn", "message": "", "keys": []} for c in truth["findings"]],
    }
    record.update(changes)
    return record


def corpus_records() -> list[dict[str, Any]]:
    """The farm's base records (farm/corpus), or [] while there are none."""
    try:
        from farm.corpus import load_base_records
    except ImportError:
        return []
    return [r for r in load_base_records().values() if r.get("agency") and isinstance(r.get("year"), int)]


def require_seeds() -> None:
    if not SEED_STEMS:
        pytest.skip("../shared/seeds not beside this checkout")


@contextmanager
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty archive URL on `backend` ("sqlite" or "postgresql"); PostgreSQL is skipped
    without $GOVREPORTS_TEST_PG_URL (run under scripts/with-postgres)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'archive.sqlite3'}"
        return
    if not PG_URL:
        pytest.skip("GOVREPORTS_TEST_PG_URL not set (run under scripts/with-postgres)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# The small archive the command tests (and the dashboard tests) read: seeds 001 and 004 for 2022 and
# 2023, 002 only for 2022, so for 2023 乐清市新居民服务中心 is missing (and late), 城乡一体化示范区党政办公室
# is late by 5 days (first seen Feb 5, no stated date) and 绥阳县小关乡 is on time.
SMALL_PORTAL = "p"
SMALL_T22 = datetime(2023, 1, 20, tzinfo=UTC)
SMALL_T23 = datetime(2024, 2, 5, tzinfo=UTC)


def small_record(stem: str, **changes: Any) -> dict[str, Any]:
    """A seed record with placeholder section texts (the command tests compare cells, not prose)."""
    return truth_record(stem, sections=dict.fromkeys(SECTION_IDS, "（正文）"), **changes)


def fill_small_archive(url: str, captures_dir: Path) -> None:
    arc = Archive.open(url, captures_dir=captures_dir)
    try:
        for stem in ("001_dfce13c1242a961e", "002_011c0692f2297363", "004_cad4fa3e014eb2f3"):
            r22 = small_record(stem, year=2022)
            r22["dates"]["published"] = None
            arc.store_report(
                portal=SMALL_PORTAL, url=f"http://p.test/22/{stem}", record=r22, fetched_at=SMALL_T22
            )
        arc.store_report(
            portal=SMALL_PORTAL,
            url="http://p.test/23/1",
            record=small_record("001_dfce13c1242a961e"),
            fetched_at=SMALL_T23,
        )
        r4 = small_record("004_cad4fa3e014eb2f3")
        r4["cells"]["active.admin_fees.amount_wan"] = "5949.088667"
        arc.store_report(portal=SMALL_PORTAL, url="http://p.test/23/4", record=r4, fetched_at=SMALL_T23)
    finally:
        arc.close()


def count_rows(db: str, sql: str) -> int:
    """A COUNT(*) on `db` while another process crawls into it; 0 until the archive exists."""
    engine = create_engine(db)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar() or 0)
    except Exception:
        return 0  # the archive is not created yet
    finally:
        engine.dispose()
