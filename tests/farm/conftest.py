"""Fixtures: one farm per test module (starting is cheap; attachments are rendered lazily)."""

from __future__ import annotations

import json
import re
import urllib.request
from collections import deque
from collections.abc import Callable, Iterator
from urllib.parse import quote, urljoin, urlsplit

import pytest

from farm import Farm
from farm.portal import Portal
from farm.truth import canonical_url

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
def crawl():
    """reference_crawl(portal) -> (page URLs fetched, canonical file URLs seen)."""
    return reference_crawl


@pytest.fixture(scope="session")
def get():
    """The loopback fetch helper: get(url, *, data=None, headers=None, browser=False, referer=None, follow=True)."""
    return fetch


# ---------------------------------------------------------------- a reference crawler
LINK = re.compile(r"""(?:href|src)\s*=\s*\\?["']([^"'\\]+)""", re.I)
FILE_EXT = re.compile(r"\.(pdf|docx?|wps|xlsx?|ofd|jpg|zip)$|/module/jpaas/download", re.I)


def _decode(body: bytes, ctype: str) -> str:
    label = (
        re.search(r"charset=([\w-]+)", ctype)
        or re.search(rb"charset=\"?([\w-]+)", body[:1024])
        or [None, b"utf-8"]
    )[1]
    label = label.decode() if isinstance(label, bytes) else label
    return body.decode("gb18030" if label.lower().startswith("gb") else "utf-8", "replace")


def a_pages(text: str) -> list[str]:
    m = re.search(
        r"createPageHTML\((?:'page_div',\s*)?(\d+),\s*(\d+),\s*[\"'](\w+)[\"'],\s*[\"'](\w+)[\"']", text
    )
    if m:
        count, current, prefix, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
    elif m := re.search(
        r"var currentPage = (\d+);.*?var countPage = (\d+).*?href=\\\"(\w+)_\"\+nextpage\+\"\.(\w+)",
        text,
        re.S,
    ):
        current, count, prefix, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
    else:
        return []
    del current  # 0- or 1-based varies by template: try both; a page that does not exist is a 404
    numbers = range(1, count + 1)
    return [f"{prefix}_{i}.{ext}" for i in numbers]


