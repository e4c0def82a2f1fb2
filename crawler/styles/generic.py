"""Style E — query-string CMSes and small legacy sites (portals.md §7): list entries from the
page, pagination from pager links (`?page=N`, `?cur_page=N`, `/N.html`, `index_N`), list iframes,
and `javascript:` pagers (crawler.styles.jspager): a page URL built in an inline script, or a list
API asked by POST (form or JSON body, as the page's script sends it) that answers JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import Response, TextResponse

from crawler.classify import is_pager_text
from crawler.pages import (
    Entry,
    absolute,
    find_date,
    inline_scripts,
    is_attachment_url,
    links,
    list_entries,
)
from crawler.styles import jspager
from crawler.styles.base import MAX_PAGES, Style

_PAGE_PARAM = re.compile(
    r"[?&](?:page|cur_page|curpage|pagenum|pageno|currentpage|pageindex|p|pn|start)=\d+", re.I
)
_PAGE_FILE = re.compile(r"/(?:(?:index|list|center_flist)_\d+|\d{1,4})\.s?html?$", re.I)

# Field names of list APIs (Beijing, Heilongjiang, Suzhou, Anhui; portals.md §7), compared lower-cased.
_URL_KEYS = (
    "url",
    "link",
    "href",
    "linkurl",
    "link_url",
    "docurl",
    "doc_url",
    "arturl",
    "art_url",
    "post_url",
    "puburl",
    "infourl",
    "path",
)
_TITLE_KEYS = ("title", "doctitle", "doc_title", "fulltitle", "showtitle", "subject", "name", "infotitle")
_DATE_KEYS = (
    "date",
    "publishdate",
    "publish_date",
    "pubdate",
    "pub_date",
    "publishtime",
    "publish_time",
    "releasedate",
    "created_at",
    "createtime",
    "create_time",
    "fbrq",
    "time",
    "docreltime",
)
_PAGES_KEYS = ("pages", "totalpage", "totalpages", "pagecount", "total_page", "pagetotal")
_TOTAL_KEYS = ("total", "totalcount", "totalrecord", "totalrecords", "recordcount", "total_count")


def is_pager_url(url: str, column_url: str) -> bool:
    """A pagination link of the same column: a page parameter or a numbered file in its directory."""
    u, c = urlsplit(url), urlsplit(column_url)
    if u.netloc != c.netloc:
        return False
    if _PAGE_PARAM.search("?" + u.query):
        return u.path == c.path or u.path.rsplit("/", 1)[0] == c.path.rsplit("/", 1)[0]
    return bool(_PAGE_FILE.search(u.path)) and u.path.rsplit("/", 1)[0] == c.path.rsplit("/", 1)[0]


def _lower(d: dict[str, Any]) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in d.items()}


def json_entries(data: Any, base_url: str) -> list[Entry]:
    """List items anywhere in a list API's JSON: objects with a link and a title, or HTML
    fragments with anchors (an API answering markup, like JPaaS)."""
    out: list[Entry] = []

    def walk(node: Any, depth: int) -> None:
        if depth > 8:
            return
        if isinstance(node, list):
            for child in node:
                walk(child, depth + 1)
        elif isinstance(node, dict):
            low = _lower(node)
            url = next((low[k] for k in _URL_KEYS if isinstance(low.get(k), str) and low[k].strip()), None)
            title = next(
                (low[k] for k in _TITLE_KEYS if isinstance(low.get(k), str) and low[k].strip()), None
            )
            if url and title:
                when = next((str(low[k]) for k in _DATE_KEYS if low.get(k) not in (None, "")), "")
                out.append(
                    Entry(url=absolute(base_url, url.strip()), title=title.strip(), date=find_date(when))
                )
                return
            for child in node.values():
                walk(child, depth + 1)
        elif isinstance(node, str) and "<a " in node:
            out.extend(Style.entries_in(node, base_url))

    walk(data, 0)
    return out


def _count(data: Any, keys: tuple[str, ...]) -> int | None:
    """The first integer under one of `keys`, searched breadth-first (the API's own totals)."""
    queue = [data]
    while queue:
        node = queue.pop(0)
        if isinstance(node, dict):
            low = _lower(node)
            for k in keys:
                v = low.get(k)
                if isinstance(v, int) and not isinstance(v, bool) and v >= 0:
                    return v
                if isinstance(v, str) and v.isdigit():
                    return int(v)
            queue.extend(v for v in node.values() if isinstance(v, dict))
    return None


def _decode(response: Response) -> str:
    if isinstance(response, TextResponse):
        return response.text
    for enc in ("utf-8", "gb18030"):
        try:
            return response.body.decode(enc)
        except UnicodeDecodeError:
            continue
    return response.body.decode("utf-8", "replace")


class Generic(Style):
    name = "generic"

    def detect(self, response: Response) -> bool:
        return True

    def listing(self, response: Response) -> Iterator[Entry | Request]:
        if response.meta.get("js_api"):
            yield from self._api_answer(response)
            return
        if not isinstance(response, TextResponse):
            return
        entries = list(list_entries(response.selector, response.url))
        yield from entries
        entry_urls = {e.url for e in entries}
        column = response.meta.get("column_url") or response.url
        for url, text in links(response.selector, response.url):
            if url in entry_urls or is_attachment_url(url):
                continue
            if is_pager_url(url, column) or (
                is_pager_text(text) and urlsplit(url).netloc == urlsplit(column).netloc
            ):
                yield self.request(url, meta={"column_url": column, "probe": True, "page_no": -1})
        yield from self._script_pager(response, column)
        # Legacy sites put the list in an iframe.
        for src in response.xpath("//iframe/@src|//frame/@src").getall():
            if src and not src.startswith(("javascript:", "about:")):
                yield self.request(
                    response.urljoin(src), meta={"column_url": response.urljoin(src), "probe": True}
                )

    # -- javascript: pagers --------------------------------------------------------------------

    def _script_pager(self, response: Response, column: str) -> Iterator[Request]:
        """Pages behind `javascript:` links: GET pages from the URL the script builds, or the list
        API the script posts to (every page number the links name, then onward until it is empty)."""
        anchors = [
            (
                a.attrib.get("href") or "",
                a.attrib.get("onclick") or "",
                "".join(a.xpath(".//text()").getall()),
            )
            for a in response.xpath("//a[starts-with(normalize-space(@href),'javascript') or @onclick]")
        ]
        scripts = inline_scripts(response.selector)
        if not scripts:
            return
        if not anchors and not any(jspager.POSTS.search(script) for script in scripts):
            return  # no javascript: link, and no script asking an API on load
        program = jspager.read_program(scripts, also=[h + " " + o for h, o, _ in anchors])
        if not program.functions:
            return
        # (leaf function, page numbers) of GET pagers and of API pagers.
        gets: dict[str, set[int]] = {}
        apis: dict[str, set[int]] = {}
        seen_get: set[str] = set()

        def note(found: tuple[jspager.Nav, str, list[Any]] | None, pager_link: bool) -> Iterator[Request]:
            if found is None:
                return
            nav, leaf, args = found
            number = args[0] if len(args) == 1 and isinstance(args[0], int) else None
            if nav.method == "POST":
                if number is not None:
                    apis.setdefault(leaf, set()).add(number)
                return
            url = absolute(response.url, nav.url)
            if (
                not (pager_link or is_pager_url(url, column))
                or urlsplit(url).netloc != urlsplit(column).netloc
            ):
                return  # `javascript:window.navigate('/bsfw/')` in the nav bar is not a page of the list
            if number is not None:
                gets.setdefault(leaf, set()).add(number)
            if url not in seen_get:
                seen_get.add(url)
                yield self.request(url, meta={"column_url": column, "probe": True, "page_no": -1})

        for href, onclick, text in anchors:
            pager_link = is_pager_text(text)
            call = jspager.parse_call(href)
            sources = [onclick] if onclick else []
            if call is not None:
                sources.append(f"{call[0]}({call[1]})")
            for name, args in jspager.calls(program, sources):
                yield from note(jspager.resolve(program, name, args), pager_link)
        # Calls the page makes by itself (`$(function(){ next(1); })`: a list filled on load).
        for name, args in jspager.calls(program, scripts):
            found = jspager.resolve(program, name, args)
            if found is not None and found[0].method == "POST":
                yield from note(found, False)
        for leaf, numbers in gets.items():
            lo, hi = min(numbers), min(max(numbers), min(numbers) + MAX_PAGES)
            for k in range(lo, hi + 1):
                found = jspager.resolve(program, leaf, [k])
                if found is not None and found[0].method == "GET":
                    url = absolute(response.url, found[0].url)
                    if url not in seen_get and urlsplit(url).netloc == urlsplit(column).netloc:
                        seen_get.add(url)
                        yield self.request(url, meta={"column_url": column, "probe": True, "page_no": -1})
        for leaf, numbers in apis.items():
            sub = jspager.Program({leaf: program.functions[leaf]}, program.globals)
            lo, hi = min(numbers), min(max(numbers), min(numbers) + MAX_PAGES)
            for k in range(lo, hi + 1):
                request = self._api_request(response.url, column, sub, leaf, k, chain=k == hi)
                if request is not None:
                    yield request

    def _api_request(
        self,
        page_url: str,
        column: str,
        program: jspager.Program,
        leaf: str,
        page: int,
        *,
        chain: bool,
        previous: str | None = None,
        size: int = 0,
    ) -> Request | None:
        found = jspager.resolve(program, leaf, [page])
        if found is None or found[0].method != "POST":
            return None
        nav = found[0]
        return self.request(
            absolute(page_url, nav.url),
            method="POST",
            body=(nav.body or "").encode("utf-8"),
            headers={
                "Content-Type": nav.content_type or "application/x-www-form-urlencoded; charset=UTF-8",
                "Referer": page_url,
                "X-Requested-With": "XMLHttpRequest",
                "Accept": "application/json, text/javascript, */*; q=0.01",
            },
            meta={
                "column_url": column,
                "js_api": {
                    "program": program.to_meta(),
                    "fn": leaf,
                    "page": page,
                    "chain": chain,
                    "page_url": page_url,
                    "previous_first": previous,
                    "size": size,
                },
                "page_no": page,
            },
        )

    def _api_answer(self, response: Response) -> Iterator[Entry | Request]:
        api = response.meta["js_api"]
        column = response.meta.get("column_url") or api["page_url"]
        text = _decode(response)
        try:
            data: Any = json.loads(text)
        except ValueError:
            data = text  # some list APIs answer an HTML fragment
        entries = json_entries(data, column)
        if not entries or entries[0].url == api.get("previous_first"):
            return  # an empty page ends the list; so does an API repeating one page for every number
        yield from entries
        page = int(api["page"])
        if not api.get("chain") or page >= MAX_PAGES:
            return
        # The API's own count, when it gives one, lets the remaining pages go out at once; the last
        # one asked keeps the chain going, so a wrong count costs one request, never a page.
        pages = _count(data, _PAGES_KEYS) if isinstance(data, dict) else None
        total = _count(data, _TOTAL_KEYS) if isinstance(data, dict) else None
        # The page size is the longest page seen (the current one may be the short last page).
        size = max(len(entries), int(api.get("size") or 0))
        if pages is None and total is not None:
            pages = -(-total // size)
        last = max(page + 1, min(pages or 0, MAX_PAGES))
        program = jspager.Program.from_meta(api["program"])
        for k in range(page + 1, last + 1):
            request = self._api_request(
                api["page_url"],
                column,
                program,
                api["fn"],
                k,
                chain=k == last,
                previous=entries[0].url,
                size=size,
            )
            if request is not None:
                yield request
