"""Archive fixtures: every archive test runs on SQLite and on PostgreSQL.

PostgreSQL comes from $GOVREPORTS_TEST_PG_URL (set by scripts/with-postgres); without it the
PostgreSQL half is skipped. Each test gets its own schema (search_path in the URL), so tests are
isolated and can run in parallel against one server.

Real records: the expected records of the seeds and the farm/corpus records, built by
tests/support/archive_data.py (shared with the command and dashboard tests).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from archive_data import SEED_STEMS, corpus_records, database_url, seed_preface, truth_record

from archive.api import Archive


@pytest.fixture
def seed_record() -> Callable[[str], dict[str, Any]]:
    if not SEED_STEMS:
        pytest.skip("../shared/seeds not beside this checkout")
    return lambda stem: copy.deepcopy(truth_record(stem))


@pytest.fixture(name="seed_preface")
def seed_preface_fixture() -> Callable[[str], str]:
    """The text before section 一 of a seed (the preface a parser may fold into 一)."""
    if not SEED_STEMS:
        pytest.skip("../shared/seeds not beside this checkout")
    return seed_preface


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
    with database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def archive(db_url: str, tmp_path: Path) -> Iterator[Archive]:
    arc = Archive.open(db_url, captures_dir=tmp_path / "captures")
    try:
        yield arc
    finally:
        arc.close()