def reference_crawl(portal: Portal, get: Callable[..., Fetched] | None = None) -> tuple[set[str], set[str]]:
    """(pages fetched, file URLs seen), following every mechanism portals.md describes."""
    get = get or fetch
    hosts = {portal.host, f"{portal.files_address}:{portal.port}"}
    seen: set[str] = set()
    files: set[str] = set()
    queue: deque[tuple[str, str]] = deque([(portal.base + "/", portal.base + "/")])

    def push(url: str, referer: str) -> None:
        url = url.replace("&amp;", "&").split("#")[0]
        if urlsplit(url).netloc not in hosts:
            return
        if FILE_EXT.search(urlsplit(url).path) or "/module/jpaas/download" in url:
            files.add(canonical_url(url))
            return
        if url not in seen:
            seen.add(url)
            queue.append((url, referer))

    while queue:
        url, referer = queue.popleft()
        resp = get(url, browser=True, referer=referer)
        if resp.status != 200:
            continue
        ctype = resp.headers.get("Content-Type", "")
        if "json" in ctype:
            continue
        text = _decode(resp.body, ctype)
        for href in LINK.findall(text):
            if not href.startswith(("javascript:", "mailto:")):
                push(urljoin(url, href), url)
        # A: pager written by JS (4- or 6-argument createPageHTML, inline countPage; 0- or 1-based)
        for href in a_pages(text):
            push(urljoin(url, href), url)
        # B: datastore + dataproxy groups
        if m := re.search(r"jpage\(\{totalRecord:(\d+).*?proxyUrl:'([^']+)'", text, re.S):
            total, proxy = int(m.group(1)), m.group(2)
            col = re.search(r"columnid:'?([^,']+)'?", text).group(1)
            unit = re.search(r"unitid:'([^']+)'", text).group(1)
            for start in range(46, total + 1, 45):
                x = get(
                    f"{portal.base}{proxy}?startrecord={start}&endrecord={start + 44}&perpage=15",
                    data=f"col=1&webid=12&columnid={quote(col, safe='')}&unitid={quote(unit, safe='')}".encode(),
                    browser=True,
                    referer=url,
                )
                if len(x.body) == 54 and b"<record>" not in x.body:  # encrypted ids: use the browser pager
                    for n in range(1, -(-total // 15) + 1):
                        push(f"{url.split('?')[0]}?uid={quote(unit, safe='')}&pageNum={n}", url)
                    break
                for href in LINK.findall(x.text()):
                    push(urljoin(url, href), url)
        # E: javascript:goPage(N) / javascript:next() with the page URL built in the inline script
        if m := re.search(r"location\.href = \"([^\"]+)\" \+ n;", text):
            current = int(re.search(r"var currentPage = (\d+);", text).group(1))
            numbers = [int(n) for n in re.findall(r"javascript:goPage\((\d+)\)", text)]
            numbers += [current + 1] if "javascript:next()" in text else []
            for n in numbers:
                push(urljoin(url, m.group(1) + str(n)), url)
        # E: javascript:next(N) backed by a POST list API, form-encoded or JSON
        if "/xxgk/listData.asp" in text:
            form = re.search(r"listData\.asp',\{cid:(\d+)", text)
            js = re.search(r"JSON\.stringify\(\{columnId: (\d+), pageNo: n, pageSize: (\d+)\}\)", text)
            for page in range(1, 1000):
                if form:
                    data, hdrs = f"cid={form.group(1)}&page={page}".encode(), {}
                else:
                    body = {"columnId": int(js.group(1)), "pageNo": page, "pageSize": int(js.group(2))}
                    data, hdrs = json.dumps(body).encode(), {"Content-Type": "application/json"}
                x = get(
                    f"{portal.base}/xxgk/listData.asp", data=data, headers=hdrs, browser=True, referer=url
                )
                answer = json.loads(_decode(x.body, x.headers.get("Content-Type", "")))
                rows = answer["list"] if form else answer["data"]["rows"]
                if not rows:
                    break
                for row in rows:
                    push(urljoin(url, row["url"] if form else row["link"]), url)
        # C: unit API until an empty page
        if m := re.search(r"queryData=\"(\{[^\"]+\})\"", text):
            q = json.loads(m.group(1).replace("'", '"'))
            for page in range(1, 1000):
                api = (
                    f"{portal.base}/api-gateway/jpaas-publish-server/front/page/build/unit?parseType=bulidstatic"
                    f"&webId={q['webId']}&tplSetId={q['tplSetId']}&pageType=column&tagId={quote(q['tagId'])}"
                    f"&editType=null&pageId={q['pageId']}&paramJson={quote(json.dumps({'pageNo': page, 'pageSize': 15}))}"
                )
                frag = json.loads(get(api, browser=True, referer=url).body)["data"]["html"]
                if not frag:
                    break
                for href in LINK.findall(frag):
                    push(urljoin(url, href), url)
        # D: _CONFIG TREE -> list API
        if m := re.search(r"window\._CONFIG = (\{.*?\});</script>", text):
            try:
                config = json.loads(m.group(1))
            except json.JSONDecodeError:
                config = {}
            stack = list(config.get("TREE", []))
            while stack:
                node = stack.pop()
                stack.extend(node.get("children", []))
                for page in range(1, 100):
                    x = get(
                        f"{portal.base}/gkmlpt/api/all/{node['id']}?page={page}&sid={config['SID']}",
                        browser=True,
                        referer=url,
                    )
                    if x.status != 200:
                        break
                    for art in json.loads(x.body)["articles"]:
                        push(art["url"], url)
                        for att in art["attachment"]:
                            push(att["url"], url)
    return seen, files
