"""Style C — Hanweb JPaaS "unit build" (portals.md §5): an empty shell whose list comes from a JSON
GET answering an HTML fragment per page; pages run until an empty fragment."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlencode, urljoin

from scrapy import Request
from scrapy.http import Response

from crawler import jsobj
from crawler.pages import Entry
from crawler.styles.base import MAX_PAGES, Style, text_of

API = "/api-gateway/jpaas-publish-server/front/page/build/unit"
PAGE_SIZE = 15


class JPaaS(Style):
    name = "jpaas"

    def detect(self, response: Response) -> bool:
        text = text_of(response)
        return "unitbuild.js" in text or "queryData" in text or "querydata" in text

    def listing(self, response: Response) -> Iterator[Entry | Request]:
        if response.meta.get("jpaas_query") is not None:
            yield from self._api_answer(response)
            return
        raw = response.xpath("//script/@querydata").get() or response.xpath("//*/@querydata").get()
        if not raw:
            return
        try:
            query = jsobj.parse(raw)
        except jsobj.JSParseError:
            return
        if isinstance(query, dict):
            yield self._page_request(response.url, query, 1, previous=None)

    def _page_request(self, column_url: str, query: dict, page: int, previous: str | None) -> Request:
        params = {
            "parseType": "bulidstatic",  # sic: the real API's spelling
            "webId": query.get("webId", ""),
            "tplSetId": query.get("tplSetId", ""),
            "pageType": query.get("pageType", "column"),
            "tagId": query.get("tagId", ""),
            "editType": "null",
            "pageId": query.get("pageId", ""),
            "paramJson": json.dumps(
                {"pageNo": page, "pageSize": int(query.get("pageSize") or PAGE_SIZE)}, separators=(",", ":")
            ),
        }
        return self.request(
            urljoin(column_url, API) + "?" + urlencode(params),
            # A bare request gets 403: the column page must be the Referer (§5).
            headers={"Referer": column_url, "Accept": "application/json, text/javascript, */*; q=0.01"},
            meta={
                "jpaas_query": query,
                "column_url": column_url,
                "page_no": page,
                "jpaas_previous": previous,
            },
        )

    def _api_answer(self, response: Response) -> Iterator[Entry | Request]:
        try:
            data = json.loads(text_of(response) or response.body.decode("utf-8", "replace"))
        except ValueError:
            return
        html = ((data or {}).get("data") or {}).get("html") if isinstance(data, dict) else None
        if not html or not str(html).strip():
            return  # an empty page ends the list
        column_url = response.meta["column_url"]
        entries = self.entries_in(str(html), column_url)
        first = entries[0].url if entries else None
        if not entries or first == response.meta.get("jpaas_previous"):
            return  # some answers repeat page 1 for every pageNo: stop rather than loop
        yield from entries
        page = int(response.meta["page_no"])
        if page < MAX_PAGES:
            yield self._page_request(column_url, response.meta["jpaas_query"], page + 1, previous=first)
