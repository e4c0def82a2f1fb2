"""Fixtures of the dashboard tests (helpers in webtools.py, beside this file)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# Test folders are not packages (--import-mode=importlib): make webtools importable by name.
sys.path.insert(0, str(Path(__file__).parent))

from archive_data import database_url, require_seeds
from webtools import Client, fill_dashboard_archive

from archive.api import Archive
from govreports.web import make_app


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def web_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    require_seeds()
    with database_url(request.param, tmp_path) as url:
        fill_dashboard_archive(url, tmp_path / "cap")
        yield url


@pytest.fixture
def client(web_db: str, tmp_path: Path) -> Iterator[Client]:
    arc = Archive.open(web_db, captures_dir=tmp_path / "cap")
    try:
        yield Client(make_app(arc))
    finally:
        arc.close()
