"""The crawl's Scrapy settings as Scrapy resolves them."""

from __future__ import annotations

import json
import subprocess
import sys

from govreports.paths import PROJECT_ROOT

_PROBE = """
import json, sys
from scrapy.settings import Settings
settings = Settings()
settings.setmodule("settings.crawl", priority="project")
extensions = sorted(settings.get_component_priority_dict_with_base("EXTENSIONS"))
consoles = ("aiohttp", "twisted.conch.telnet", "scrapy.extensions.remote_control")
print(json.dumps([extensions, [m for m in consoles if m in sys.modules]]))
"""


def test_no_console_extension_and_no_import_of_one() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout
    extensions, imported = json.loads(out.splitlines()[-1])
    assert "crawler.extensions.CrawlSummary" in extensions
    assert "scrapy.extensions.corestats.CoreStats" in extensions  # the rest of Scrapy's base stays
    assert not [e for e in extensions if "telnet" in e or "remote_control" in e]
    # Resolving the settings imported neither console (aiohttp alone cost ~0.5 s a crawl).
    assert imported == []


def test_crawl_stats_count_like_scrapys() -> None:
    from types import SimpleNamespace

    from scrapy.settings import Settings
    from scrapy.utils.misc import load_object

    from crawler.stats import CrawlStats
    from settings import crawl as crawl_settings

    assert load_object(crawl_settings.STATS_CLASS) is CrawlStats
    crawler = SimpleNamespace(settings=Settings({"STATS_DUMP": False}), spider=None)
    stats = CrawlStats(crawler)
    stats.inc_value("downloader/request_count")
    stats.inc_value("downloader/request_count", 2)
    stats.max_value("memusage/max", 5)
    stats.max_value("memusage/max", 3)
    stats.min_value("start", 4)
    stats.min_value("start", 9)
    stats.set_value("finish_reason", "finished")
    assert stats.get_stats() == {
        "downloader/request_count": 3,
        "memusage/max": 5,
        "start": 4,
        "finish_reason": "finished",
    }
    assert stats.get_value("missing", 7) == 7
    crawler.spider = SimpleNamespace(name="annual_reports")
    stats.close_spider(reason="finished")
    assert stats.spider_stats["annual_reports"]["downloader/request_count"] == 3
