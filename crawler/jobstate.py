"""Resuming an interrupted crawl (JOBDIR).

Scrapy's own JOBDIR keeps the request queue and the fingerprints of every *scheduled* request.
After a SIGKILL that is not enough: requests in flight were already marked seen, so a resumed
crawl would skip them forever, and the disk queue's bookkeeping is only written on a clean close.
So govreports keeps its own ledger of *finished* reports (appended and flushed per report),
re-walks the navigation on resume (cheap), and skips only detail pages whose report is done;
the archive's idempotence (content-addressed captures, `unchanged` versions) covers the rest.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.dupefilters import BaseDupeFilter

logger = logging.getLogger(__name__)

LEDGER = "govreports-done.jsonl"
RUNNING = "govreports-running"


class JobLedger:
    """Append-only record of finished report URLs per portal."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.done: set[str] = set()
        self.stored: dict[str, set[str]] = {}
        self.titles: dict[str, set[str]] = {}  # titles of filed reports, for 图片版 pairs
        self.titles: dict[str, set[str]] = {}  # titles of filed reports, for 图片版 pairs
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue  # a line cut by the kill
                self.done.add(entry["url"])
                if entry.get("stored"):
                    self.stored.setdefault(entry["portal"], set()).add(entry["url"])
                if entry.get("title"):
                    self.titles.setdefault(entry["portal"], set()).add(entry["title"])
                if entry.get("title"):
                    self.titles.setdefault(entry["portal"], set()).add(entry["title"])
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = path.open("a", encoding="utf-8")

    @classmethod
    def open(cls, jobdir: str | None) -> JobLedger | None:
        return cls(Path(jobdir) / LEDGER) if jobdir else None

    def mark(self, portal: str, url: str, *, stored: bool, title: str | None = None) -> None:
        if url in self.done:
            return
        self.done.add(url)
        if stored:
            self.stored.setdefault(portal, set()).add(url)
        if title:
            self.titles.setdefault(portal, set()).add(title)
        entry = {"portal": portal, "url": url, "stored": stored, "title": title}
        self._fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        self._fh.close()


class LedgerDupeFilter(BaseDupeFilter):
    """In-memory duplicate filter for this run, plus: detail pages finished in an earlier,
    interrupted run of the same job are skipped. Redirect hops are never filtered (a cookie 302
    to the same URL must be replayed; REDIRECT_MAX_TIMES bounds loops)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.fingerprinter = crawler.request_fingerprinter
        self.seen: set[bytes] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LedgerDupeFilter:
        return cls(crawler)

    def request_seen(self, request: Request) -> bool:
        if request.meta.get("redirect_times"):
            return False
        ledger: JobLedger | None = getattr(self.crawler.spider, "ledger", None)
        if ledger is not None and request.meta.get("leaf") and request.url in ledger.done:
            self.crawler.stats.inc_value("govreports/resumed_skipped")
            return True
        fp = self.fingerprinter.fingerprint(request)
        if fp in self.seen:
            return True
        self.seen.add(fp)
        return False

    def log(self, request: Request, spider: object) -> None:
        logger.debug("duplicate request filtered: %s", request)


class JobDirGuard:
    """Keeps JOBDIR consistent across kills: a crawl that died without closing leaves its marker,
    and its request queue (bookkept only on a clean close) is discarded before Scrapy loads it.
    A crawl that finished clears the job, so the next crawl starts fresh and re-checks everything."""

    def __init__(self, crawler: Crawler, jobdir: Path) -> None:
        self.jobdir = jobdir
        marker = jobdir / RUNNING
        if marker.exists():
            logger.warning(
                "previous crawl in %s was killed; resuming from its ledger of finished reports", jobdir
            )
            shutil.rmtree(jobdir / "requests.queue", ignore_errors=True)
            (jobdir / "requests.seen").unlink(missing_ok=True)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JobDirGuard:
        from scrapy.exceptions import NotConfigured

        jobdir = crawler.settings.get("JOBDIR")
        if not jobdir:
            raise NotConfigured
        path = Path(jobdir)
        path.mkdir(parents=True, exist_ok=True)
        return cls(crawler, path)

    def spider_opened(self, spider) -> None:
        (self.jobdir / RUNNING).write_text(str(os.getpid()))

    def spider_closed(self, spider, reason: str) -> None:
        ledger = getattr(spider, "ledger", None)
        if ledger is not None:
            ledger.close()
        if reason == "finished":
            for child in self.jobdir.iterdir():
                if child.is_dir():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)
        else:
            (self.jobdir / RUNNING).unlink(missing_ok=True)
