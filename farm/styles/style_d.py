"""Style D — Guangdong `gkmlpt` (portals.md §6).

`/gkmlpt/index` is a Vue shell configured by `window._CONFIG = {SID, TREE}`; `/gkmlpt/annualreport`
the same shell for the report route (`#cat`). The list API `/gkmlpt/api/all/{cat}?page=N&sid=SID`
gives 100 articles a page, page 0 = page 1, 404 past the last page. Details
`/gkmlpt/content/{a}/{b}/post_{id}.html` carry the eight-field table, `h1.content-title`,
`div.content`, and the body again as a JSON-escaped JS string in `window._CONFIG.DETAIL.content`;
attachments `/attachment/0/x/y/ID.ext` as `a.nfw-cms-attachment`.
"""

from __future__ import annotations

import html
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from farm import pages
from farm.plan import Column, DecoyItem, ReportItem
from farm.server import Request, Response
from farm.styles.common import SIBLINGS

if TYPE_CHECKING:
    from farm.portal import Portal

SID = "755041"
ROOT_CAT, DRIFT_CAT = 2629, 2699
PER_PAGE = 100


def post_id(item: ReportItem | DecoyItem) -> int:
    return 9100000 + item.uid


def post_path(item: ReportItem | DecoyItem) -> str:
    pid = post_id(item)
    return f"/gkmlpt/content/{pid // 1000000}/{pid // 1000}/post_{pid}.html"


def js_string(text: str) -> str:
    """A JS string literal the way the CMS writes it: \\uXXXX for non-ASCII, escaped slashes."""
    return json.dumps(text, ensure_ascii=True).replace("/", "\\/")


def build(portal: Portal) -> None:
    root_cat = DRIFT_CAT if portal.switches["drift"] else ROOT_CAT
    cats: dict[int, tuple[str, list[ReportItem | DecoyItem]]] = {}
    tree: list[dict[str, Any]] = []

    def node(col: Column, cat: int) -> dict[str, Any]:
        col.cid = cat
        cats[cat] = (col.name, col.items)
        children = [node(child, cat + 1 + n) for n, child in enumerate(col.children)]
        return {"id": cat, "name": col.name, "post_count": len(col.items), "children": children}

    # 指南 etc. are plain categories; the decoy columns are categories with posts
    for n, (slug, name, kind) in enumerate(SIBLINGS):
        cat = 2600 + n
        items = list(portal.plan.sibling_decoys.get(slug, [])) if kind == "decoys" else []
        cats[cat] = (name, items)
        tree.append({"id": cat, "name": name, "post_count": len(items), "children": []})
        if n == 2:
            tree.append(node(portal.plan.column, root_cat))
    portal.area_href = "/gkmlpt/index"
    portal.column_href = portal.abs(f"/gkmlpt/annualreport#{root_cat}")
    portal.extra_truth["gkmlpt"] = {
        "sid": SID,
        "report_cat": root_cat,
        "api": f"{portal.base}/gkmlpt/api/all/{root_cat}?page=1&sid={SID}",
    }

    from farm.styles import common

    common.install_home(portal)
    config = {"SID": SID, "SITE_NAME": portal.site_name, "TREE": tree, "ANNUALREPORT": root_cat}
    shell = lambda: _shell(portal, config)  # noqa: E731
    portal.page("/gkmlpt/index", shell)
    portal.page("/gkmlpt/annualreport", shell)
    portal.route(
        "/gkmlpt/static/js/app.js", lambda req: Response(200, b"/* vue app */", "application/javascript")
    )

    for cat, (name, items) in cats.items():
        for item in items:
            item.detail_url = portal.abs(post_path(item))
            _detail(portal, item, name)
        portal.route(f"/gkmlpt/api/all/{cat}", lambda req, cat=cat: _api(portal, req, cat, cats[cat]))


