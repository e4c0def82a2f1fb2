"""The one generic discovery spider: home → 信息公开 tree → annual-report column(s) → every report
(portals.md §2), whatever the portal's CMS; per-CMS listing knowledge lives in crawler.styles."""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from crawler import styles
from crawler.classify import (
    classify_title,
    column_rejection,
    has_template_markers,
    has_year,
    is_area_link,
    is_column_url,
    is_report_column,
    is_report_column_meta,
    is_subunit_link,
    normalize,
    repost_reason,
    same_url_shape,
    soft_page_kind,
)
from crawler.items import Capture, ReportItem
from crawler.pages import (
    Entry,
    attachments,
    embedded_detail,
    is_attachment_url,
    links,
    looks_like_detail,
    meta_content,
    page_meta,
    soft_kind,
    texts,
    visible_text,
)
from crawler.spiders.base import PortalSpider, classify_failure, now_iso
from crawler.state import PortalState, host_of
from crawler.styles.generic import is_pager_url

logger = logging.getLogger(__name__)

MAX_NAV_DEPTH = 4  # home=0 → 政务公开 → 信息公开 → 乡镇街道 → 某镇
MAX_COLUMN_DEPTH = 3  # column → year → township sub-columns
MAX_ATTACHMENTS = 20
_HOME_PATHS = {"", "/", "/index.html", "/index.htm", "/index.shtml", "/index.jsp", "/default.html"}
_YEARISH = re.compile(r"^(?:19|20)\d{2}(?:年度?|年报)?$")


def _headers(response: Response) -> dict[str, str]:
    return {k.decode("latin-1").lower(): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}


def _is_html(response: Response) -> bool:
    if not isinstance(response, TextResponse):
        return False
    ctype = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
    if "html" in ctype or "xml" in ctype:
        return True
    return response.body.lstrip()[:1] == b"<"


