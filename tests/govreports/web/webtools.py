"""Helpers of the dashboard tests: the dashboard archive, a WSGI client, an HTML table reader.

The archive is the small command archive of tests/support/archive_data.py (so pages can be
compared with `govreports missing/late/diff/export` on the same data) plus what the dashboard must
show: a revised report whose new version has a null cell, a second portal with a blocked crawl,
expected bodies that never published (one with only a legacy report), an open alert, a body on two portals, a hostile title.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults

from archive_data import fill_small_archive, small_record

from archive.api import Archive
from archive.health import Alert, HealthStore
from govreports.portals import PortalConfig

HOSTILE_AGENCY = "恶意<script>alert(1)</script>乡"
HOSTILE_TITLE = '<img src=x onerror="alert(2)">恶意乡2023年度政府信息公开工作年度报告'
HOSTILE_URL = "javascript:alert(3)"
NULL_KEY = "applications.new_received.natural_person"
NEVER = "某某县审计局"  # listed on q, never published anything


def fill_dashboard_archive(url: str, captures_dir: Path) -> None:
    fill_small_archive(url, captures_dir)
    arc = Archive.open(url, captures_dir=captures_dir)
    try:
        # 绥阳县小关乡 2023 revised on Mar 1: one cell now printed blank (null, C07).
        v2 = small_record("001_dfce13c1242a961e")
        v2["cells"][NULL_KEY] = None
        v2["findings"] = [{"check": "C07", "severity": "warn", "message": "空白单元格", "keys": [NULL_KEY]}]
        arc.store_report(
            portal="p", url="http://p.test/23/1", record=v2, fetched_at=datetime(2024, 3, 1, tzinfo=UTC)
        )
        # Portal q lists two bodies: one never publishes; its last crawl was blocked.
        arc.sync_portals(
            [
                PortalConfig(
                    "q",
                    ("http://q.test/",),
                    body_kind="department",
                    expected_bodies=("某某县交通运输局", NEVER),
                )
            ]
        )
        t = datetime(2024, 1, 25, tzinfo=UTC)
        # The same body name on p and q: /body must ask which one.
        arc.store_report(
            portal="q", url="http://q.test/23/1", record=small_record("001_dfce13c1242a961e"), fetched_at=t
        )
        hostile = small_record("003_43ba7708f24f8057", agency=HOSTILE_AGENCY, title=HOSTILE_TITLE)
        arc.store_report(portal="q", url=HOSTILE_URL, record=hostile, fetched_at=t)
        # The listed body's only report is a legacy one (2018): an appendix, no national tables.
        legacy = small_record(
            "002_011c0692f2297363", agency="某某县交通运输局", year=2018, template="legacy", cells={},
            legacy={"proactive_total": 43, "requests_total": None}, findings=[],
        )  # fmt: skip
        legacy["dates"]["published"] = "2019-03-01"
        arc.store_report(portal="q", url="http://q.test/18/1", record=legacy, fetched_at=t)
        run = arc.begin_run("q", at=datetime(2024, 4, 2, tzinfo=UTC))
        arc.record_error(run, url="http://q.test/", kind="blocked", message="HTTP 403 from the WAF")
        arc.end_run(run, status="blocked", stats={"blocked": True, "blocked_reason": "waf", "reports_found": 0},
                    at=datetime(2024, 4, 2, 0, 5, tzinfo=UTC))  # fmt: skip
        HealthStore(arc.engine).raise_alert(
            Alert(kind="blocked", dedupe_key="blocked:q:test", message="门户 q 连续被拦截", portal="q")
        )
    finally:
        arc.close()


@dataclass
class Result:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)


class Client:
    """Calls the WSGI application in-process, as a server would."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def get(self, path: str, params: dict[str, Any] | None = None, *, method: str = "GET") -> Result:
        environ: dict[str, Any] = {}
        setup_testing_defaults(environ)
        environ["REQUEST_METHOD"] = method
        environ["PATH_INFO"] = path
        environ["QUERY_STRING"] = urlencode(params or {})
        seen: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]]) -> None:
            seen["status"], seen["headers"] = status, headers

        chunks = self.app(environ, start_response)
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        return Result(int(seen["status"].split()[0]), dict(seen["headers"]), body)


class TableParser(HTMLParser):
    """Rows of one <table id=…>: each cell as (tag, text, data-key)."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id = table_id
        self.depth = 0  # >0 inside the wanted table
        self.rows: list[list[tuple[str, str, str | None]]] = []
        self.cell: list[Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            if self.depth or a.get("id") == self.table_id:
                self.depth += 1
        elif self.depth and tag == "tr":
            self.rows.append([])
        elif self.depth and tag in ("td", "th"):
            self.cell = [tag, "", a.get("data-key")]

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.depth:
            self.depth -= 1
        elif self.depth and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append((self.cell[0], self.cell[1].strip(), self.cell[2]))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell[1] += data


def table_rows(html: str, table_id: str) -> list[list[tuple[str, str, str | None]]]:
    parser = TableParser(table_id)
    parser.feed(html)
    return parser.rows
