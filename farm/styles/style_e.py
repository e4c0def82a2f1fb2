"""Style E — a legacy query-string county site (portals.md §7).

GBK pages declared gb2312 (with GBK-only characters in names), table layout, an iframe, a
`<form>` inside a `<tr>`, IE-only JS; details `/xxgk/show.asp?id=N`; reports only as
.doc/.wps/.pdf attachments on a sibling host (the "xxgk." subdomain, another 127.0.0.x) linked
absolutely.

Lists (profile key `legacy`):
- `list: query` (default): `/xxgk/list.asp?cid=N&page=N` (1-based, 15 a page; `pager.per_page`).
- `list: numbered`: the same pages as `/xxgk/col{N}/{n}.html`.
- `list: js_goto`: the GET pages of `query`, but every pager link is JavaScript —
  `javascript:goPage(N)` and `javascript:next()` — and the page URL is built in an inline script
  from `currentPage` (a plain fetch sees no page link).
- `list: js_next`: Beijing's dialect, `javascript:next(N)` backed by a POST JSON API
  `/xxgk/listData.asp` (list.asp itself only ever shows page 1). `post: form` (default) sends
  `cid=N&page=N` form-encoded through `$.post`; `post: json` sends a JSON body
  `{"columnId": N, "pageNo": N, "pageSize": 15}` through `$.ajax` and answers
  `{"code": 200, "data": {"total": …, "rows": [{"title", "link", "publishDate"}]}}`; a body of the
  wrong kind gets 400. `first: api` leaves even page 1 out of the HTML: an empty list table
  filled on load by `next(1)`, with no pager link at all.
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING

from farm import knobs, pages
from farm.plan import Column, DecoyItem, ReportItem
from farm.server import Request, Response
from farm.styles.common import SIBLINGS, install_nav_pages

if TYPE_CHECKING:
    from farm.portal import Portal

PER_PAGE = 15  # profile pager.per_page overrides
ROOT_CID, DRIFT_CID = 12, 88


def _layout(
    portal: Portal,
    title: str,
    inner: str,
    column: str | None = None,
    article: ReportItem | DecoyItem | None = None,
) -> str:
    # An old table-layout page: nav row, a form misplaced inside a <tr>, then the content cell.
    body = (
        '<table width="980" border="0" cellpadding="0" cellspacing="0" align="center">'
        '<tr><td><a href="/">网站首页</a> | <a href="/xxgk/index.asp">信息公开</a> | <a href="javascript:window.navigate(\'/bsfw/\')">办事服务</a></td></tr>'
        '<tr><form name="search" action="/search.asp" method="post"><td><input name="kw" size="12"><input type="submit" value="搜索"></td></form></tr>'
        f'<tr><td valign="top">{inner}</td></tr>'
        '<tr><td align="center">技术支持：喆堃信息技术有限公司</td></tr></table>'
    )
    return pages.shell(portal, title=title, body=body, column=column, article=article)


def build(portal: Portal) -> None:
    drift = portal.switches["drift"]
    root_cid = DRIFT_CID if drift else ROOT_CID
    cids: dict[int, Column] = {}
    next_cid = root_cid + 1

    def assign(col: Column, cid: int) -> None:
        nonlocal next_cid
        col.cid = cid
        cids[cid] = col
        for child in col.children:
            next_cid += 1
            assign(child, next_cid)

    assign(portal.plan.column, root_cid)
    sib_cid = {slug: 20 + i for i, (slug, _, _) in enumerate(SIBLINGS)}
    items_by_id: dict[int, ReportItem | DecoyItem] = {}
    column_of: dict[int, str] = {}
    for col in cids.values():
        for it in col.items:
            items_by_id[it.uid] = it
            column_of[it.uid] = col.name
    for slug, items in portal.plan.sibling_decoys.items():
        for d in items:
            items_by_id[d.uid] = d
            column_of[d.uid] = dict((s, n) for s, n, _ in SIBLINGS)[slug]

    portal.area_href = "/xxgk/index.asp"
    legacy = legacy_conf(portal)
    mode = legacy["list"]
    per = int((portal.conf.get("pager") or {}).get("per_page", PER_PAGE))
    portal.column_href = portal.abs(list_url(mode, root_cid, 1))
    portal.extra_truth["legacy"] = dict(legacy)

    home = lambda: _layout(  # noqa: E731
        portal,
        portal.site_name,
        '<table><tr><td><a href="/xxgk/index.asp"><img src="/images/xxgk.gif" alt="政府信息公开">政府信息公开</a></td>'
        '<td><embed src="/images/top.swf"></td></tr></table>',
    )
    portal.page("/", home)
    portal.page("/index.asp", home)
    install_nav_pages(portal)  # _layout keeps the shared chrome, nav bar included

    links = []
    for slug, name, _ in SIBLINGS[:3]:
        links.append((name, f"/xxgk/list.asp?cid={sib_cid[slug]}"))
    links.append(("政府信息公开年报", list_url(mode, root_cid, 1)))
    for slug, name, _ in SIBLINGS[3:]:
        links.append((name, f"/xxgk/list.asp?cid={sib_cid[slug]}"))
    links += knobs.knob_links(portal)
    rows = "".join(f'<tr><td class="xxgk_nav"><a href="{h}">{html.escape(n)}</a></td></tr>' for n, h in links)
    portal.page(
        "/xxgk/index.asp",
        lambda: _layout(
            portal,
            f"政府信息公开-{portal.site_name}",
            f'<table class="xxgk">{rows}</table><iframe src="/xxgk/notice.asp" width="300" height="200"></iframe>',
            "政府信息公开",
        ),
    )
    portal.page(
        "/xxgk/notice.asp", lambda: _layout(portal, "通知公告", "<marquee>欢迎访问政府信息公开专栏</marquee>")
    )

    # attachments live on the sibling host
    attach: dict[int, list[tuple[str, str]]] = {}
    for item in portal.plan.reports:
        item.detail_url = portal.abs(f"/xxgk/show.asp?id={item.uid}")
        out = []
        for n, kind in enumerate(portal.attachment_kinds(item)):
            path = f"/uploadfiles/{item.published:%Y%m}/{item.published:%Y%m%d}{item.uid:05d}{n}.{portal.kind_ext(kind)}"
            name = portal.serve_kind(path, item, kind, files=True)
            out.append((portal.files_base + path, name))
        attach[item.uid] = out
    for d in portal.plan.decoys:
        d.detail_url = portal.abs(f"/xxgk/show.asp?id={d.uid}")
    for items in portal.plan.sibling_decoys.values():
        for d in items:
            d.detail_url = portal.abs(f"/xxgk/show.asp?id={d.uid}")

    stub_bytes = int((portal.conf.get("pager") or {}).get("stub_bytes", 0))

    def list_asp(req: Request) -> Response:
        try:
            cid = int(req.q("cid", "0") or 0)
            page = max(1, int(req.q("page", "1") or 1))
        except ValueError:
            return portal.not_found(req)
        if cid in sib_cid.values():
            slug = next(s for s, c in sib_cid.items() if c == cid)
            name = dict((s, n) for s, n, _ in SIBLINGS)[slug]
            items = portal.plan.sibling_decoys.get(slug)
            if items is None:
                return portal.html(_layout(portal, name, f"<p>{portal.site_name}{name}。</p>", name))
            return portal.html(_list(portal, cid, name, list(items), page, [], per=per))
        col = cids.get(cid)
        if col is None:
            return portal.not_found(req)
        pages_n = max(1, -(-len(col.items) // per))
        if page > pages_n and stub_bytes:
            from farm.styles.style_a import stub

            return portal.html(stub(stub_bytes))
        if mode == "numbered":  # the same list lives at /xxgk/col{cid}/{n}.html
            return portal.not_found(req)
        if mode == "js_next":
            page = 1  # a POST-API site has no GET pages: `?page=N` is ignored, as on the real ones
        return portal.html(_list(portal, cid, col.name, col.items, page, children_of(col), mode, per, legacy))

    def children_of(col: Column) -> list[tuple[str, int]]:
        return [(c.name, c.cid) for c in col.children]

    def numbered(req: Request, cid: int, page: int) -> Response:
        col = cids[cid]
        return portal.html(_list(portal, cid, col.name, col.items, page, children_of(col), mode, per, legacy))

    def list_data(req: Request) -> Response:
        """The POST JSON behind `javascript:next(N)`: form-encoded or JSON body, as the profile says."""
        if req.method != "POST":
            return Response(405, b"method not allowed", "text/plain; charset=utf-8")
        is_json = "json" in req.headers.get("content-type", "")
        if is_json != (legacy["post"] == "json"):
            return Response(400, b'{"code":400,"msg":"bad request"}', "application/json; charset=utf-8")
        try:
            if is_json:
                args = json.loads(req.body.decode("utf-8"))
                cid, page = int(args["columnId"]), int(args["pageNo"])
                size = min(100, max(1, int(args.get("pageSize") or per)))
            else:
                form = req.form()
                cid, page, size = int(form["cid"][0]), int(form["page"][0]), per
            col = cids[cid]
        except (KeyError, ValueError, TypeError, AttributeError):
            return Response(400, b'{"code":400,"msg":"bad request"}', "application/json; charset=utf-8")
        page = max(1, page)
        chunk = col.items[(page - 1) * size : page * size]
        rows = [(it.title, f"/xxgk/show.asp?id={it.uid}", it.published.isoformat()) for it in chunk]
        if is_json:
            data: dict = {
                "code": 200,
                "data": {
                    "total": len(col.items),
                    "rows": [{"title": t, "link": u, "publishDate": d} for t, u, d in rows],
                },
            }
            return Response(
                200, json.dumps(data, ensure_ascii=False).encode(), "application/json; charset=utf-8"
            )
        data = {
            "total": len(col.items),
            "pages": max(1, -(-len(col.items) // size)),
            "list": [{"title": t, "url": u, "date": d} for t, u, d in rows],
        }
        body = json.dumps(data, ensure_ascii=False).encode("gbk", "xmlcharrefreplace")
        return Response(200, body, "application/json; charset=gbk")

    if mode == "numbered":
        for cid, col in cids.items():
            last = max(1, -(-len(col.items) // per))
            for n in range(1, last + 1):
                portal.route(f"/xxgk/col{cid}/{n}.html", lambda req, cid=cid, n=n: numbered(req, cid, n))
    if mode == "js_next":
        portal.route("/xxgk/listData.asp", list_data)

    def show_asp(req: Request) -> Response:
        try:
            item = items_by_id[int(req.q("id", "0") or 0)]
        except (KeyError, ValueError):
            return portal.not_found(req)
        if isinstance(item, ReportItem):
            inner = pages.report_body(portal, item, attach[item.uid])
        else:
            inner = pages.decoy_body(item)
        content = (
            f'<table class="show" width="100%"><tr><td align="center"><font size="4"><b>{html.escape(item.title)}</b></font></td></tr>'
            f"<tr><td>{pages.meta_table(portal, item)}</td></tr>"
            f'<tr><td align="center">发布日期：{item.published.isoformat()}</td></tr>'
            f'<tr><td class="content" id="zoom">{inner}</td></tr></table>'
        )
        return portal.html(_layout(portal, f"{item.title}", content, column_of[item.uid], item))

    portal.route("/xxgk/list.asp", list_asp)
    portal.route("/xxgk/show.asp", show_asp)


LIST_MODES = ("query", "numbered", "js_goto", "js_next")


def legacy_conf(portal: Portal) -> dict[str, str]:
    conf = {"list": "query", "post": "form", "first": "html"}
    conf.update({k: str(v) for k, v in (portal.conf.get("legacy") or {}).items()})
    if conf["list"] not in LIST_MODES or conf["post"] not in ("form", "json"):
        raise ValueError(f"{portal.name}: unknown legacy list {conf}")
    if conf["first"] not in ("html", "api"):
        raise ValueError(f"{portal.name}: legacy first must be html or api, got {conf['first']!r}")
    return conf


def list_url(mode: str, cid: int, page: int) -> str:
    if mode == "numbered":
        return f"/xxgk/col{cid}/{page}.html"
    if mode == "js_next" and page > 1:
        return f"javascript:next({page})"
    if mode == "js_goto" and page > 1:
        return f"javascript:goPage({page})"
    return f"/xxgk/list.asp?cid={cid}" + (f"&page={page}" if page > 1 else "")


def _pager_script(mode: str, legacy: dict[str, str], cid: int, page: int, pages_n: int, per: int) -> str:
    """The inline script behind the `javascript:` pager links (what a browser would run)."""
    if mode == "js_goto":
        # The URL exists only as this concatenation; `next()` goes through goPage.
        return (
            f"<script>var currentPage = {page};//当前页\nvar pageCount = {pages_n};\n"
            "function goPage(n){ if (n < 1 || n > pageCount) { return; }\n"
            f'  window.location.href = "list.asp?cid={cid}&page=" + n; }}\n'
            "function next(){ goPage(currentPage + 1); }</script>"
        )
    if mode != "js_next":
        return ""
    if legacy["post"] == "json":
        call = (
            "$.ajax({url: '/xxgk/listData.asp', type: 'POST', dataType: 'json',"
            " contentType: 'application/json;charset=UTF-8',"
            f" data: JSON.stringify({{columnId: {cid}, pageNo: n, pageSize: {per}}}),"
            " success: function(d){ render(d.data.rows); }});"
        )
    else:
        call = f"$.post('/xxgk/listData.asp',{{cid:{cid},page:n}},function(d){{render(d.list);}},'json');"
    onload = "$(function(){ next(1); });" if legacy["first"] == "api" else ""
    return f"<script>function next(n){{{call}}}{onload}</script>"


def _list(
    portal: Portal,
    cid: int,
    name: str,
    items: list,
    page: int,
    children: list[tuple[str, int]],
    mode: str = "query",
    per: int = PER_PAGE,
    legacy: dict[str, str] | None = None,
) -> str:
    legacy = legacy or {"list": mode, "post": "form", "first": "html"}
    pages_n = max(1, -(-len(items) // per))
    # `first: api`: the list table stays empty until the script fills it from the API.
    api_only = mode == "js_next" and legacy["first"] == "api"
    chunk = [] if api_only else items[(page - 1) * per : page * per]
    rows = "".join(
        f'<tr><td width="20">·</td><td><a href="/xxgk/show.asp?id={it.uid}" title="{html.escape(it.title)}" target="_blank">'
        f"{html.escape(it.title if len(it.title) <= 22 else it.title[:22] + '...')}</a></td>"
        f'<td width="90">[{it.published:%Y-%m-%d}]</td></tr>'
        for it in chunk
    ) or ("" if api_only else '<tr><td colspan="3">暂无信息</td></tr>')
    sub = "".join(f'<a href="{list_url(mode, c, 1)}">{html.escape(n)}</a> ' for n, c in children)
    nav = f"共{len(items)}条 第{page}/{pages_n}页 "
    link = (
        (lambda n: list_url(mode, cid, n)) if mode != "query" else (lambda n: f"list.asp?cid={cid}&page={n}")
    )
    if api_only:
        nav = ""  # the pager is drawn by the script once the API answered
    else:
        if page > 1:
            nav += f'<a href="{link(1)}">首页</a> <a href="{link(page - 1)}">上一页</a> '
        if page < pages_n:
            following = "javascript:next()" if mode == "js_goto" else link(page + 1)
            nav += f'<a href="{following}">下一页</a> <a href="{link(pages_n)}">尾页</a>'
    nav += _pager_script(mode, legacy, cid, page, pages_n, per)
    inner = (
        f'<table width="100%"><tr><td class="lm">{html.escape(name)}</td></tr>'
        + (f'<tr><td class="sub">{sub}</td></tr>' if sub else "")
        + f'<tr><td><table class="list" id="list" width="100%">{rows}</table></td></tr><tr><td align="center">{nav}</td></tr></table>'
    )
    return _layout(portal, f"{name}-{portal.site_name}", inner, name)
