"""Style E — a legacy query-string county site (portals.md §7).

GBK pages declared gb2312 (with GBK-only characters in names), table layout, an iframe, a
`<form>` inside a `<tr>`, IE-only JS; lists `/xxgk/list.asp?cid=N&page=N` (1-based, 15 a page; profile `legacy: {list: numbered}` serves
them as `/xxgk/col{N}/{n}.html`, `{list: js_next}` pages by `javascript:next(N)` backed by a POST
JSON API `/xxgk/listData.asp`);
details `/xxgk/show.asp?id=N`; reports only as .doc/.wps/.pdf attachments on a sibling host (the
"xxgk." subdomain, another 127.0.0.x) linked absolutely.
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING

from farm import knobs, pages
from farm.plan import Column, DecoyItem, ReportItem
from farm.server import Request, Response
from farm.styles.common import SIBLINGS

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
    mode = (portal.conf.get("legacy") or {}).get("list", "query")
    per = int((portal.conf.get("pager") or {}).get("per_page", PER_PAGE))
    portal.column_href = portal.abs(list_url(mode, root_cid, 1))

    home = lambda: _layout(  # noqa: E731
        portal,
        portal.site_name,
        '<table><tr><td><a href="/xxgk/index.asp"><img src="/images/xxgk.gif" alt="政府信息公开">政府信息公开</a></td>'
        '<td><embed src="/images/top.swf"></td></tr></table>',
    )
    portal.page("/", home)
    portal.page("/index.asp", home)

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
        return portal.html(_list(portal, cid, col.name, col.items, page, children_of(col), mode, per))

    def children_of(col: Column) -> list[tuple[str, int]]:
        return [(c.name, c.cid) for c in col.children]

    def numbered(req: Request, cid: int, page: int) -> Response:
        col = cids[cid]
        return portal.html(_list(portal, cid, col.name, col.items, page, children_of(col), mode, per))

    def list_data(req: Request) -> Response:
        """The POST JSON behind `javascript:next(N)`."""
        form = req.form()
        try:
            col = cids[int((form.get("cid") or ["0"])[0])]
            page = max(1, int((form.get("page") or ["1"])[0]))
        except (KeyError, ValueError):
            return Response(200, b'{"total":0,"list":[]}', "application/json; charset=gbk")
        chunk = col.items[(page - 1) * per : page * per]
        data = {
            "total": len(col.items),
            "pages": max(1, -(-len(col.items) // per)),
            "list": [
                {"title": it.title, "url": f"/xxgk/show.asp?id={it.uid}", "date": it.published.isoformat()}
                for it in chunk
            ],
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


def list_url(mode: str, cid: int, page: int) -> str:
    if mode == "numbered":
        return f"/xxgk/col{cid}/{page}.html"
    if mode == "js_next" and page > 1:
        return f"javascript:next({page})"
    return f"/xxgk/list.asp?cid={cid}" + (f"&page={page}" if page > 1 else "")


def _list(
    portal: Portal,
    cid: int,
    name: str,
    items: list,
    page: int,
    children: list[tuple[str, int]],
    mode: str = "query",
    per: int = PER_PAGE,
) -> str:
    pages_n = max(1, -(-len(items) // per))
    chunk = items[(page - 1) * per : page * per]
    rows = (
        "".join(
            f'<tr><td width="20">·</td><td><a href="/xxgk/show.asp?id={it.uid}" title="{html.escape(it.title)}" target="_blank">'
            f"{html.escape(it.title if len(it.title) <= 22 else it.title[:22] + '...')}</a></td>"
            f'<td width="90">[{it.published:%Y-%m-%d}]</td></tr>'
            for it in chunk
        )
        or '<tr><td colspan="3">暂无信息</td></tr>'
    )
    sub = "".join(f'<a href="{list_url(mode, c, 1)}">{html.escape(n)}</a> ' for n, c in children)
    nav = f"共{len(items)}条 第{page}/{pages_n}页 "
    link = (
        (lambda n: list_url(mode, cid, n)) if mode != "query" else (lambda n: f"list.asp?cid={cid}&page={n}")
    )
    if page > 1:
        nav += f'<a href="{link(1)}">首页</a> <a href="{link(page - 1)}">上一页</a> '
    if page < pages_n:
        nav += f'<a href="{link(page + 1)}">下一页</a> <a href="{link(pages_n)}">尾页</a>'
    if mode == "js_next":
        nav += (
            f"<script>function next(n){{$.post('/xxgk/listData.asp',{{cid:{cid},page:n}},"
            "function(d){render(d.list);},'json');}</script>"
        )
    inner = (
        f'<table width="100%"><tr><td class="lm">{html.escape(name)}</td></tr>'
        + (f'<tr><td class="sub">{sub}</td></tr>' if sub else "")
        + f'<tr><td><table class="list" width="100%">{rows}</table></td></tr><tr><td align="center">{nav}</td></tr></table>'
    )
    return _layout(portal, f"{name}-{portal.site_name}", inner, name)
