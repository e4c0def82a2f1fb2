"""Style D — Guangdong `gkmlpt` (portals.md §6): a Vue shell configured by `window._CONFIG`
(SID, category TREE) and a JSON list API, 100 items a page."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import urljoin

from scrapy import Request
from scrapy.http import Response

from crawler import jsobj
from crawler.classify import is_report_column_meta
from crawler.pages import Entry, find_date
from crawler.styles.base import MAX_PAGES, Style, text_of

_CONFIG = re.compile(r"window\._CONFIG\s*=")
PER_PAGE = 100


def report_categories(tree: object) -> list[int]:
    """Ids of the report category and all of its descendants (township / department splits)."""
    found: list[int] = []

    def walk(nodes: object, inside: bool) -> None:
        if not isinstance(nodes, list):
            return
        for node in nodes:
            if not isinstance(node, dict):
                continue
            hit = inside or is_report_column_meta(str(node.get("name") or ""))
            if hit and isinstance(node.get("id"), int):
                found.append(node["id"])
            walk(node.get("children"), hit)

    walk(tree, False)
    return found


class Gkmlpt(Style):
    name = "gkmlpt"

    def detect(self, response: Response) -> bool:
        text = text_of(response)
        return "window._CONFIG" in text and ("/gkmlpt/" in text or "/gkmlpt/" in response.url)

    def listing(self, response: Response) -> Iterator[Entry | Request]:
        if "gkmlpt_cat" in response.meta:
            yield from self._api_answer(response)
            return
        config = jsobj.find_literal(text_of(response), _CONFIG)
        if not isinstance(config, dict):
            return
        sid = config.get("SID")
        for cat in report_categories(config.get("TREE")):
            yield self._page(response.url, cat, sid, 1)

    def _page(self, base: str, cat: int, sid: object, page: int) -> Request:
        url = urljoin(base, f"/gkmlpt/api/all/{cat}?page={page}") + (
            f"&sid={sid}" if sid not in (None, "") else ""
        )
        return self.request(
            url,
            headers={"Referer": urljoin(base, "/gkmlpt/index"), "Accept": "application/json"},
            # Single-page categories answer 404 for page >= 2: a probe, not an error.
            meta={"gkmlpt_cat": cat, "gkmlpt_sid": sid, "page_no": page, "probe": page > 1},
        )

    def _api_answer(self, response: Response) -> Iterator[Entry | Request]:
        try:
            data = json.loads(response.body.decode("utf-8", "replace"))
        except ValueError:
            return
        articles = data.get("articles") if isinstance(data, dict) else None
        if not articles:
            return
        for art in articles:
            if not isinstance(art, dict):
                continue
            url = art.get("url") or art.get("post_url")
            if not url:
                continue
            attachments = [
                urljoin(response.url, a["url"])
                for a in art.get("attachment") or []
                if isinstance(a, dict) and a.get("url")
            ]
            yield Entry(
                url=urljoin(response.url, str(url)),
                title=str(art.get("title") or ""),
                date=find_date(
                    str(art.get("created_at") or art.get("date") or art.get("display_publish_time") or "")
                ),
                attachments=attachments,
            )
        page = int(response.meta["page_no"])
        total = data.get("total") if isinstance(data, dict) else None
        more = len(articles) >= PER_PAGE if not isinstance(total, int) else page * PER_PAGE < total
        if more and page < MAX_PAGES:
            yield self._page(
                response.url, response.meta["gkmlpt_cat"], response.meta.get("gkmlpt_sid"), page + 1
            )
