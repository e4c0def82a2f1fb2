"""The interface every style module implements, and the helpers they share."""

from __future__ import annotations

from collections.abc import Iterator

from parsel import Selector
from scrapy import Request
from scrapy.http import Response, TextResponse

from crawler.pages import Entry, list_entries

# Upper bound on pages read from a JS pager count: counts are sometimes overstated (§3).
MAX_PAGES = 300


def text_of(response: Response) -> str:
    return response.text if isinstance(response, TextResponse) else ""


class Style:
    """A portal style. `listing` works on a column page and on the answers of the requests it
    yields (they come back with `meta["style"] == self.name`)."""

    name = "base"

    def detect(self, response: Response) -> bool:
        raise NotImplementedError

    def listing(self, response: Response) -> Iterator[Entry | Request]:
        raise NotImplementedError

    # Helpers -------------------------------------------------------------------------------

    def request(self, url: str, *, meta: dict | None = None, **kwargs) -> Request:
        """A listing request; the spider adds callback, errback and portal meta."""
        return Request(url, meta={"style": self.name, **(meta or {})}, **kwargs)

    @staticmethod
    def entries_in(html: str, base_url: str) -> list[Entry]:
        return list(list_entries(Selector(text=html), base_url))
