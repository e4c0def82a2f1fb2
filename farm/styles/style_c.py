"""Style C — Hanweb JPaaS "unit build" (portals.md §5).

The column page `/col/col{C}/index.html` is an empty shell with `unitbuild.js` and a
single-quoted `queryData`; the list comes from
`GET /api-gateway/jpaas-publish-server/front/page/build/unit?...&paramJson={"pageNo":N,"pageSize":15}`
as JSON `{"data": {"html": "<ul>…</ul>"}}`, an empty `html` past the end. The API answers 403
unless the User-Agent is a browser's and the Referer is a column page. Articles are new
`/col/col{C}/art/YYYY/art_{32hex}.html` (published after 2020) and old `/art/YYYY/M/D/art_{C}_{id}.html`
in one column. Attachments go through a download gateway whose signed `fileUrl` link expires
(`expires_s`, default 600); the ground truth lists the unsigned gateway URL (see
`farm.truth.canonical_url`). Profile `jpaas: {expires_s, gateway_rate: {n, per_s}}`: link lifetime,
and more than n gateway hits in per_s seconds answer 429.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import time
from collections import deque
from typing import TYPE_CHECKING
from urllib.parse import quote

from farm import knobs, pages
from farm.plan import Column, DecoyItem, ReportItem
from farm.server import Request, Response
from farm.styles import common

if TYPE_CHECKING:
    from farm.portal import Portal

WEBID = "2945"
TPLSET = "52c4ee5b8c3c4a6f9d6e0a1b2c3d4e5f"
TAG = "当前栏目_list"
API = "/api-gateway/jpaas-publish-server/front/page/build/unit"
GATEWAY = "/module/jpaas/download"
AREA_COL = 1229100000
ROOT_COL, DRIFT_COL = 1229100001, 1229100777
_KEY = b"jpaas-gateway"


def page_id(cid: int) -> str:
    return hashlib.md5(str(cid).encode()).hexdigest()[:24]


def art_path(cid: int, item: ReportItem | DecoyItem) -> str:
    d = item.published
    if d.year > 2020:  # older items keep the classic JCMS address
        return f"/col/col{cid}/art/{d.year}/art_{hashlib.md5(f'{cid}:{item.uid}'.encode()).hexdigest()}.html"
    return f"/art/{d.year}/{d.month}/{d.day}/art_{cid}_{3800000 + item.uid}.html"


def sign(file_url: str, expires: int) -> str:
    return hmac.new(_KEY, f"{file_url}|{expires}".encode(), hashlib.sha256).hexdigest()[:16]


def build(portal: Portal) -> None:
    expires_s = int((portal.conf.get("jpaas") or {}).get("expires_s", 600))
    root_col = DRIFT_COL if portal.switches["drift"] else ROOT_COL
    common.install_home(portal)
    slugs = [s for s, _, _ in common.SIBLINGS]
    siblings = common.install_siblings(
        portal, lambda slug: f"/col/col{AREA_COL + 10 + slugs.index(slug)}/index.html"
    )
    column_href = f"/col/col{root_col}/index.html"
    portal.area_href = f"/col/col{AREA_COL}/index.html"
    portal.column_href = portal.abs(column_href)
    portal.page(
        portal.area_href, lambda: pages.area(portal, common.area_links(portal, siblings, column_href))
    )

    columns: dict[str, tuple[Column, int]] = {}  # pageId -> (column, columnid)
    files: dict[str, object] = {}  # fileUrl -> handler, reachable only through the gateway

    def assign(col: Column, cid: int) -> None:
        col.cid = cid
        columns[page_id(cid)] = (col, cid)
        for n, child in enumerate(col.children):
            assign(child, cid + 100 + n)

    assign(portal.plan.column, root_col)
    portal.extra_truth["jpaas_page_ids"] = {str(cid): pid for pid, (_, cid) in columns.items()}
    for pid, (col, cid) in columns.items():
        portal.page(
            f"/col/col{cid}/index.html", lambda col=col, cid=cid, pid=pid: _shell(portal, col, cid, pid)
        )
        for item in col.items:
            path = art_path(cid, item)
            item.detail_url = portal.abs(path)
            if isinstance(item, ReportItem):
                _report_detail(portal, item, path, col.name, files, expires_s)
            else:
                portal.page(path, lambda d=item, name=col.name: common.decoy_page(portal, d, name))

    def unit_api(req: Request) -> Response:
        if not knobs.is_browser(req) or "/col/col" not in req.headers.get("referer", ""):
            return Response(403, b'{"code":403,"msg":"Forbidden"}', "application/json;charset=UTF-8")
        col, cid = columns.get(req.q("pageId") or "", (None, 0))
        try:
            params = json.loads(req.q("paramJson") or "{}")
            page_no, size = (
                max(1, int(params.get("pageNo", 1))),
                min(50, max(1, int(params.get("pageSize", 15)))),
            )
        except (ValueError, TypeError, AttributeError):
            page_no, size = 1, 15
        items = col.items[(page_no - 1) * size : page_no * size] if col is not None else []
        frag = ""
        if items:
            frag = (
                "<ul>"
                + "".join(
                    f'<li><a href="{art_path(cid, it)}" title="{html.escape(it.title)}" target="_blank">{html.escape(common.truncate(it.title, 24))}</a>'
                    f'<span class="time">{it.published.isoformat()}</span></li>'
                    for it in items
                )
                + "</ul>"
            )
        body = json.dumps({"success": True, "data": {"html": frag}}, ensure_ascii=False)
        return Response(200, body.encode("utf-8"), "application/json;charset=UTF-8")

    rate = (portal.conf.get("jpaas") or {}).get("gateway_rate")
    hits: dict[str, deque[float]] = {}

    def throttled(client: str) -> bool:
        if not rate:
            return False
        now = time.monotonic()
        with portal.state.lock:
            q = hits.setdefault(client, deque())
            while q and q[0] < now - float(rate.get("per_s", 1)):
                q.popleft()
            q.append(now)
            return len(q) > int(rate.get("n", 5))

    def gateway(req: Request) -> Response:
        if throttled(req.client):  # fast polling of the download gateway is refused
            body = json.dumps({"code": 429, "msg": "操作过于频繁，请稍后再试"}, ensure_ascii=False).encode()
            return Response(429, body, "application/json;charset=UTF-8", [("Retry-After", "1")])
        file_url = req.q("fileUrl") or ""
        handler = files.get(file_url)
        if handler is None:
            return portal.not_found(req)
        try:
            expires = int(req.q("expires") or 0)
        except ValueError:
            expires = 0
        if expires < time.time() or not hmac.compare_digest(req.q("sign") or "", sign(file_url, expires)):
            body = json.dumps({"code": 403, "msg": "链接已失效"}, ensure_ascii=False).encode()
            return Response(403, body, "application/json;charset=UTF-8")
        return handler(req)  # type: ignore[operator]

    portal.route(API, unit_api)
    portal.route(GATEWAY, gateway)
    portal.route(
        "/module/jpaas/unitbuild.js", lambda req: Response(200, b"/* unitbuild */", "application/javascript")
    )


def _shell(portal: Portal, col: Column, cid: int, pid: str) -> str:
    query = f"{{'webId':'{WEBID}','tplSetId':'{TPLSET}','pageId':'{pid}','tagId':'{TAG}'}}"
    sub = "".join(
        f'<li><a href="/col/col{c.cid}/index.html">{html.escape(c.name)}</a></li>' for c in col.children
    )
    body = (
        f'<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="{portal.area_href}">政府信息公开</a> &gt; {html.escape(col.name)}</div>'
        + (f'<ul class="sub-col">{sub}</ul>' if sub else "")
        + f'<div class="list-box" id="{TAG}"></div>'
        f'<script type="text/javascript" src="/module/jpaas/unitbuild.js" queryData="{query}"></script>'
    )
    return pages.shell(portal, title=f"{col.name}_{portal.site_name}", body=body, column=col.name)


def _report_detail(
    portal: Portal, item: ReportItem, path: str, column: str, files: dict[str, object], expires_s: int
) -> None:
    raw: list[tuple[str, str]] = []
    for n, kind in enumerate(portal.attachment_kinds(item)):
        fpath = f"/attach/{hashlib.md5(f'{item.uid}:{n}'.encode()).hexdigest()}.{portal.kind_ext(kind)}"
        name = portal.serve_kind(fpath, item, kind)
        files[fpath] = portal.routes.pop(fpath)  # only through the gateway
        raw.append((fpath, name))
    item.attachment_urls = [canonical(portal, u.removeprefix(portal.base)) for u in item.attachment_urls]
    for key in ("oversize_url", "zipbomb_url"):
        if key in portal.extra_truth and "/attach/" in portal.extra_truth[key]:
            portal.extra_truth[key] = canonical(portal, portal.extra_truth[key].removeprefix(portal.base))

    def render() -> str:
        expires = int(time.time()) + expires_s
        links = [
            (f"{GATEWAY}?fileUrl={quote(f)}&expires={expires}&sign={sign(f, expires)}", name)
            for f, name in raw
        ]
        inner = pages.report_body(portal, item, links)
        body = (
            f'<div class="article"><h1 class="title">{html.escape(item.title)}</h1>{pages.meta_table(portal, item)}'
            f'<div class="article-conter" id="zoom">{inner}</div></div>'
        )
        return pages.shell(
            portal, title=f"{item.title}_{portal.site_name}", body=body, column=column, article=item
        )

    portal.page(path, render)


def canonical(portal: Portal, file_path: str) -> str:
    return f"{portal.base}{GATEWAY}?fileUrl={quote(file_path)}"
