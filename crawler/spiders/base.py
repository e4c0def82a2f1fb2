"""Shared plumbing of portal spiders (in the spirit of City Bureau's city-scrapers base spider):
portals from the portals file, per-portal state, request construction, error/decoy/blocked
bookkeeping that the pipelines and the summary extension read."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, UsageError
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectError,
    ConnectionLost,
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
)
from twisted.internet.error import (
    TimeoutError as TwistedTimeoutError,
)
from twisted.python.failure import Failure

from crawler import signals as gr_signals
from crawler.jobstate import JobLedger
from crawler.middlewares import OffsiteRequest, PortalBlocked
from crawler.state import PortalState, Registry
from govreports.portals import load_portals, select

logger = logging.getLogger(__name__)

# Request priorities: finish what is started (attachments of a report, then its detail page)
# before opening more list pages, so bodies held in flight stay few.
PRIORITY = {"attachment": 30, "detail": 20, "listing": 10, "column": 5, "nav": 0, "home": 0}


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def classify_failure(failure: Failure) -> tuple[str, str, int | None]:
    """(error kind for archive.record_error, message, HTTP status or None)."""
    exc = failure.value
    if isinstance(exc, HttpError):
        status = exc.response.status
        return ("http_5xx" if status >= 500 else "http_4xx"), f"HTTP {status}", status
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        if "robots.txt" in text:
            return "robots", "forbidden by robots.txt", None
        if "max redirections" in text:
            return "redirect_loop", "redirect limit reached (loop)", None
        if "DOWNLOAD_MAXSIZE" in text or "max size" in text:
            return "too_large", text, None
        return "ignored", text, None
    text = str(exc)
    if "max size" in text or "larger than download" in text:
        return "too_large", text, None
    if isinstance(exc, TwistedTimeoutError | TCPTimedOutError | TimeoutError):
        return "timeout", text or "timed out", None
    if isinstance(exc, DNSLookupError):
        return "dns", text, None
    if isinstance(exc, ConnectionRefusedError | ConnectError | ConnectionLost):
        return "connection", text or type(exc).__name__, None
    name = type(exc).__name__
    if "SSL" in text or "DownloadFailed" in name:
        return "connection", f"{name}: {text}", None
    if "SSL" in name or "TLS" in name or "ResponseNeverReceived" in name or "ResponseFailed" in name:
        return "connection", f"{name}: {text}", None
    return "error", f"{name}: {text}", None


class PortalSpider(scrapy.Spider):
    """A spider configured by the portals file: `-a portals=FILE [-a portal=NAME[,NAME…]]`."""

    registry: Registry
    ledger: JobLedger | None

    def __init__(
        self, *args: Any, portals: str | None = None, portal: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.portals_file = portals
        self.portal_names = [n.strip() for n in (portal or "").split(",") if n.strip()]

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PortalSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        path = spider.portals_file or crawler.settings.get("GOVREPORTS_PORTALS_FILE")
        if not path:
            raise UsageError("no portals file: pass -a portals=FILE (or set GOVREPORTS_PORTALS_FILE)")
        spider.registry = Registry(select(load_portals(path), spider.portal_names or None))
        spider.ledger = JobLedger.open(crawler.settings.get("JOBDIR"))
        return spider

    # -- requests ------------------------------------------------------------------------------

    def portal_request(
        self,
        state: PortalState,
        url: str,
        callback: Callable[..., Any],
        kind: str,
        *,
        meta: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Request:
        kwargs.setdefault("priority", PRIORITY.get(kind, 0))
        kwargs.setdefault("errback", self.on_error)
        return Request(
            url,
            callback=callback,
            meta={"portal": state.name, "kind": kind, **(meta or {})},
            **kwargs,
        )

    def state_of(self, obj: Response | Request | Failure) -> PortalState:
        request = obj.request if isinstance(obj, Failure) else obj
        return self.registry[request.meta["portal"]]

    # -- bookkeeping ---------------------------------------------------------------------------

    def block_portal(self, name: str, reason: str, *, url: str = "") -> None:
        state = self.registry[name]
        if state.blocked:
            return
        state.blocked = reason
        logger.warning("portal %s is blocked: %s (%s)", name, reason, url)
        self.crawler.stats.inc_value("govreports/blocked_portals")
        self.note_error(state, url, "blocked", reason)
        self.crawler.signals.send_catch_log(gr_signals.portal_blocked, portal=name, reason=reason)

    def note_error(self, state: PortalState, url: str, kind: str, message: str) -> None:
        state.errors[kind] += 1
        self.crawler.stats.inc_value(f"govreports/errors/{kind}")
        logger.warning("[%s] %s: %s (%s)", state.name, kind, message, url)
        self.crawler.signals.send_catch_log(
            gr_signals.crawl_error, portal=state.name, url=url, kind=kind, message=message
        )

    def note_decoy(self, state: PortalState, url: str, title: str, reason: str) -> None:
        if url in state.decoys:
            return
        state.decoys[url] = reason
        self.crawler.stats.inc_value("govreports/decoys_skipped")
        logger.info("[%s] decoy skipped: %s — %r (%s)", state.name, reason, title, url)
        self.crawler.signals.send_catch_log(
            gr_signals.decoy_skipped, portal=state.name, url=url, title=title, reason=reason
        )

    # -- failures ------------------------------------------------------------------------------

    def on_error(self, failure: Failure):
        request = failure.request
        state = self.state_of(failure)
        if isinstance(failure.value, OffsiteRequest | PortalBlocked):
            return
        kind, message, status = classify_failure(failure)
        meta = request.meta
        if status == 404 and meta.get("fallback_urls"):
            nxt, *rest = meta["fallback_urls"]
            yield request.replace(url=nxt, meta={**meta, "fallback_urls": rest}, dont_filter=True)
            return
        if (
            kind in ("connection", "timeout")
            and request.url.startswith("https://")
            and not meta.get("http_fallback")
        ):
            # HTTP-only sites refuse or reset HTTPS (§9): try the same page over HTTP once.
            yield request.replace(
                url="http://" + request.url[len("https://") :],
                meta={**meta, "http_fallback": True},
                dont_filter=True,
            )
            return
        if meta.get("probe") and status in (404, 410):
            return  # a pager probe past the last page
        if kind == "robots" and meta.get("kind") in ("home", "column") and meta.get("start"):
            self.block_portal(state.name, "robots.txt disallows the portal", url=request.url)
            return
        if status == 403:
            state.http_403 += 1
            if meta.get("kind") in ("home", "column") and meta.get("start"):
                self.block_portal(state.name, "HTTP 403 persisting after retries", url=request.url)
                return
        if meta.get("start") and status in (404, 410):
            yield from self.home_fallback(state, request)
        if meta.get("kind") == "nav" and status in (404, 410):
            # A dead link in the site's navigation (legacy sites have many): recorded, but the
            # report columns were reached, so the crawl is not partial for it.
            kind = "broken_link"
        if meta.get("soft_block") and status == 503:
            kind, message = "soft_block", "soft block page (访问异常) persisted after retries"
        self.note_error(state, request.url, kind, message)

    def home_fallback(self, state: PortalState, request: Request):
        """Path drift: a start URL that is gone; find the column again from the home page."""
        if request.meta.get("root_fallback"):
            return
        root_url = "/".join(request.url.split("/", 3)[:3]) + "/"
        if root_url != request.url or request.meta.get("redirect_urls"):
            yield self.portal_request(
                state,
                root_url,
                self.parse_page,
                "home",
                meta={"start": True, "root_fallback": True, "nav_depth": 0},
                dont_filter=True,
            )

    def parse_page(self, response: Response):  # pragma: no cover - implemented by subclasses
        raise NotImplementedError
