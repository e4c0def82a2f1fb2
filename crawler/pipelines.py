"""Item pipelines: parse every capture of a report (in worker threads), choose the source that
makes the record, then store captures and record through the archive facade.

Configured by settings (so tests can swap the parts):
    GOVREPORTS_PARSE_FUNCTION  dotted path, default parsers.parse.parse_bytes
    GOVREPORTS_ARCHIVE         dotted path of a class with .open(url), default archive.api.Archive
    GOVREPORTS_DB              archive URL (None -> govreports.paths.database_url())
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.misc import load_object
from twisted.internet.threads import deferToThread, deferToThreadPool

from crawler import signals as gr_signals
from crawler.classify import classify_title, variant_of
from crawler.items import Capture, ReportItem
from parsers.document import PageMeta

logger = logging.getLogger(__name__)

# When no source carries the tables, prefer formats that read best (text layers before scans).
FORMAT_RANK = {
    "docx": 6,
    "pdf": 6,
    "xlsx": 5,
    "xls": 5,
    "ofd": 4,
    "doc": 4,
    "wps": 4,
    "html": 3,
    "txt": 2,
    "image": 1,
}
TEMPLATES = ("v2021", "v2019")


def _parse_headers(capture: Capture) -> dict[str, str]:
    """Headers for the parser: the charset the crawler found wins over a wrong or missing label."""
    headers = dict(capture.headers)
    if capture.encoding:
        ctype = headers.get("content-type") or "text/html"
        base = ctype.split(";", 1)[0].strip() or "text/html"
        headers["content-type"] = f"{base}; charset={capture.encoding}"
    return headers


def score(record: dict[str, Any], role: str) -> tuple:
    """Bigger is better: readable, national template, cells read, sections found, detail page."""
    if "error" in record:
        return (0,)
    cells = record.get("cells") or {}
    filled = sum(1 for v in cells.values() if v is not None)
    sections = sum(1 for v in (record.get("sections") or {}).values() if v)
    fmt = (record.get("source") or {}).get("format")
    return (
        1,
        1 if record.get("template") in TEMPLATES else 0,
        filled,
        1 if record.get("template") else 0,
        sections,
        1 if role == "detail" else 0,  # a tie goes to the page the report was published as
        FORMAT_RANK.get(fmt or "", 0),
    )


def choose(item: ReportItem) -> int | None:
    if not item.records:
        return None
    scored = [
        (score(r, c.role), -i) for i, (r, c) in enumerate(zip(item.records, item.captures, strict=True))
    ]
    best = max(range(len(scored)), key=lambda i: scored[i])
    return best


def confirmed(item: ReportItem) -> bool:
    """A report whose title did not decide: a source must carry the national template or say
    in its own title that it is the annual report."""
    for record in item.records:
        if "error" in record:
            continue
        if record.get("template") in TEMPLATES or classify_title(record.get("title")).accepted:
            return True
    return False


class ParsePipeline:
    def __init__(self, crawler: Crawler, parse: Callable[..., dict[str, Any]]) -> None:
        self.crawler = crawler
        self.parse = parse

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ParsePipeline:
        func = load_object(crawler.settings.get("GOVREPORTS_PARSE_FUNCTION", "parsers.parse.parse_bytes"))
        return cls(crawler, func)

    def _parse_all(self, item: ReportItem) -> list[dict[str, Any]]:
        context = PageMeta(**item.page_meta) if item.page_meta else None
        out = []
        for cap in item.captures:
            out.append(
                self.parse(
                    cap.body,
                    url=cap.url,
                    headers=_parse_headers(cap),
                    context=context,
                    body_kind_default=item.body_kind,
                )
            )
        return out

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ReportItem):
            return item
        # Parsing PDFs/OFD/OCR is CPU-bound: keep it off the reactor thread.
        item.records = await maybe_deferred_to_future(deferToThread(self._parse_all, item))
        spider = self.crawler.spider
        state = spider.registry[item.portal]
        if item.needs_confirmation and not confirmed(item):
            if spider.ledger is not None:
                spider.ledger.mark(item.portal, item.url, stored=False)
            spider.note_decoy(
                state, item.url, item.title, "no report title and no template markers in any source"
            )
            raise DropItem(f"not a report: {item.url}")
        item.chosen = choose(item)
        return item


class ArchivePipeline:
    """One archive run per portal: begin at open, every capture kept, the chosen record filed,
    errors recorded as they happen, disappeared reports marked after a complete crawl."""

    def __init__(self, crawler: Crawler, factory: Any, url: str | None) -> None:
        self.crawler = crawler
        self.factory = factory
        self.url = url
        self.archive: Any = None
        self.runs: dict[str, int] = {}
        self._pool: Any = None
        # 图片版/超链版 renderings wait for the end of the crawl: when the plain report was filed,
        # they are only further sources of it (captures kept), not a new version of the record.
        self.deferred: list[dict[str, Any]] = []
        self.filed_titles: dict[str, set[str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        factory = load_object(crawler.settings.get("GOVREPORTS_ARCHIVE", "archive.api.Archive"))
        o = cls(crawler, factory, crawler.settings.get("GOVREPORTS_DB"))
        crawler.signals.connect(o.crawl_error, signal=gr_signals.crawl_error)
        crawler.signals.connect(o.spider_closed, signal=signals.spider_closed)
        return o

    def open_spider(self) -> None:
        spider = self.crawler.spider
        self.archive = self.factory.open(self.url)
        configs = [s.config for s in spider.registry]
        self.archive.sync_portals(configs)
        for state in spider.registry:
            self.runs[state.name] = self.archive.begin_run(state.name)

    # Archive writes (SQLite fsyncs, capture files) run on one worker thread, in order, so the
    # reactor keeps downloading meanwhile; one writer also avoids contending for the DB lock.

    def _in_writer(self, func: Callable[..., Any], *args: Any) -> Any:
        from twisted.internet import reactor

        if self._pool is None:
            from twisted.python.threadpool import ThreadPool

            self._pool = ThreadPool(minthreads=1, maxthreads=1, name="archive-writer")
            self._pool.start()
            reactor.addSystemEventTrigger("during", "shutdown", self._pool.stop)
        return deferToThreadPool(reactor, self._pool, func, *args)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ReportItem):
            return item
        return await maybe_deferred_to_future(self._in_writer(self.store_item, item))

    def crawl_error(self, portal: str, url: str, kind: str, message: str) -> None:
        if self._pool is not None:
            self._in_writer(self.record_error, portal, url, kind, message)
        else:
            self.record_error(portal, url, kind, message)

    def record_error(self, portal: str, url: str, kind: str, message: str) -> None:
        run_id = self.runs.get(portal)
        if run_id is None or self.archive is None:
            return
        try:
            self.archive.record_error(run_id, url=url or None, kind=kind, message=message[:2000])
        except Exception:
            logger.exception("cannot record crawl error for %s", portal)

    def store_item(self, item: ReportItem) -> ReportItem:
        spider = self.crawler.spider
        state = spider.registry[item.portal]
        run_id = self.runs[item.portal]
        shas: list[str] = []
        for cap in item.captures:
            shas.append(
                self.archive.store_capture(
                    url=cap.url,
                    body=cap.body,
                    headers=cap.headers,
                    fetched_at=datetime.fromisoformat(cap.fetched_at),
                    run_id=run_id,
                )
            )
            cap.body = b""  # kept in the archive now; free the memory while the item lingers
        state.seen_reports.add(item.url)
        chosen = item.chosen if item.chosen is not None else 0
        filing = {
            "portal": item.portal,
            "url": item.url,
            "record": item.records[chosen] if item.records else {"error": "not parsed"},
            "sha": shas[chosen] if shas else None,
            "fetched_at": datetime.fromisoformat(item.captures[chosen].fetched_at),
            "run_id": run_id,
        }
        base, marker = variant_of(item.title)
        if marker:
            self.deferred.append({**filing, "base": base})
        else:
            state.reports_found += 1
            self.filed_titles.setdefault(item.portal, set()).add(base)
            self._file({**filing, "base": base})
        item.records = []  # the summary needs none of it
        return item

    def _file(self, f: dict[str, Any]) -> None:
        spider = self.crawler.spider
        state = spider.registry[f["portal"]]
        record = f["record"]
        if "error" in record:
            spider.note_error(state, f["url"], "unreadable", f"no source could be read: {record['error']}")
        else:
            try:
                outcome = self.archive.store_report(
                    portal=f["portal"],
                    url=f["url"],
                    record=record,
                    raw_sha256=f["sha"],
                    fetched_at=f["fetched_at"],
                    run_id=f["run_id"],
                )
            except Exception as exc:  # a record the archive refuses must not end the crawl
                spider.note_error(state, f["url"], "store_failed", f"{type(exc).__name__}: {exc}")
            else:
                if outcome.kind == "new_report":
                    state.new_reports += 1
                elif outcome.kind == "new_version":
                    state.new_versions += 1
                else:
                    state.unchanged += 1
                logger.info("[%s] %s v%s: %s", f["portal"], outcome.kind, outcome.version, f["url"])
        if spider.ledger is not None:
            spider.ledger.mark(f["portal"], f["url"], stored=True, title=f.get("base"))

    def file_deferred(self) -> None:
        """File each deferred rendering whose report was not filed plainly: of a 图片版 + 超链版 pair
        with no plain twin, the better-read one makes the record; the rest stay sources."""
        spider = self.crawler.spider
        groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for f in self.deferred:
            groups.setdefault((f["portal"], f["base"]), []).append(f)
        self.deferred = []
        for (portal, base), group in groups.items():
            state = spider.registry[portal]
            filed = self.filed_titles.get(portal, set())
            if spider.ledger is not None:
                filed = filed | spider.ledger.titles.get(portal, set())  # filed before a kill
            group.sort(key=lambda f: score(f["record"], "detail"), reverse=True)
            if base not in filed:
                state.reports_found += 1
                self._file(group.pop(0))
            for f in group:
                logger.info("[%s] another rendering of a filed report, sources kept: %s", portal, f["url"])
                if spider.ledger is not None:
                    spider.ledger.mark(portal, f["url"], stored=True, title=base)

    async def close_spider(self) -> None:
        # Before the spider_closed signal, so the crawl summary counts these too.
        if self.archive is not None:
            await maybe_deferred_to_future(self._in_writer(self.file_deferred))

    def spider_closed(self, spider: Any, reason: str) -> Any:
        if self.archive is None:
            return None
        # After the writes still queued (errors recorded while closing).
        return self._in_writer(self.finalize, spider, reason)

    def finalize(self, spider: Any, reason: str) -> None:
        finished = reason == "finished"
        at = datetime.now(UTC)
        for state in spider.registry:
            run_id = self.runs.get(state.name)
            if run_id is None:
                continue
            status = state.status(finished)
            try:
                if status == "ok":
                    seen = set(state.seen_reports)
                    if spider.ledger is not None:
                        seen |= spider.ledger.stored.get(state.name, set())
                    self.archive.mark_disappeared(state.name, seen, at=at)
                self.archive.end_run(
                    run_id, status=status, stats={**state.summary(), "finish_reason": reason}
                )
            except Exception:
                logger.exception("cannot close the archive run of %s", state.name)
        self.archive.close()
