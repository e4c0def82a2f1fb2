"""Extensions: the end-of-crawl summary per portal (pages, reports found, new versions, decoys
skipped, errors by kind, blocked yes/no), logged, put in the stats and optionally written as JSON
(GOVREPORTS_SUMMARY_FILE) for the `govreports crawl` command and the scheduler."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def build_summary(spider: Any, reason: str) -> dict[str, Any]:
    finished = reason == "finished"
    portals = {}
    for state in spider.registry:
        portals[state.name] = {**state.summary(), "status": state.status(finished)}
    return {"finish_reason": reason, "portals": portals}


class CrawlSummary:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.path = crawler.settings.get("GOVREPORTS_SUMMARY_FILE")
        self.summary: dict[str, Any] | None = None
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlSummary:
        return cls(crawler)

    def spider_closed(self, spider: Any, reason: str) -> None:
        if not hasattr(spider, "registry"):
            return
        self.summary = build_summary(spider, reason)
        self.crawler.stats.set_value("govreports/summary", self.summary)
        for name, s in self.summary["portals"].items():
            logger.info(
                "[%s] %s: %d pages, %d reports found (%d new, %d new versions), %d decoys skipped, errors %s%s",
                name,
                s["status"],
                s["pages"],
                s["reports_found"],
                s["new_reports"],
                s["new_versions"],
                s["decoys_skipped"],
                s["errors"] or "none",
                f", BLOCKED: {s['blocked_reason']}" if s["blocked"] else "",
            )
        if self.path:
            Path(self.path).write_text(
                json.dumps(self.summary, ensure_ascii=False, indent=2), encoding="utf-8"
            )
