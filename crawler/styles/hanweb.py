"""Style B — Hanweb JCMS classic (portals.md §4): first records as CDATA in a `<datastore>` script,
more from `dataproxy.jsp` in groups of perPage × groupSize records (each group repeating the last)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote, urljoin

from scrapy import Request
from scrapy.http import Response

from crawler import jsobj
from crawler.pages import Entry, absolute, list_entries
from crawler.styles.base import MAX_PAGES, Style, text_of

_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>", re.S)
_HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""")
_TOTALPAGE = re.compile(r"<totalpage>\s*(\d+)\s*</totalpage>")
PROXY_PATHS = ("/module/web/jpage/dataproxy.jsp", "/module/jslib/jquery/jpage/dataproxy.jsp")


def _form(params: dict) -> str:
    # Values already percent-encoded (GBK `webname`) are sent as they are, not encoded twice.
    out = []
    for k, v in params.items():
        v = "" if v is None else str(v)
        out.append(f"{quote(str(k))}={v if re.search(r'%[0-9A-Fa-f]{2}', v) else quote(v)}")
    return "&".join(out)


class Hanweb(Style):
    name = "hanweb"

    def detect(self, response: Response) -> bool:
        text = text_of(response)
        return "<datastore>" in text or "dataproxy.jsp" in text or "jpage(" in text

    def listing(self, response: Response) -> Iterator[Entry | Request]:
        text = text_of(response)
        column = response.meta.get("column_url") or response.url
        for record in _RECORD.findall(text):
            yield from self.entries_in(record, column)
        if response.meta.get("hanweb_proxy"):
            yield from self._more_pages(response, text)
            return
        # Some Shandong sites list /art/ links directly and leave dataproxy empty.
        yield from list_entries(response.selector, response.url)
        yield from self._proxy_requests(response, text)

    def _proxy_requests(self, response: Response, text: str) -> Iterator[Request]:
        conf = jsobj.find_literal(text, re.compile(r"jpage\s*\(")) or {}
        total = int(conf.get("totalRecord") or 0) if isinstance(conf, dict) else 0
        if isinstance(conf, dict) and total:
            per = int(conf.get("perPage") or 15)
            group = int(conf.get("groupSize") or 3)
            proxy = str(conf.get("proxyUrl") or PROXY_PATHS[0])
            param_name = str(conf.get("ajaxParam") or "")
            params = (
                jsobj.find_literal(text, re.compile(rf"var\s+{re.escape(param_name)}\s*="))
                if param_name
                else None
            )
            params = params if isinstance(params, dict) else {}
            body = _form(params)
            step = per * group
            alternatives = [p for p in PROXY_PATHS if p != proxy]
            for n, start in enumerate(range(1, total + 1, step)):
                if n >= MAX_PAGES:
                    break
                query = f"?startrecord={start}&endrecord={min(start + step - 1, total)}&perpage={per}"
                yield self.request(
                    urljoin(response.url, proxy) + query,
                    method="POST",
                    body=body,
                    headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": response.url},
                    meta={
                        "hanweb_proxy": True,
                        "column_url": response.url,
                        "probe": True,
                        "fallback_urls": [urljoin(response.url, p) + query for p in alternatives],
                    },
                )
            return
        m = _NEXTGROUP.search(text)
        if m:
            href = _HREF.search(m.group(1))
            if href:
                yield self.request(
                    absolute(response.url, href.group(1)),
                    headers={"Referer": response.url},
                    meta={
                        "hanweb_proxy": True,
                        "column_url": response.url,
                        "hanweb_get": True,
                        "probe": True,
                    },
                )

    def _more_pages(self, response: Response, text: str) -> Iterator[Request]:
        # The GET form (`?page=N`) does not know the total up front: the first answer tells it.
        if not response.meta.get("hanweb_get") or response.meta.get("page_no"):
            return
        m = _TOTALPAGE.search(text)
        if not m:
            return
        for page in range(2, min(int(m.group(1)), MAX_PAGES) + 1):
            url = re.sub(r"([?&]page=)\d+", rf"\g<1>{page}", response.url)
            if url == response.url:
                break
            yield self.request(
                url,
                headers={"Referer": response.meta.get("column_url") or response.url},
                meta={**_carry(response), "page_no": page},
            )


def _carry(response: Response) -> dict:
    return {
        k: response.meta[k]
        for k in ("hanweb_proxy", "hanweb_get", "column_url", "probe")
        if k in response.meta
    }
