"""Style A — TRS WCM static pages (portals.md §3).

Column `/zwgk/zfxxgk/zfxxgknb/index.html`, pages `index_1.html` … written only by JS
(`createPageHTML(count, current, "index", "html")`, the six-argument form, or inline `countPage`),
details `./YYYYMM/tYYYYMMDD_ID.html` with `div.TRS_Editor` and its inline `<style>`, attachments
`./P0….ext` in the month directory. Pager knobs: base 0/1, ext, prefix, overstated count with
~350-byte stubs or 404s, table listing.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from farm import pages
from farm.plan import Column, DecoyItem, ReportItem
from farm.styles import common

if TYPE_CHECKING:
    from farm.portal import Portal

AREA = "/zwgk/zfxxgk/"
TRS_STYLE = "<style>.TRS_Editor P{margin-top:0;margin-bottom:0;line-height:1.5;font-family:宋体;font-size:12pt;}.TRS_Editor TABLE{font-size:12pt;}</style>"


def pager_conf(portal: Portal) -> dict[str, Any]:
    conf = {
        "js": "createPageHTML",
        "base": 0,
        "ext": "html",
        "prefix": "index",
        "per_page": 15,
        "overstate": 0,
        "stub_bytes": 0,
        "listing": "list",
    }
    conf.update(portal.conf.get("pager") or {})
    return conf


def page_name(conf: dict[str, Any], i: int) -> str:
    """File name of the 0-based page i."""
    if i == 0:
        return f"{conf['prefix']}.{conf['ext']}"
    return f"{conf['prefix']}_{i if conf['base'] == 0 else i + 1}.{conf['ext']}"


def pager_js(conf: dict[str, Any], count: int, i: int, records: int) -> str:
    current = i if conf["base"] == 0 else i + 1
    p, e = conf["prefix"], conf["ext"]
    if conf["js"] == "countPage":
        return (
            '<div id="page_div"></div><script type="text/javascript">\n'
            f"var currentPage = {current};//所在页从0开始\nvar prepage = currentPage-1;\nvar nextpage = currentPage+1;\n"
            f"var countPage = {count}//共多少页\n"
            'document.write("共"+countPage+"页&nbsp;&nbsp;");\n'
            f'if(countPage>1&&currentPage!=(countPage-1)){{document.write("<a href=\\"{p}_"+nextpage+".{e}\\">下一页</a>");}}\n'
            "</script>"
        )
    if conf["js"] == "createPageHTML6":
        return f"<div id=\"page_div\"></div><script>createPageHTML('page_div', {count}, {current}, '{p}', '{e}', {records});</script>"
    return f'<div id="page_div"></div><script>createPageHTML({count}, {current}, "{p}", "{e}");</script>'


def stub(size: int) -> str:
    head = '<html><head><title></title></head><body><div class="list"></div>'
    tail = "</body></html>"
    return head + "<!--" + " " * max(0, size - len(head) - len(tail) - 7) + "-->" + tail


def build(portal: Portal) -> None:
    conf = pager_conf(portal)
    root = AREA + ("zfxxgknb_184382/" if portal.switches["drift"] else "zfxxgknb/")
    if portal.switches["drift"]:
        portal.dead_prefixes.append(AREA + "zfxxgknb/")
    common.install_home(portal)
    siblings = common.install_siblings(portal, lambda slug: f"{AREA}{slug}/index.html")
    column_href = root + page_name(conf, 0)
    portal.area_href = AREA + "index.html"
    portal.column_href = portal.abs(column_href)
    portal.page(
        AREA + "index.html", lambda: pages.area(portal, common.area_links(portal, siblings, column_href))
    )
    _column(portal, conf, portal.plan.column, root, [])


def _column(
    portal: Portal, conf: dict[str, Any], col: Column, path: str, crumbs: list[tuple[str, str]]
) -> None:
    crumbs = [*crumbs, (col.name, path + page_name(conf, 0))]
    per = int(conf["per_page"])
    items = col.items
    count = max(1, -(-len(items) // per))
    shown = count + int(conf["overstate"])
    subnav = "".join(
        f'<a href="./{c.slug}/{page_name(conf, 0)}">{html.escape(c.name)}</a>' for c in col.children
    )
    for i in range(count):
        chunk = items[i * per : (i + 1) * per]
        portal.page(
            path + page_name(conf, i),
            lambda chunk=chunk, i=i: _list_page(
                portal, conf, col, chunk, i, shown, len(items), crumbs, subnav
            ),
        )
    if conf["stub_bytes"]:
        for i in range(count, shown):
            portal.route(path + page_name(conf, i), lambda req: portal.html(stub(int(conf["stub_bytes"]))))
    for item in items:
        rel = common.trs_id(item)
        url = path + rel
        if isinstance(item, ReportItem):
            _report_detail(portal, item, path, rel, col.name, crumbs)
        else:
            item.detail_url = portal.abs(url)
            portal.page(url, lambda d=item: common.decoy_page(portal, d, col.name))
    for child in col.children:
        _column(portal, conf, child, path + child.slug + "/", crumbs)


def _list_page(
    portal: Portal,
    conf: dict[str, Any],
    col: Column,
    chunk: list[ReportItem | DecoyItem],
    i: int,
    shown: int,
    total: int,
    crumbs: list[tuple[str, str]],
    subnav: str,
) -> str:
    crumb = " &gt; ".join(f'<a class="CurrChnlCls" href="{h}">{html.escape(n)}</a>' for n, h in crumbs)
    if conf["listing"] == "table":
        rows = "".join(
            f'<tr><td><img src="/images/dot.gif"></td><td><a href="./{common.trs_id(it)}" title="{html.escape(it.title)}" target="_blank">'
            f"{html.escape(common.truncate(it.title))}</a></td><td>{it.published.isoformat()}</td></tr>"
            for it in chunk
        )
        listing = f'<table class="gl_list" width="100%">{rows}</table>'
    else:
        listing = (
            '<ul class="list">'
            + "".join(common.li("./" + common.trs_id(it), it.title, it.published) for it in chunk)
            + "</ul>"
        )
    sub = f'<div class="subnav">{subnav}</div>' if subnav else ""
    body = f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; {crumb}</div>{sub}{listing}{pager_js(conf, shown, i, total)}'
    return pages.shell(portal, title=f"{col.name}-{portal.site_name}", body=body, column=col.name)


def _report_detail(
    portal: Portal, item: ReportItem, path: str, rel: str, column: str, crumbs: list[tuple[str, str]]
) -> None:
    month_dir = path + rel.split("/")[0] + "/"
    item.detail_url = portal.abs(path + rel)
    links: list[tuple[str, str]] = []
    for n, kind in enumerate(portal.attachment_kinds(item)):
        stem = ("W0" if kind == "jpg" else "P0") + f"{item.published:%Y%m%d}{item.uid:06d}{n:06d}"
        fname = f"{stem}.{portal.kind_ext(kind)}"
        name = portal.serve_kind(month_dir + fname, item, kind)
        links.append(("./" + fname, name))

    def render() -> str:
        crumb = " &gt; ".join(f'<a class="CurrChnlCls" href="{h}">{html.escape(n)}</a>' for n, h in crumbs)
        inner = pages.report_body(portal, item, links, trs=True)
        body = (
            f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; {crumb}</div>{pages.meta_table(portal, item)}'
            f'<div class="title"><h1>{html.escape(item.title)}</h1></div>'
            f'<div class="info">发布时间：{item.published.isoformat()} 来源：{html.escape(item.body.name)}</div>'
            f'<div class="TRS_Editor">{TRS_STYLE}{inner}</div>'
        )
        return pages.shell(
            portal, title=f"{item.title}-{portal.site_name}", body=body, column=column, article=item
        )

    portal.page(path + rel, render)
