"""Style B — Hanweb JCMS classic (portals.md §4).

Column `/col/col{C}/index.html`: the first group of records as CDATA inside a non-executed
`<script type="text/xml"><datastore>`, `param_{U}` and `jpage({...})`; more records from
`dataproxy.jsp` by POST (`?startrecord=46&endrecord=90&perpage=15` + form) or GET (`?page=N`, N the
1-based group). Groups are perPage × groupSize = 45 records; each group after the first repeats
the previous group's last record. Details `/art/YYYY/M/D/art_{C}_{id}.html` (no zero padding),
body in `div#zoom` inside the Zhejiang content markers, no `<h1>`.

The browser pager `/col/col{C}/index.html?uid={U}&pageNum={n}` embeds page n (15 records).

Knobs (profile key `hanweb`): legacy_proxy (the `/module/jslib/jquery/jpage/` path; the modern
one answers 404), split_dates, gbk_webname, first (records embedded in the page, default 45),
encrypted (columnid/unitid as opaque blobs; groups past the first answer an empty 54-byte body,
so only the browser pager reaches deep records).
"""

from __future__ import annotations

import base64
import hashlib
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
EMPTY_DEEP_GROUP = b"<datastore><recordset></recordset></datastore>".ljust(54, b" ")


def conf_of(portal: Portal) -> dict[str, Any]:
    conf = {
        "legacy_proxy": False,
        "split_dates": False,
        "gbk_webname": False,
        "first": GROUP,
        "encrypted": False,
    }
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
    blobs = {encrypt(cid): cid for cid in columns}
    for cid, (col, unit) in columns.items():
        portal.route(
            f"/col/col{cid}/index.html",
            lambda req, col=col, cid=cid, unit=unit: portal.html(
                _column_page(portal, conf, proxy, col, cid, unit, req)
            ),
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
        raw = get("columnid")
        try:
            cid = blobs.get(raw) or int(raw)
        except ValueError:
            return Response(200, b"", "text/xml; charset=utf-8")
        col, _unit = columns.get(cid, (None, 0))
        items = col.items if col is not None else []
        if get("startrecord"):
            start, end = int(get("startrecord")), int(get("endrecord") or int(get("startrecord")) + GROUP - 1)
        else:
            page = max(1, int(get("page") or 1))
            start, end = (page - 1) * GROUP + 1, page * GROUP
        if conf["encrypted"] and start > GROUP:
            # encrypted ids: deep groups come back empty; only the browser paging reaches them
            return Response(200, EMPTY_DEEP_GROUP, "text/xml; charset=utf-8")
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


def encrypt(value: int) -> str:
    """An opaque id blob as the encrypted JCMS variant prints it."""
    return base64.b64encode(hashlib.sha256(f"jcms:{value}".encode()).digest()[:18]).decode()


def _column_page(
    portal: Portal, conf: dict[str, Any], proxy: str, col: Column, cid: int, unit: int, req: Request
) -> str:
    try:
        page_num = max(1, int(req.q("pageNum") or 0))
    except ValueError:
        page_num = 1
    if req.q("pageNum"):  # the browser pager: /col/colC/index.html?uid=U&pageNum=N
        first = col.items[(page_num - 1) * PER_PAGE : page_num * PER_PAGE]
    else:
        first = col.items[: int(conf["first"])]
    col_id, unit_id = (
        (f"'{encrypt(cid)}'", f"'{encrypt(unit)}'") if conf["encrypted"] else (str(cid), f"'{unit}'")
    )
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
        f'<nextgroup><![CDATA[<a href="{proxy}?page=1&webid={WEBID}&columnid={col_id.strip(chr(39))}&unitid={unit_id.strip(chr(39))}"></a>]]></nextgroup>\n'
        f"<recordset>\n{recs}\n</recordset></datastore></script></div>\n"
        f"<script>var param_{unit} = {{col:1, webid:'{WEBID}', path:'/', columnid:{col_id}, sourceContentType:1,\n"
        f"  unitid:{unit_id}, webname:'{webname}', permissiontype:0}};\n"
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
