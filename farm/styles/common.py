"""Pieces several styles share: the home page, the 信息公开 area with its sibling columns (指南,
制度, 法定主动公开内容, 依申请公开) and decoy columns (wzndbb, zfgzbg, 解读), list-item markup."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from farm import knobs, pages
from farm.plan import DecoyItem, ReportItem

if TYPE_CHECKING:
    from farm.portal import Portal

SIBLINGS = (  # slug, name, kind
    ("zfxxgkzn", "政府信息公开指南", "page"),
    ("zfxxgkzd", "政府信息公开制度", "page"),
    ("fdzdgknr", "法定主动公开内容", "page"),
    ("ysqgk", "依申请公开", "page"),
    ("wzndbb", "政府网站工作年度报表", "decoys"),
    ("zfgzbg", "政府工作报告", "decoys"),
    ("jd", "政策解读", "decoys"),
)


def trs_id(item: ReportItem | DecoyItem) -> str:
    d = item.published
    return f"{d:%Y%m}/t{d:%Y%m%d}_{4000000 + item.uid}.html"


def truncate(title: str, n: int = 20) -> str:
    return title if len(title) <= n else title[:n] + "…"


def li(href: str, title: str, when: date, *, truncate_at: int = 20) -> str:
    return (
        f'<li><a href="{href}" title="{html.escape(title)}" target="_blank">{html.escape(truncate(title, truncate_at))}</a>'
        f"<span>{when.isoformat()}</span></li>"
    )


def install_home(portal: Portal) -> None:
    portal.page("/", lambda: pages.home(portal))
    portal.page("/index.html", lambda: pages.home(portal))
    install_nav_pages(portal)


def install_nav_pages(portal: Portal) -> None:
    """The columns the shared page chrome (`pages.shell`'s nav bar) links to."""
    for path, name in (
        ("/xwzx/index.html", "新闻中心"),
        ("/zwfw/index.html", "政务服务"),
        ("/hdjl/index.html", "互动交流"),
    ):
        portal.page(path, lambda name=name: pages.simple(portal, name, f"{name}栏目。"))


def install_siblings(portal: Portal, href_of: Callable[[str], str]) -> list[tuple[str, str]]:
    """Static sibling columns under `href_of(slug)` (a column's index URL); decoy lists get detail
    pages in the TRS scheme next to their index. Returns (name, href) for the area page."""
    links: list[tuple[str, str]] = []
    for slug, name, kind in SIBLINGS:
        href = href_of(slug)
        links.append((name, href))
        if kind == "page":
            portal.page(href, lambda name=name: pages.simple(portal, name, f"{portal.site_name}{name}。"))
            continue
        base = href.rsplit("/", 1)[0] + "/"
        items = portal.plan.sibling_decoys.get(slug, [])
        for d in items:
            d.detail_url = portal.abs(base + trs_id(d))
            portal.page(base + trs_id(d), lambda d=d, name=name: decoy_page(portal, d, name))
        lis = "".join(li("./" + trs_id(d), d.title, d.published) for d in items)
        portal.page(
            href,
            lambda name=name, lis=lis: pages.shell(
                portal,
                title=f"{name}-{portal.site_name}",
                body=f'<h2>{name}</h2><ul class="list">{lis}</ul>',
                column=name,
            ),
        )
    return links


def decoy_page(portal: Portal, d: DecoyItem, column: str) -> str:
    body = f'<h1 class="title">{html.escape(d.title)}</h1>{pages.meta_table(portal, d)}<div id="zoom">{pages.decoy_body(d)}</div>'
    return pages.shell(portal, title=f"{d.title}-{portal.site_name}", body=body, column=column, article=d)


def area_links(portal: Portal, siblings: list[tuple[str, str]], column_href: str) -> list[tuple[str, str]]:
    """Area order: 指南, 制度, 法定主动公开内容, 年报, 依申请公开, then decoys and knob links."""
    out = [*siblings[:3], ("政府信息公开年报", column_href), *siblings[3:]]
    return out + knobs.knob_links(portal)


def all_sibling_decoys(portal: Portal) -> list[DecoyItem]:
    return [d for items in portal.plan.sibling_decoys.values() for d in items]
