"""Helpers for the crawler tests: saved portal pages (fixtures/) as Scrapy responses."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from scrapy.http import Response
from scrapy_responses import make_response

FIXTURES = Path(__file__).parent / "fixtures"
# Test folders are not packages (--import-mode=importlib): make the helper modules here importable.
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def page() -> Callable[..., Response]:
    """page("trs_list.html", url, meta=…) -> the saved page as a response."""

    def load(
        name: str, url: str, *, meta: dict | None = None, content_type: str | None = "text/html"
    ) -> Response:
        return make_response((FIXTURES / name).read_bytes(), url, meta=meta, content_type=content_type)

    return load
