"""Bytes as the Scrapy response a spider callback would get (encoding detected as the crawler does)."""

from __future__ import annotations

from scrapy import Request
from scrapy.http import HtmlResponse, Response, TextResponse

from crawler import encoding


def make_response(
    body: bytes, url: str, *, meta: dict | None = None, content_type: str | None = "text/html"
) -> Response:
    headers = {"Content-Type": content_type} if content_type else {}
    enc = encoding.detect(body, content_type)
    cls = TextResponse if body.lstrip()[:1] in (b"{", b"[") else HtmlResponse
    return cls(url=url, body=body, headers=headers, encoding=enc, request=Request(url, meta=meta or {}))
