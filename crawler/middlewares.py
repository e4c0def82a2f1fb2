"""Downloader middlewares: the portal's own hosts only, challenge and soft-block detection,
encoding repair, and retries that back off (portals.md §9–§10)."""

from __future__ import annotations

import logging
import random
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.downloadermiddlewares import cookies as _cookies_mw
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.response import response_status_message
from tldextract import TLDExtract
from twisted.internet import task

from crawler import challenges, encoding
from crawler.pages import soft_kind

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawler.state import PortalState

logger = logging.getLogger(__name__)

# Scrapy's CookiesMiddleware asks tldextract for public suffixes, and tldextract's default first
# downloads the suffix list from publicsuffix.org. The crawler talks to the portals only: use the
# snapshot bundled with tldextract instead.
_cookies_mw._split_domain = TLDExtract(suffix_list_urls=(), include_psl_private_domains=True)


class PortalBlocked(IgnoreRequest):
    """The portal is blocked (challenge, persisting 403, robots): no more requests go out for it."""


class OffsiteRequest(IgnoreRequest):
    """A host that is not the portal's own (footer widgets, other portals)."""


def _state(crawler: Crawler, request: Request) -> PortalState | None:
    registry = getattr(crawler.spider, "registry", None)
    return registry.get(request.meta.get("portal")) if registry is not None else None


class PortalGuardMiddleware:
    """Per-portal allow-list of hosts (Scrapy's OffsiteMiddleware knows one list per spider), one
    cookie jar per portal, and no requests at all for a portal already found blocked."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PortalGuardMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        state = _state(self.crawler, request)
        if state is None:
            return  # robots.txt and other engine requests
        request.meta.setdefault("cookiejar", state.name)
        if state.blocked:
            raise PortalBlocked(f"portal {state.name} is blocked: {state.blocked}")
        if not state.allows(request.url):
            self.crawler.stats.inc_value("govreports/offsite_filtered")
            raise OffsiteRequest(f"not a host of portal {state.name}: {request.url}")


class ResponseGuardMiddleware:
    """Sits after decompression and before retry/redirect handling:

    - a JS challenge (Ruishu 412, Jiasule 521) blocks the portal: retrying cannot pass it;
    - a 200 "访问异常/访问过于频繁" page is turned into a 503 so the backoff retry handles it;
    - text responses get the encoding of `crawler.encoding.detect` (gb18030 for GB labels …).
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ResponseGuardMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        state = _state(self.crawler, request)
        if state is not None:
            reason = challenges.detect(response.status, response.headers, response.body)
            if reason:
                block = getattr(self.crawler.spider, "block_portal", None)
                if block is not None:
                    block(state.name, reason, url=request.url)
                raise PortalBlocked(reason)
        if not isinstance(response, TextResponse):
            return response
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        enc = encoding.detect(response.body, content_type)
        cls = type(response) if type(response) is not TextResponse else HtmlResponse
        if response.body.lstrip()[:1] in (b"{", b"["):
            cls = TextResponse  # JSON list APIs
        fixed = response.replace(cls=cls, encoding=enc)
        request.meta["encoding"] = enc
        if state is not None and response.status == 200 and len(response.body) < 40_000:
            kind = soft_kind(fixed.selector)
            if kind == "soft_block":
                request.meta["soft_block"] = True
                return fixed.replace(status=503)
        return fixed


class BackoffRetryMiddleware(RetryMiddleware):
    """RetryMiddleware whose retries wait: RETRY_BACKOFF_BASE × RETRY_BACKOFF_FACTOR^n seconds
    (1/3/9 s by default, portals.md §10), with jitter, and the domain slot slowed meanwhile so
    the burst that caused a 503/429 is not repeated at once."""

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.factor = settings.getfloat("RETRY_BACKOFF_FACTOR", 3.0)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        o = cls(crawler.settings)
        o.crawler = crawler
        return o

    def delay_for(self, retries: int) -> float:
        delay = min(self.cap, self.base * (self.factor**retries))
        return delay * random.uniform(0.8, 1.2)

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retries = request.meta.get("retry_times", 0)
        max_times = request.meta.get("max_retry_times", self.max_retry_times)
        if retries >= max_times:
            return self._give_up(request, response)
        delay = self.delay_for(retries)
        self._slow_slot(request, delay)
        from twisted.internet import (
            reactor,  # the installed one; importing it early would install the default
        )

        await maybe_deferred_to_future(task.deferLater(reactor, delay, lambda: None))
        retry = get_retry_request(
            request,
            reason=response_status_message(response.status),
            spider=self.crawler.spider,
            max_retry_times=max_times,
            priority_adjust=request.meta.get("priority_adjust", self.priority_adjust),
        )
        return retry or response

    def _give_up(self, request: Request, response: Response) -> Response:
        self.crawler.stats.inc_value("retry/max_reached")
        logger.debug("Gave up retrying %s (status %s)", request, response.status)
        return response

    def _slow_slot(self, request: Request, delay: float) -> None:
        downloader = self.crawler.engine.downloader if self.crawler.engine else None
        if downloader is None:
            return
        key = downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is not None:
            # AutoThrottle lowers it again once answers are 200; it never lowers on errors.
            slot.delay = max(slot.delay, min(delay / 2, self.cap))


def release_tree(response: Response) -> None:
    """Drop a response's parsed tree now: Scrapy's `response.selector` keeps a reference back to
    its response, so the pair (body, text and lxml tree, ~10× the page) is a reference cycle that
    only the cyclic garbage collector frees — hundreds of finished pages were held at a time."""
    if isinstance(response, TextResponse):
        response._cached_selector = None


class ReleaseTreeMiddleware:
    """Spider middleware closest to the engine: once a callback's output is consumed, the page's
    tree is released (a later `response.selector` would parse it again)."""

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        try:
            yield from result
        finally:
            release_tree(response)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        try:
            async for out in result:
                yield out
        finally:
            release_tree(response)