class AnnualReportsSpider(PortalSpider):
    name = "annual_reports"

    async def start(self) -> Any:
        for state in self.registry:
            for url in state.config.start_urls:
                kind = "column" if is_column_url(url) else "home"
                yield self.portal_request(
                    state,
                    url,
                    self.parse_page,
                    kind,
                    meta={"start": True, "nav_depth": 0, "col_depth": 0},
                    dont_filter=True,
                )

    # -- navigation ----------------------------------------------------------------------------

    def _page_ok(self, response: Response, state: PortalState) -> bool:
        """Counts the page; False when it is not content (not markup, soft 404, 301 to home)."""
        state.pages += 1
        if not isinstance(response, TextResponse):
            return False
        kind = response.meta.get("kind")
        redirects = response.meta.get("redirect_urls") or []
        to_home = urlsplit(response.url).path in _HOME_PATHS
        if redirects and kind != "home" and to_home and urlsplit(redirects[0]).path not in _HOME_PATHS:
            if response.meta.get("probe"):
                return False
            self.note_error(state, redirects[0], "soft404", f"redirected to the home page {response.url}")
            return False
        if _is_html(response) and len(response.body) < 40_000:
            soft = soft_kind(response.selector)
            if soft and not (response.meta.get("probe") and soft == "soft404"):
                self.note_error(state, response.url, soft, f"{soft} page instead of content")
                return False
            if soft:
                return False
        state.ok_pages += 1
        return True

    def _learn_site(self, response: Response, state: PortalState) -> None:
        if state.site_name is None:
            name = meta_content(response.selector, "SiteName")
            if not name and response.meta.get("kind") == "home":
                title = next(iter(texts(response.selector, "//title/text()")), None)
                name = re.split(r"\s*[-_|｜—]\s*", title.strip())[0] if title else None
            state.site_name = name or None
        if response.meta.get("kind") == "home" and response.meta.get("redirect_urls"):
            state.add_host(host_of(response.url))  # the portal moved host (path drift)

    def parse_page(self, response: Response) -> Iterator[Request]:
        state = self.state_of(response)
        if not self._page_ok(response, state) or not _is_html(response):
            if response.meta.get("start"):
                yield from self.home_fallback(state, response.request)
            return
        self._learn_site(response, state)
        meta = response.meta
        is_column = (
            meta.get("kind") == "column"
            or is_report_column_meta(meta_content(response.selector, "ColumnName"))
            or is_column_url(response.url)
        )
        if is_column or styles.BY_NAME["gkmlpt"].detect(response):
            yield from self._column(response, state)
            if is_column:
                return
        depth = meta.get("nav_depth", 0)
        for url, text in links(response.selector, response.url):
            if not state.allows(url) or is_attachment_url(url):
                continue
            if is_report_column(text, url):
                yield self.portal_request(
                    state, url, self.parse_page, "column", meta={"col_depth": 0, "nav_depth": depth}
                )
                continue
            if column_rejection(text, url) or depth >= MAX_NAV_DEPTH:
                continue
            area = is_area_link(text, url) if depth == 0 else is_area_link(text, "")
            sub = depth >= 1 and is_subunit_link(text)
            if (area or sub) and not looks_like_detail(url):
                yield self.portal_request(state, url, self.parse_page, "nav", meta={"nav_depth": depth + 1})

    def _column(self, response: Response, state: PortalState) -> Iterator[Request]:
        state.columns.add(response.url)
        style = styles.detect(response)
        logger.debug("[%s] column %s is style %s", state.name, response.url, style.name)
        entry_urls: set[str] = set()
        for out in style.listing(response):
            if isinstance(out, Entry):
                entry_urls.add(out.url)
            yield from self._listing_output(out, state, response, style.name)
        depth = response.meta.get("col_depth", 0)
        if depth >= MAX_COLUMN_DEPTH:
            return
        base_dir = urlsplit(response.url).path.rsplit("/", 1)[0] + "/"
        for url, text in links(response.selector, response.url):
            if url in entry_urls or url == response.url or not state.allows(url) or is_attachment_url(url):
                continue
            if column_rejection(text, url) or is_pager_url(url, response.url):
                continue
            path = urlsplit(url).path
            flat = normalize(text)
            sub = (
                is_report_column(text, url)
                or _YEARISH.match(flat)
                # Flatly numbered CMSes (Hanweb /col/colN/): a sub-unit column sits beside its parent.
                or (is_subunit_link(text) and same_url_shape(url, response.url))
                or (
                    (
                        is_subunit_link(text)
                        or path.endswith("/")
                        or path.rsplit("/", 1)[-1].startswith("index")
                    )
                    and path.startswith(base_dir)
                    and path != base_dir
                    and not looks_like_detail(url)
                )
            )
            if sub:
                yield self.portal_request(
                    state, url, self.parse_page, "column", meta={"col_depth": depth + 1}
                )

    def _listing_output(
        self, out: Entry | Request, state: PortalState, response: Response, style: str
    ) -> Iterator[Request]:
        if isinstance(out, Request):
            if state.allows(out.url):
                yield out.replace(
                    callback=self.parse_listing,
                    errback=self.on_error,
                    meta={**out.meta, "portal": state.name, "kind": "listing", "style": style},
                    priority=10,
                )
            return
        yield from self._entry(out, state, style)

    def parse_listing(self, response: Response) -> Iterator[Request]:
        state = self.state_of(response)
        if not self._page_ok(response, state):
            return
        style = styles.by_name(response.meta.get("style"))
        for out in style.listing(response):
            yield from self._listing_output(out, state, response, style.name)

    # -- list entries --------------------------------------------------------------------------

    def _entry(self, entry: Entry, state: PortalState, style: str) -> Iterator[Request]:
        if not state.allows(entry.url):
            return
        verdict = classify_title(entry.title)
        if verdict.kind in ("decoy", "other"):
            self.note_decoy(state, entry.url, entry.title, verdict.reason)
            return
        reason = repost_reason(entry.title, state.site_name)
        if reason:
            self.note_decoy(state, entry.url, entry.title, reason)
            return
        yield self.portal_request(
            state,
            entry.url,
            self.parse_detail,
            "detail",
            meta={"entry": dataclasses.asdict(entry), "style": style, "leaf": True},
        )

    # -- detail pages and attachments ----------------------------------------------------------

    def parse_detail(self, response: Response) -> Iterator[Request | ReportItem]:
        state = self.state_of(response)
        entry = response.meta.get("entry") or {}
        list_title = entry.get("title") or ""
        list_verdict = classify_title(list_title)
        if not _is_html(response):
            state.pages += 1
            state.ok_pages += 1
            # The list linked the document itself (legacy sites: .doc/.pdf straight from the list).
            item = ReportItem(
                portal=state.name,
                url=response.url,
                title=list_title,
                list_title=list_title,
                list_date=entry.get("date"),
                style=response.meta.get("style", "generic"),
                page_meta={"title": list_title, "published": entry.get("date")},
                captures=[self._capture(response, "attachment")],
                needs_confirmation=not list_verdict.accepted,
                body_kind=state.config.body_kind,
            )
            yield item
            return
        if not self._page_ok(response, state):
            return
        self._learn_site(response, state)
        sel = response.selector
        text = visible_text(sel)
        embedded = embedded_detail(response.text) or ""
        meta = page_meta(sel, list_title=list_title or None, list_date=entry.get("date"))
        page_verdict = classify_title(meta.title)
        markers = has_template_markers(text) or has_template_markers(embedded)
        found = [
            u
            for u in [*entry.get("attachments", []), *attachments(sel, response.url, text + embedded)]
            if u != response.url and state.allows(u)
        ]
        found = list(dict.fromkeys(found))[:MAX_ATTACHMENTS]
        title = list_title if list_verdict.accepted else (meta.title or list_title)
        needs_confirmation = False
        if list_verdict.accepted or page_verdict.accepted:
            title = list_title if list_verdict.accepted else (meta.title or "")
        elif page_verdict.kind == "decoy":
            self._done(state, response.url)
            self.note_decoy(
                state, response.url, meta.title or list_title, f"page title: {page_verdict.reason}"
            )
            return
        elif markers:
            pass
        elif found and (has_year(normalize(meta.title)) or has_year(normalize(list_title))):
            needs_confirmation = True
        else:
            self._done(state, response.url)
            self.note_decoy(
                state,
                response.url,
                meta.title or list_title,
                f"not a report: {page_verdict.reason}, no template markers",
            )
            return
        reason = repost_reason(title, state.site_name or meta.extra.get("site_name"))
        if reason:
            self._done(state, response.url)
            self.note_decoy(state, response.url, title, reason)
            return
        item = ReportItem(
            portal=state.name,
            url=response.url,
            title=title,
            list_title=list_title or None,
            list_date=entry.get("date"),
            style=response.meta.get("style", "generic"),
            page_meta=dataclasses.asdict(meta),
            captures=[self._capture(response, "detail")],
            pending=found,
            needs_confirmation=needs_confirmation,
            body_kind=state.config.body_kind,
        )
        yield from self._continue(item)

    def _capture(self, response: Response, role: str) -> Capture:
        return Capture(
            url=response.url,
            body=response.body,
            headers=_headers(response),
            fetched_at=now_iso(),
            role=role,
            encoding=response.meta.get("encoding"),
        )

    def _continue(self, item: ReportItem) -> Iterator[Request | ReportItem]:
        """Fetch the item's attachments one after another, then hand the item on."""
        if item.pending:
            url = item.pending.pop(0)
            state = self.registry[item.portal]
            yield self.portal_request(
                state,
                url,
                self.parse_attachment,
                "attachment",
                meta={"item": item},
                errback=self.attachment_failed,
                dont_filter=True,
            )
        else:
            yield item

    def parse_attachment(self, response: Response) -> Iterator[Request | ReportItem]:
        item: ReportItem = response.meta["item"]
        state = self.registry[item.portal]
        state.pages += 1
        if _is_html(response) and soft_page_kind(visible_text(response.selector)):
            item.failed[response.url] = "soft404"
            self.note_error(state, response.url, "soft404", "attachment answered with an error page")
        else:
            state.ok_pages += 1
            item.captures.append(self._capture(response, "attachment"))
        yield from self._continue(item)

    def attachment_failed(self, failure: Failure) -> Iterator[Request | ReportItem]:
        item: ReportItem = failure.request.meta["item"]
        state = self.registry[item.portal]
        kind, message, _ = classify_failure(failure)
        item.failed[failure.request.url] = kind
        if kind != "ignored":
            self.note_error(state, failure.request.url, kind, message)
        yield from self._continue(item)

    def _done(self, state: PortalState, url: str) -> None:
        if self.ledger is not None:
            self.ledger.mark(state.name, url, stored=False)

    # `scrapy check` / default callback
    def parse(self, response: Response, **kwargs: Any) -> Iterator[Request]:
        yield from self.parse_page(response)
