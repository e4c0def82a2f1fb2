"""Style E — query-string CMSes and small legacy sites (portals.md §7): list entries from the
page, pagination from pager links (`?page=N`, `?cur_page=N`, `/N.html`, `index_N`), list iframes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import Response, TextResponse

from crawler.classify import is_pager_text
from crawler.pages import Entry, is_attachment_url, links, list_entries
from crawler.styles.base import Style

_PAGE_PARAM = re.compile(
    r"[?&](?:page|cur_page|curpage|pagenum|pageno|currentpage|pageindex|p|pn|start)=\d+", re.I
)
_PAGE_FILE = re.compile(r"/(?:(?:index|list|center_flist)_\d+|\d{1,4})\.s?html?$", re.I)


def is_pager_url(url: str, column_url: str) -> bool:
    """A pagination link of the same column: a page parameter or a numbered file in its directory."""
    u, c = urlsplit(url), urlsplit(column_url)
    if u.netloc != c.netloc:
        return False
    if _PAGE_PARAM.search("?" + u.query):
        return u.path == c.path or u.path.rsplit("/", 1)[0] == c.path.rsplit("/", 1)[0]
    return bool(_PAGE_FILE.search(u.path)) and u.path.rsplit("/", 1)[0] == c.path.rsplit("/", 1)[0]


class Generic(Style):
    name = "generic"

    def detect(self, response: Response) -> bool:
        return True

    def listing(self, response: Response) -> Iterator[Entry | Request]:
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
        # Legacy sites put the list in an iframe.
        for src in response.xpath("//iframe/@src|//frame/@src").getall():
            if src and not src.startswith(("javascript:", "about:")):
                yield self.request(
                    response.urljoin(src), meta={"column_url": response.urljoin(src), "probe": True}
                )
