"""The crawl runs with WARN_ON_GENERATOR_RETURN_VALUE off (Scrapy re-parsed a callback's source on
every call); the check it made at run time is made here, once, on every method of the spider."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

from scrapy.utils.misc import is_generator_with_return_value

from crawler.spiders.annual_reports import AnnualReportsSpider
from crawler.spiders.base import PortalSpider


def _spider_generators() -> list[tuple[str, object]]:
    found = []
    for cls in AnnualReportsSpider.__mro__:
        if not cls.__module__.startswith("crawler."):
            continue
        for name, func in vars(cls).items():
            if inspect.isgeneratorfunction(func) or inspect.isasyncgenfunction(func):
                found.append((f"{cls.__name__}.{name}", func))
    return found


def test_no_spider_generator_returns_a_value() -> None:
    generators = _spider_generators()
    names = {name for name, _ in generators}
    # The callbacks and errbacks the spider hands to its requests are among those checked.
    assert {"AnnualReportsSpider.parse_page", "AnnualReportsSpider.parse_detail"} <= names
    assert "PortalSpider.on_error" in names and PortalSpider.__module__ == "crawler.spiders.base"
    assert [name for name, func in generators if is_generator_with_return_value(func)] == []


def test_the_check_sees_a_returned_value() -> None:
    def returns(x: int) -> Iterator[int]:
        yield x
        return x  # the mistake the check exists for

    assert is_generator_with_return_value(returns)
