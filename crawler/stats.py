"""The crawl's stats collector: Scrapy's in-memory one, read without its per-attribute hook."""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector


class CrawlStats(MemoryStatsCollector):
    """Scrapy 2.19's StatsCollector sends every attribute read through a Python __getattribute__
    (it wraps the public methods in a warning about a deprecated `spider` argument): each
    inc_value then paid an f-string, a failed lookup and a caught AttributeError just to reach
    `self._stats`, ~2 % of the crawl's CPU at a dozen stat updates a request. Plain attribute
    access here; the methods and their results are Scrapy's, only that warning is not given."""

    __getattribute__ = object.__getattribute__
