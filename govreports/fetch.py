"""The one place `govreports parse URL` fetches from the network (the crawler uses Scrapy).

Streams the body and stops at the size limit, so an oversized answer never sits in memory whole.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass

from settings.parse import FETCH_TIMEOUT_S, MAX_DOCUMENT_BYTES

BROWSER_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"


class FetchError(Exception):
    pass


@dataclass(slots=True)
class Fetched:
    url: str
    body: bytes
    headers: dict[str, str]


def fetch_url(url: str, *, max_bytes: int = MAX_DOCUMENT_BYTES, timeout: float = FETCH_TIMEOUT_S) -> Fetched:
    request = urllib.request.Request(url, headers={"User-Agent": BROWSER_UA, "Accept": "*/*"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            declared = resp.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"document too large: {int(declared)} bytes declared, limit {max_bytes}")
            chunks: list[bytes] = []
            size = 0
            while chunk := resp.read(64 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"document too large: more than {max_bytes} bytes")
                chunks.append(chunk)
            return Fetched(resp.geturl(), b"".join(chunks), {k.lower(): v for k, v in resp.headers.items()})
    except urllib.error.HTTPError as exc:
        raise FetchError(f"HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise FetchError(f"cannot fetch: {exc.reason}") from exc
    except (TimeoutError, OSError) as exc:
        raise FetchError(f"cannot fetch: {exc}") from exc
