"""Fixtures: one farm per test module (starting is cheap; attachments are rendered lazily)."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator

import pytest

from farm import Farm

BROWSER_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
)


@pytest.fixture(scope="module")
def demo_farm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Farm]:
    with Farm.start(profile="demo", data_dir=tmp_path_factory.mktemp("farm")) as farm:
        yield farm


class Fetched:
    def __init__(self, status: int, headers: dict[str, str], body: bytes, url: str) -> None:
        self.status, self.headers, self.body, self.url = status, headers, body, url

    def text(self, encoding: str = "utf-8") -> str:
        return self.body.decode(encoding)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def fetch(
    url: str,
    *,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    browser: bool = False,
    referer: str | None = None,
    follow: bool = True,
    timeout: float = 60,
) -> Fetched:
    """GET/POST without raising on HTTP errors; loopback only."""
    assert url.startswith("http://127."), url
    hdrs = dict(headers or {})
    if browser:
        hdrs.setdefault("User-Agent", BROWSER_UA)
    if referer:
        hdrs["Referer"] = referer
    req = urllib.request.Request(url, data=data, headers=hdrs)
    handlers = [] if follow else [_NoRedirect()]
    opener = urllib.request.build_opener(*handlers)
    try:
        with opener.open(req, timeout=timeout) as resp:
            return Fetched(resp.status, dict(resp.headers.items()), resp.read(), resp.url)
    except urllib.error.HTTPError as err:
        return Fetched(err.code, dict(err.headers.items()), err.read(), url)


@pytest.fixture(scope="session")
def get():
    """The loopback fetch helper: get(url, *, data=None, headers=None, browser=False, referer=None, follow=True)."""
    return fetch
