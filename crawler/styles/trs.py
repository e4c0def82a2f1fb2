"""Style A — TRS WCM static pages (portals.md §3): `index.html`, `index_1.html` …, pager in JS only."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

from scrapy import Request
from scrapy.http import Response

from crawler.pages import Entry, list_entries
from crawler.styles.base import MAX_PAGES, Style, text_of

# createPageHTML(count, current, "index", "html") and the six-argument
# createPageHTML('page_div', count, current, 'index', 'html', records); Chongqing says createPage.
_CREATE = re.compile(
    r"createPage(?:HTML)?\(\s*(?:['\"][\w-]*['\"]\s*,\s*)?(\d+)\s*,\s*(\d+)\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
_COUNT = re.compile(r"countPage\s*=\s*(\d+)")
_WRITTEN_NAME = re.compile(r"""["']([\w-]+)_["']\s*\+\s*\w+\s*\+\s*["']\.(s?html?)["']""")
_DETAIL = re.compile(r"t\d{8}_\d+")
_PAGE_FILE = re.compile(r"^([\w-]+?)(?:_(\d+))?\.(s?html?)$")


class TRS(Style):
    name = "trs"

    def detect(self, response: Response) -> bool:
        text = text_of(response)
        return (
            "createPageHTML(" in text
            or "createPage(" in text
            or "countPage" in text
            or bool(_DETAIL.search(text))
        )

    def listing(self, response: Response) -> Iterator[Entry | Request]:
        yield from list_entries(response.selector, response.url)
        if response.meta.get("page_no"):
            return  # only the first page expands the pager
        text = text_of(response)
        pager = self.pager(text, response.url)
        if pager is None:
            return
        count, prefix, ext = pager
        base = response.url.rsplit("/", 1)[0] + "/"
        # 0-based templates number pages index_1 … index_{n-1}, 1-based ones index_2 … index_n;
        # asking for 1 … n covers both. Missing ones answer 404 or a stub and yield nothing.
        for i in range(1, min(count, MAX_PAGES) + 1):
            yield self.request(f"{base}{prefix}_{i}.{ext}", meta={"page_no": i, "probe": True})

    @staticmethod
    def pager(text: str, url: str) -> tuple[int, str, str] | None:
        """(page count, file prefix, extension) from the JS pager, or None."""
        path = urlsplit(url).path
        name = path.rsplit("/", 1)[-1] or "index.html"
        m_file = _PAGE_FILE.match(name)
        prefix, ext = (m_file.group(1), m_file.group(3)) if m_file else ("index", "html")
        m = _CREATE.search(text)
        if m:
            return int(m.group(1)), m.group(3), m.group(4)
        m = _COUNT.search(text)
        if m:
            written = _WRITTEN_NAME.search(text)
            if written:
                prefix, ext = written.group(1), written.group(2)
            return int(m.group(1)), prefix, ext
        return None


def page_url(url: str, prefix: str, ext: str, i: int) -> str:
    parts = urlsplit(url)
    directory = parts.path.rsplit("/", 1)[0]
    return urlunsplit((parts.scheme, parts.netloc, f"{directory}/{prefix}_{i}.{ext}", "", ""))
