"""Middlewares and per-portal state: hosts, challenges, soft blocks, failures, backoff."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler import challenges
from crawler.middlewares import (
    BackoffRetryMiddleware,
    OffsiteRequest,
    PortalBlocked,
    PortalGuardMiddleware,
    ResponseGuardMiddleware,
)
from crawler.state import PortalState, Registry, registrable
from govreports.portals import PortalConfig

FIXTURES = Path(__file__).parent / "fixtures"
PORTAL = PortalConfig(
    name="p", start_urls=("http://www.county.gov.cn/",), extra={"allowed_hosts": ["127.0.0.16:8080"]}
)


def test_hosts_are_the_portals_own() -> None:
    state = PortalState(PORTAL)
    assert state.allows("http://www.county.gov.cn/zwgk/")
    assert state.allows("https://xxgk.county.gov.cn/files/a.pdf")  # sibling subdomain
    assert state.allows("http://127.0.0.16:8080/a.doc")  # listed attachment host
    assert not state.allows("https://pucha.kaipuyun.cn/exposure/jiucuo.html")
    assert not state.allows("http://dcs.conac.cn/image/red.png")
    assert not state.allows("http://www.othercounty.gov.cn/")
    assert registrable("127.0.0.11") == "127.0.0.11"


def test_persisting_403_is_blocked_not_empty() -> None:
    state = PortalState(PORTAL)
    state.http_403 = 3
    assert state.status(finished=True) == "blocked" and state.summary()["blocked"]
    state.ok_pages = 5
    assert state.summary()["blocked"] is False


class FakeSpider:
    def __init__(self) -> None:
        self.registry = Registry([PORTAL])
        self.blocked: list[str] = []

    def block_portal(self, name: str, reason: str, *, url: str = "") -> None:
        self.registry[name].blocked = reason
        self.blocked.append(reason)


@pytest.fixture
def crawler():
    c = get_crawler(settings_dict={"RETRY_BACKOFF_BASE": 0.01})
    c.spider = FakeSpider()
    return c


def test_portal_guard(crawler) -> None:
    mw = PortalGuardMiddleware.from_crawler(crawler)
    ok = Request("http://www.county.gov.cn/a", meta={"portal": "p"})
    assert mw.process_request(ok) is None and ok.meta["cookiejar"] == "p"
    with pytest.raises(OffsiteRequest):
        mw.process_request(Request("https://pucha.kaipuyun.cn/x", meta={"portal": "p"}))
    assert mw.process_request(Request("http://any.host/robots.txt")) is None  # engine requests
    crawler.spider.registry["p"].blocked = "js_challenge"
    with pytest.raises(PortalBlocked):
        mw.process_request(Request("http://www.county.gov.cn/b", meta={"portal": "p"}))


def test_challenges_block_the_portal(crawler) -> None:
    mw = ResponseGuardMiddleware.from_crawler(crawler)
    url = "http://www.county.gov.cn/"
    req = Request(url, meta={"portal": "p"})
    body = (FIXTURES / "ruishu_412.html").read_bytes()
    resp = HtmlResponse(
        url, status=412, body=body, headers={"Set-Cookie": "Xq7aPb80S=60aZx; Path=/"}, request=req
    )
    with pytest.raises(PortalBlocked):
        mw.process_response(req, resp)
    assert "Ruishu" in crawler.spider.blocked[0]
    jsl = (FIXTURES / "jiasule_521.html").read_bytes()
    assert "Jiasule" in challenges.detect(521, {b"Set-Cookie": [b"__jsluid_h=abc"]}, jsl)
    assert challenges.detect(521, {}, b"<html>origin is down</html>") is None  # Cloudflare 521
    assert challenges.detect(200, {}, b"<html><body>normal page</body></html>") is None


def test_soft_block_becomes_a_retryable_503_and_gbk_is_decoded(crawler) -> None:
    mw = ResponseGuardMiddleware.from_crawler(crawler)
    url = "http://www.county.gov.cn/list.html"
    req = Request(url, meta={"portal": "p"})
    page = "<html><body><p>访问过于频繁，请稍后再试</p></body></html>".encode()
    out = mw.process_response(
        req, HtmlResponse(url, body=page, headers={"Content-Type": "text/html"}, request=req)
    )
    assert out.status == 503 and req.meta["soft_block"]
    gbk = '<html><head><meta httpequiv="ContentType" content="text/html; charset=gb2312"></head><body>朱镕基</body></html>'
    out = mw.process_response(
        req, HtmlResponse(url, body=gbk.encode("gbk"), headers={"Content-Type": "text/html"}, request=req)
    )
    assert "朱镕基" in out.text and req.meta["encoding"] == "gb18030"


def test_backoff_grows_and_is_capped(crawler) -> None:
    settings = Settings()
    settings.setmodule("settings.crawl")
    mw = BackoffRetryMiddleware(settings)
    mw.crawler = SimpleNamespace(spider=crawler.spider, engine=None, stats=crawler.stats)
    # 2/6/18/54 s, jittered by ±20 %: the retries together outlast a one-minute ban (§12.3).
    assert 1.6 <= mw.delay_for(0) <= 2.4 and 14.4 <= mw.delay_for(2) <= 21.6
    assert sum(mw.delay_for(n) for n in range(settings.getint("RETRY_TIMES"))) > 60
    assert mw.delay_for(10) <= 60 * 1.2


def test_release_tree_frees_the_page_without_the_cycle_collector() -> None:
    """response.selector refers back to its response: the spider middleware breaks that cycle once
    the callback's output is consumed, so the page and its lxml tree go at once."""
    import asyncio
    import gc
    import weakref

    from scrapy.http import HtmlResponse

    from crawler.middlewares import ReleaseTreeMiddleware

    def page() -> HtmlResponse:
        return HtmlResponse(
            "http://127.0.0.1/a.html", body=b"<html><body><p>x</p></body></html>", encoding="utf-8"
        )

    mw = ReleaseTreeMiddleware()

    def callback(response: HtmlResponse):
        yield {"text": response.selector.xpath("//p/text()").get()}

    async def consume(response: HtmlResponse) -> list:
        async def agen():
            for out in callback(response):
                yield out

        return [o async for o in mw.process_spider_output_async(response, agen())]

    gc.disable()
    try:
        response = page()
        assert list(mw.process_spider_output(response, callback(response))) == [{"text": "x"}]
        ref = weakref.ref(response)
        del response
        assert ref() is None  # freed by reference counting, no gc.collect() needed
        response = page()
        assert asyncio.run(consume(response)) == [{"text": "x"}]
        ref = weakref.ref(response)
        del response
        assert ref() is None
    finally:
        gc.enable()
