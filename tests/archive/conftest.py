"""Archive fixtures: every archive test runs on SQLite and on PostgreSQL.

PostgreSQL comes from $GOVREPORTS_TEST_PG_URL (set by scripts/with-postgres); without it the
PostgreSQL half is skipped. Each test gets its own schema (search_path in the URL), so tests are
isolated and can run in parallel against one server.

Real records: the expected records of the seeds (../shared/seeds/truth) turned into records of
CONTRACT.md §1, with the section texts cut from the seed documents; plus farm/corpus records when
another engineer has put them there.
"""

from __future__ import annotations

import copy
import json
import os
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from archive.api import Archive

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"
PG_URL = os.environ.get("GOVREPORTS_TEST_PG_URL")

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
SECTION_IDS = ("overview", "proactive", "applications", "review_litigation", "problems", "other")


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


def truth_record(stem: str) -> dict[str, Any]:
    truth = json.loads((SEEDS / "truth" / f"{stem}.json").read_text(encoding="utf-8"))
    seed_text = (SEEDS / f"{stem}.txt").read_text(encoding="utf-8")
    _preface, sections = seed_sections(seed_text)
    present = set(truth.get("sections_present") or SECTION_IDS)
    return {
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


SEED_STEMS = sorted(p.stem for p in (SEEDS / "truth").glob("*.json")) if (SEEDS / "truth").is_dir() else []


def corpus_records() -> list[dict[str, Any]]:
    """The farm's base records (farm/corpus), or [] while there are none."""
    try:
        from farm.corpus import load_base_records
    except ImportError:
        return []
    return [r for r in load_base_records().values() if r.get("agency") and isinstance(r.get("year"), int)]


@pytest.fixture
def seed_record() -> Callable[[str], dict[str, Any]]:
    if not SEED_STEMS:
        pytest.skip("../shared/seeds not beside this checkout")
    return lambda stem: copy.deepcopy(truth_record(stem))


@pytest.fixture
def seed_preface() -> Callable[[str], str]:
    """The text before section 一 of a seed (the preface a parser may fold into 一)."""
    if not SEED_STEMS:
        pytest.skip("../shared/seeds not beside this checkout")
    return lambda stem: seed_sections((SEEDS / f"{stem}.txt").read_text(encoding="utf-8"))[0]


@pytest.fixture
def corpus() -> list[dict[str, Any]]:
    records = corpus_records()
    if not records:
        pytest.skip("farm/corpus has no records yet")
    return records


@pytest.fixture
def seed_stems() -> list[str]:
    if not SEED_STEMS:
        pytest.skip("../shared/seeds not beside this checkout")
    return list(SEED_STEMS)


# ---------------------------------------------------------------------------- backends


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'archive.sqlite3'}"
        return
    if not PG_URL:
        pytest.skip("GOVREPORTS_TEST_PG_URL not set (run under scripts/with-postgres)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def archive(db_url: str, tmp_path: Path) -> Iterator[Archive]:
    arc = Archive.open(db_url, captures_dir=tmp_path / "captures")
    try:
        yield arc
    finally:
        arc.close()
