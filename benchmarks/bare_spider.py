"""The framework's own ceiling on this machine: a Scrapy spider that only downloads.

`python -m benchmarks.bare_spider URLS.json` fetches every URL of the file with the crawl's
politeness settings (per-domain concurrency, scheduler queue, items in flight, User-Agent) and a
callback that does nothing, then prints `{"requests": n, "elapsed_s": s}` for the spider's open
to close. crawl_bench prints it beside the crawler's own rate: what Scrapy and Twisted cost per
request before any discovery, classification, parsing or storing.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import CrawlerProcess

from settings import crawl as crawl_settings

SETTINGS = {
    "CONCURRENT_REQUESTS": crawl_settings.CONCURRENT_REQUESTS,
    "CONCURRENT_REQUESTS_PER_DOMAIN": crawl_settings.CONCURRENT_REQUESTS_PER_DOMAIN,
    "CONCURRENT_ITEMS": crawl_settings.CONCURRENT_ITEMS,
    "SCHEDULER_PRIORITY_QUEUE": crawl_settings.SCHEDULER_PRIORITY_QUEUE,
    "USER_AGENT": crawl_settings.USER_AGENT,
    "WARN_ON_GENERATOR_RETURN_VALUE": False,
    "ROBOTSTXT_OBEY": False,
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "WARNING",
}


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.urls:
            yield scrapy.Request(url, headers={"Referer": url})

    def parse(self, response: Any, **kwargs: Any) -> None:
        return None


def main(urls_file: str) -> int:
    with open(urls_file, encoding="utf-8") as fh:
        urls = json.load(fh)
    process = CrawlerProcess(SETTINGS, install_root_handler=False)
    crawler = process.create_crawler(BareSpider)
    result: dict[str, Any] = {}

    def opened(spider: scrapy.Spider) -> None:
        result["started"] = time.perf_counter()

    def closed(spider: scrapy.Spider) -> None:
        result["requests"] = crawler.stats.get_value("downloader/request_count", 0)
        result["elapsed_s"] = time.perf_counter() - result.pop("started")

    crawler.signals.connect(opened, signal=signals.spider_opened)
    crawler.signals.connect(closed, signal=signals.spider_closed)
    process.crawl(crawler, urls=urls)
    process.start()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
