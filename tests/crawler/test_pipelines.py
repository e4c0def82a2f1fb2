"""Parse and archive pipelines with a stand-in parser and archive: which source makes the
record, confirmation of undecided items, one archive run per portal, summary counts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

import pytest
from freezegun import freeze_time
from scrapy.utils.test import get_crawler

from crawler.items import Capture, ReportItem
from crawler.pipelines import ArchivePipeline, ParsePipeline, choose, confirmed
from crawler.spiders.base import now_iso
from crawler.state import Registry
from govreports.portals import PortalConfig

PORTAL = PortalConfig(name="p", start_urls=("http://127.0.0.11/",))
V2021 = {"schema": "s", "title": "某镇2023年政府信息公开工作年度报告", "agency": "某镇", "year": 2023}


def rec(fmt: str, *, template: str | None = "v2021", cells: int = 0, error: bool = False) -> dict:
    if error:
        return {"source": {"format": fmt}, "error": "unreadable"}
    return {
        **V2021,
        "template": template,
        "cells": {f"k{i}": i for i in range(cells)},
        "source": {"format": fmt},
    }


def item(*roles: str) -> ReportItem:
    caps = [
        Capture(url=f"http://127.0.0.11/{i}", body=b"x", headers={}, fetched_at=now_iso(), role=r)
        for i, r in enumerate(roles)
    ]
    return ReportItem(portal="p", url="http://127.0.0.11/0", title="t", captures=caps)


def test_detail_page_makes_the_record_when_it_carries_the_tables() -> None:
    it = item("detail", "attachment")
    it.records = [rec("html", cells=120), rec("pdf", cells=120)]
    assert choose(it) == 0


def test_best_attachment_when_the_page_is_one_line() -> None:
    it = item("detail", "attachment", "attachment", "attachment")
    it.records = [
        rec("html", template=None),
        rec("image", cells=40),
        rec("pdf", cells=120),
        rec("ofd", error=True),
    ]
    assert choose(it) == 2


def test_confirmation_needs_the_template_or_a_report_title() -> None:
    it = item("detail")
    it.records = [{**rec("html", template=None), "title": "某县法治政府建设年度报告"}]
    assert not confirmed(it)
    it.records = [rec("pdf")]
    assert confirmed(it)


class FakeArchive:
    opened: ClassVar[list[FakeArchive]] = []

    def __init__(self) -> None:
        self.captures: dict[str, bytes] = {}
        self.reports: list[dict] = []
        self.errors: list[tuple] = []
        self.runs: dict[int, dict] = {}
        self.disappeared: list[tuple] = []

    @classmethod
    def open(cls, url):
        a = cls()
        cls.opened.append(a)
        return a

    def sync_portals(self, portals):
        self.portals = [p.name for p in portals]

    def begin_run(self, portal):
        self.runs[len(self.runs) + 1] = {"portal": portal}
        return len(self.runs)

    def store_capture(self, *, url, body, headers, fetched_at, run_id):
        import hashlib

        sha = hashlib.sha256(body).hexdigest()
        self.captures[sha] = body
        return sha

    def store_report(self, *, portal, url, record, raw_sha256, fetched_at, run_id):
        from types import SimpleNamespace

        self.reports.append({"portal": portal, "url": url, "sha": raw_sha256, "at": fetched_at})
        return SimpleNamespace(kind="new_report", version=1)

    def record_error(self, run_id, *, url, kind, message):
        self.errors.append((run_id, url, kind))

    def mark_disappeared(self, portal, seen, at=None):
        self.disappeared.append((portal, set(seen)))
        return 0

    def end_run(self, run_id, *, status, stats):
        self.runs[run_id].update(status=status, stats=stats)

    def close(self):
        pass


class Spider:
    def __init__(self) -> None:
        self.registry = Registry([PORTAL])
        self.ledger = None
        self.decoys: list[str] = []

    def note_decoy(self, state, url, title, reason):
        state.decoys[url] = reason
        self.decoys.append(reason)

    def note_error(self, state, url, kind, message):
        state.errors[kind] += 1


def fake_parse(data, *, url, headers, context, body_kind_default):
    fmt = "pdf" if url.endswith(".pdf") else "html"
    assert context.title == "某镇2023年政府信息公开工作年度报告"  # the detail page's PageMeta
    return rec(fmt, cells=120 if fmt == "pdf" else 0, template="v2021" if fmt == "pdf" else None)


@pytest.fixture
def crawler():
    c = get_crawler(
        settings_dict={
            "GOVREPORTS_PARSE_FUNCTION": f"{__name__}.fake_parse",
            "GOVREPORTS_ARCHIVE": f"{__name__}.FakeArchive",
        }
    )
    c.spider = Spider()
    return c


@freeze_time("2025-02-01 08:00:00")
def test_pipelines_store_every_capture_and_the_chosen_record(crawler) -> None:
    parse = ParsePipeline.from_crawler(crawler)
    archive = ArchivePipeline.from_crawler(crawler)
    archive.open_spider()
    caps = [
        Capture("http://127.0.0.11/t.html", b"<html>one line</html>", {}, now_iso(), "detail", "utf-8"),
        Capture("http://127.0.0.11/P0.pdf", b"%PDF-1.7", {}, now_iso(), "attachment"),
    ]
    assert caps[0].fetched_at == "2025-02-01T08:00:00+00:00"
    it = ReportItem(
        portal="p",
        url="http://127.0.0.11/t.html",
        title="某镇2023年政府信息公开工作年度报告",
        page_meta={"title": "某镇2023年政府信息公开工作年度报告"},
        captures=caps,
    )
    it.records = parse._parse_all(it)
    it.chosen = choose(it)
    archive.store_item(it)
    fake = FakeArchive.opened[-1]
    assert len(fake.captures) == 2
    assert fake.reports[0]["sha"] == __import__("hashlib").sha256(b"%PDF-1.7").hexdigest()
    assert fake.reports[0]["at"] == datetime(2025, 2, 1, 8, tzinfo=UTC)
    state = crawler.spider.registry["p"]
    assert state.reports_found == 1 and state.new_reports == 1
    state.ok_pages = 3
    archive.file_deferred()
    archive.finalize(crawler.spider, "finished")
    assert fake.runs[1]["status"] == "ok"
    assert fake.disappeared == [("p", {"http://127.0.0.11/t.html"})]


def test_picture_version_of_a_filed_report_is_a_source_not_a_new_version(crawler) -> None:
    archive = ArchivePipeline.from_crawler(crawler)
    archive.open_spider()
    fake = FakeArchive.opened[-1]
    title = "某镇2023年政府信息公开工作年度报告"
    for url, t in (
        ("http://127.0.0.11/pic.html", title + "（图片版）"),
        ("http://127.0.0.11/a.html", title),
        ("http://127.0.0.11/only.html", "某乡2023年政府信息公开工作年度报告（图片版）"),
    ):
        it = ReportItem(
            portal="p", url=url, title=t, captures=[Capture(url, url.encode(), {}, now_iso(), "detail")]
        )
        it.records, it.chosen = [rec("html")], 0
        archive.store_item(it)
    assert [r["url"] for r in fake.reports] == ["http://127.0.0.11/a.html"]
    crawler.spider.registry["p"].ok_pages = 1
    archive.file_deferred()
    archive.finalize(crawler.spider, "finished")
    # The lone 图片版 is filed at the end; the pair's 图片版 only kept its capture.
    assert [r["url"] for r in fake.reports] == ["http://127.0.0.11/a.html", "http://127.0.0.11/only.html"]
    assert len(fake.captures) == 3
    assert crawler.spider.registry["p"].reports_found == 2


def test_a_pair_without_plain_twin_is_one_report(crawler) -> None:
    archive = ArchivePipeline.from_crawler(crawler)
    archive.open_spider()
    fake = FakeArchive.opened[-1]
    title = "某镇2021年政府信息公开工作年度报告"
    for url, t, record in (
        ("http://127.0.0.11/pic.html", title + "（图片版）", rec("image", template=None)),
        ("http://127.0.0.11/link.html", title + "（超链版）", rec("html", cells=120)),
    ):
        it = ReportItem(
            portal="p", url=url, title=t, captures=[Capture(url, url.encode(), {}, now_iso(), "detail")]
        )
        it.records, it.chosen = [record], 0
        archive.store_item(it)
    archive.file_deferred()
    assert [r["url"] for r in fake.reports] == ["http://127.0.0.11/link.html"]  # the better-read one
    assert crawler.spider.registry["p"].reports_found == 1