def _article(portal: Portal, item: ReportItem | DecoyItem) -> dict[str, Any]:
    pub = item.published.isoformat()
    stamp = int(datetime(item.published.year, item.published.month, item.published.day, 10, 12).timestamp())
    publisher = item.body.name if isinstance(item, ReportItem) else portal.site_name
    atts = []
    if isinstance(item, ReportItem):
        atts = [{"name": u.rsplit("/", 1)[1], "url": u} for u in item.attachment_urls]
    return {
        "id": post_id(item),
        "title": item.title,
        "url": portal.abs(post_path(item)),
        "post_url": portal.abs(post_path(item)),
        "created_at": f"{pub} 10:12:00",
        "date": pub,
        "create_time": stamp,
        "display_publish_time": stamp,
        "identifier": f"{portal.org_code[:9]}/{item.published.year}-{item.uid % 100000:05d}",
        "publisher": publisher,
        "document_number": "",
        "keywords": "",
        "abstract": "",
        "is_expired": 0,
        "is_abolished": 0,
        "attachment": atts,
    }


def _api(portal: Portal, req: Request, cat: int, entry: tuple[str, list[ReportItem | DecoyItem]]) -> Response:
    name, items = entry
    if req.q("sid", SID) != SID:
        return Response(200, b'{"classify":null,"articles":[]}', "application/json")
    try:
        page = max(1, int(req.q("page", "1") or 1))  # page 0 is page 1
    except ValueError:
        page = 1
    last = max(1, -(-len(items) // PER_PAGE))
    if page > last:
        return Response(404, b'{"code":404}', "application/json")
    chunk = items[(page - 1) * PER_PAGE : page * PER_PAGE]
    body = {
        "classify": {"id": cat, "name": name, "post_count": len(items)},
        "articles": [_article(portal, it) for it in chunk],
        "total": len(items),
    }
    return Response(
        200, json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json;charset=utf-8"
    )


def _shell(portal: Portal, config: dict[str, Any], detail: str = "") -> str:
    head = f"<script>window._CONFIG = {json.dumps(config, ensure_ascii=False)};{detail}</script>"
    body = '<div id="app"></div><script src="/gkmlpt/static/js/app.js"></script>'
    return pages.shell(
        portal, title=f"政府信息公开-{portal.site_name}", body=body, column="政府信息公开", head_extra=head
    )


def _detail(portal: Portal, item: ReportItem | DecoyItem, column: str) -> None:
    links: list[tuple[str, str]] = []
    if isinstance(item, ReportItem):
        for n, kind in enumerate(portal.attachment_kinds(item)):
            aid = 963000 + item.uid * 10 + n
            fpath = f"/attachment/0/{aid // 10000}/{aid // 100}/{aid}.{portal.kind_ext(kind)}"
            name = portal.serve_kind(fpath, item, kind)
            links.append((fpath, name))

    def render() -> str:
        if isinstance(item, ReportItem):
            inner = pages.report_body(portal, item, links, cls="nfw-cms-attachment")
        else:
            inner = pages.decoy_body(item)
        pub = item.published.isoformat()
        publisher = item.body.name if isinstance(item, ReportItem) else portal.site_name
        fields = (
            ("索引号", f"{portal.org_code[:9]}/{item.published.year}-{item.uid % 100000:05d}"),
            ("分类", column),
            ("发布机构", publisher),
            ("成文日期", pub),
            ("名称", item.title),
            ("文号", ""),
            ("发布日期", pub),
            ("主题词", ""),
        )
        rows = "".join(f"<tr><th>{k}：</th><td>{html.escape(v)}</td></tr>" for k, v in fields)
        detail = f"window._CONFIG.DETAIL = {{id: {post_id(item)}, title: {js_string(item.title)}, content: {js_string(inner)}}};"
        head = f"<script>window._CONFIG = {{SID: '{SID}'}};{detail}</script>"
        body = (
            f'<div class="content-page"><table class="introduce">{rows}</table>'
            f'<h1 class="content-title">{html.escape(item.title)}</h1><div class="content">{inner}</div></div>'
        )
        return pages.shell(
            portal,
            title=f"{item.title}-{portal.site_name}",
            body=body,
            column=column,
            article=item,
            head_extra=head,
        )

    portal.page(post_path(item), render)
