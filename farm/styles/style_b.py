"""Style B — Hanweb JCMS classic (portals.md §4).

Column `/col/col{C}/index.html`: the first group of records as CDATA inside a non-executed
`<script type="text/xml"><datastore>`, `param_{U}` and `jpage({...})`; more records from
`dataproxy.jsp` by POST (`?startrecord=46&endrecord=90&perpage=15` + form) or GET (`?page=N`, N the
1-based group). Groups are perPage × groupSize = 45 records; each group after the first repeats
the previous group's last record. Details `/art/YYYY/M/D/art_{C}_{id}.html` (no zero padding),
body in `div#zoom` inside the Zhejiang content markers, no `<h1>`.

Knobs (profile key `hanweb`): legacy_proxy (the `/module/jslib/jquery/jpage/` path; the modern
one answers 404), split_dates, gbk_webname, first (records embedded in the page, default 45).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from farm import pages
from farm.plan import Column, DecoyItem, ReportItem
from farm.server import Request, Response
from farm.styles import common

if TYPE_CHECKING:
    from farm.portal import Portal

WEBID = "12"
AREA_COL = 1229000000
ROOT_COL, DRIFT_COL = 1229000001, 1229000777
PER_PAGE, GROUP_SIZE = 15, 3
GROUP = PER_PAGE * GROUP_SIZE
PROXY = "/module/web/jpage/dataproxy.jsp"
LEGACY_PROXY = "/module/jslib/jquery/jpage/dataproxy.jsp"


def conf_of(portal: Portal) -> dict[str, Any]:
    conf = {"legacy_proxy": False, "split_dates": False, "gbk_webname": False, "first": GROUP}
    conf.update(portal.conf.get("hanweb") or {})
    return conf


def art_path(col: int, item: ReportItem | DecoyItem) -> str:
    d = item.published
    return f"/art/{d.year}/{d.month}/{d.day}/art_{col}_{3900000 + item.uid}.html"


def record_li(col: int, item: ReportItem | DecoyItem, split_dates: bool) -> str:
    when = item.published.isoformat()
    if split_dates:
        y, m, d = when.split("-")
        when = f"\n {y}-\n {m}-\n {d}\n"
    return (
        f'<li><a href="{art_path(col, item)}" title="{html.escape(item.title)}" target="_blank">'
        f"{html.escape(common.truncate(item.title, 22))}</a><span>{when}</span></li>"
    )


def build(portal: Portal) -> None:
    conf = conf_of(portal)
    proxy = LEGACY_PROXY if conf["legacy_proxy"] else PROXY
    root_col = DRIFT_COL if portal.switches["drift"] else ROOT_COL
    common.install_home(portal)
    siblings = common.install_siblings(
        portal,
        lambda slug: f"/col/col{AREA_COL + 10 + [s for s, _, _ in common.SIBLINGS].index(slug)}/index.html",
    )
    column_href = f"/col/col{root_col}/index.html"
    portal.area_href = f"/col/col{AREA_COL}/index.html"
    portal.column_href = portal.abs(column_href)
    portal.page(
        portal.area_href, lambda: pages.area(portal, common.area_links(portal, siblings, column_href))
    )

    columns: dict[int, tuple[Column, int]] = {}  # columnid -> (column, unitid)

    def assign(col: Column, cid: int) -> None:
        col.cid = cid
        columns[cid] = (col, 7000000 + cid % 100000)
        for n, child in enumerate(col.children):
            assign(child, cid + 100 + n)

    assign(portal.plan.column, root_col)
    for cid, (col, unit) in columns.items():
        portal.page(
            f"/col/col{cid}/index.html",
            lambda col=col, cid=cid, unit=unit: _column_page(portal, conf, proxy, col, cid, unit),
        )
        for item in col.items:
            path = art_path(cid, item)
            item.detail_url = portal.abs(path)
            if isinstance(item, ReportItem):
                _report_detail(portal, item, path, col.name)
            else:
                portal.page(path, lambda d=item, name=col.name: common.decoy_page(portal, d, name))

    def dataproxy(req: Request) -> Response:
        params = dict(req.query)
        if req.method == "POST":
            params.update(req.form())
        get = lambda k: (params.get(k) or [""])[0]  # noqa: E731
        try:
            cid = int(get("columnid"))
        except ValueError:
            return Response(200, b"", "text/xml; charset=utf-8")
        col, _unit = columns.get(cid, (None, 0))
        items = col.items if col is not None else []
        if get("startrecord"):
            start, end = int(get("startrecord")), int(get("endrecord") or int(get("startrecord")) + GROUP - 1)
        else:
            page = max(1, int(get("page") or 1))
            start, end = (page - 1) * GROUP + 1, page * GROUP
        lo = max(0, start - 2) if start > 1 else 0  # the overlap record of the previous group
        rows = items[lo:end] if start <= len(items) else []
        recs = "".join(
            f"<record><![CDATA[{record_li(cid, it, conf['split_dates'])}]]></record>" for it in rows
        )
        total = len(items)
        body = (
            f"<datastore><totalrecord>{total}</totalrecord><totalpage>{max(1, -(-total // PER_PAGE))}</totalpage>"
            f"<recordset>{recs}</recordset></datastore>"
        )
        return Response(200, body.encode("utf-8"), "text/xml; charset=utf-8")

    portal.route(proxy, dataproxy)


def _column_page(portal: Portal, conf: dict[str, Any], proxy: str, col: Column, cid: int, unit: int) -> str:
    first = col.items[: int(conf["first"])]
    recs = "\n".join(
        f"<record><![CDATA[{record_li(cid, it, conf['split_dates'])}]]></record>" for it in first
    )
    webname = quote(portal.site_name, encoding="gbk") if conf["gbk_webname"] else portal.site_name
    sub = "".join(
        f'<li><a href="/col/col{c.cid}/index.html">{html.escape(c.name)}</a></li>' for c in col.children
    )
    body = (
        f'<div class="bt-position">当前位置：<a href="/">首页</a> &gt; <a href="{portal.area_href}">政府信息公开</a> &gt; {html.escape(col.name)}</div>'
        + (f'<ul class="sub-col">{sub}</ul>' if sub else "")
        + f'<div id="{unit}"><script type="text/xml"><datastore>\n'
        f'<nextgroup><![CDATA[<a href="{proxy}?page=1&webid={WEBID}&columnid={cid}&unitid={unit}"></a>]]></nextgroup>\n'
        f"<recordset>\n{recs}\n</recordset></datastore></script></div>\n"
        f"<script>var param_{unit} = {{col:1, webid:'{WEBID}', path:'/', columnid:{cid}, sourceContentType:1,\n"
        f"  unitid:'{unit}', webname:'{webname}', permissiontype:0}};\n"
        f"jpage({{totalRecord:{len(col.items)}, perPage:{PER_PAGE}, groupSize:{GROUP_SIZE}, proxyUrl:'{proxy}', ajaxParam:param_{unit}}});</script>"
    )
    return pages.shell(portal, title=f"{col.name}_{portal.site_name}", body=body, column=col.name)


def _report_detail(portal: Portal, item: ReportItem, path: str, column: str) -> None:
    links: list[tuple[str, str]] = []
    for n, kind in enumerate(portal.attachment_kinds(item)):
        fpath = f"/picture/0/{item.published:%y%m%d}{item.uid:06d}{n}.{portal.kind_ext(kind)}"
        name = portal.serve_kind(fpath, item, kind)
        links.append((fpath, name))

    def render() -> str:
        inner = pages.report_body(portal, item, links)
        body = (
            f"{pages.meta_table(portal, item)}"
            f'<div class="main-txt" id="zoom"><!--<$[信息内容]>begin--><!--ZJEG_RSS.content.begin--><META name=ContentStart>'
            f"{inner}<META name=ContentEnd><!--ZJEG_RSS.content.end--><!--<$[信息内容]>end--></div>"
        )
        return pages.shell(
            portal, title=f"{item.title}_{column}_{portal.site_name}", body=body, column=column, article=item
        )

    portal.page(path, render)
