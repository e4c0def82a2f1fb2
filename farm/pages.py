"""Page chrome every portal shares: home, the 信息公开 area, sibling and decoy columns, detail pages
(metadata table, report body in its rendering mode), off-site footer widgets (portals.md §1, §12.1).

Pages are built as `str`; `Portal.html()` encodes them per the portal's encoding knob, replacing
the `<!--CHARSET-->` marker with the matching declaration.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

from farm import renderers
from farm.plan import DecoyItem, ReportItem

if TYPE_CHECKING:
    from farm.portal import Portal

esc = html.escape
CHARSET = "<!--CHARSET-->"

FOOTER_WIDGETS = """
<div class="footer">
  <p>主办单位：{site} &nbsp; 网站标识码：{code}</p>
  <p><a href="https://beian.miit.gov.cn/" target="_blank">京ICP备12345678号</a>
     <a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=11010502000001" target="_blank">京公网安备 11010502000001号</a></p>
  <span id="_ideConac"><a href="https://bszs.conac.cn/sitename?method=show&id=1A2B3C" target="_blank"><img src="https://dcs.conac.cn/image/red.png" alt="党政机关"></a></span>
  <script id="_jiucuo_" sitecode="{code}" src="https://pucha.kaipuyun.cn/exposure/jiucuo.js"></script>
  <script src="https://s4.cnzz.com/z_stat.php?id=1278000000&web_id=1278000000"></script>
  <script>var _hmt = _hmt || [];(function(){{var hm=document.createElement("script");hm.src="https://hm.baidu.com/hm.js?0f0e0d0c";document.body.appendChild(hm);}})();</script>
  <link rel="stylesheet" href="https://www.gov.cn/govweb/xhtml/2016gov/_sitegray/_sitegray_d.css">
</div>"""


def shell(
    portal: Portal,
    *,
    title: str,
    body: str,
    column: str | None = None,
    article: ReportItem | DecoyItem | None = None,
    head_extra: str = "",
    chrome: bool = True,
) -> str:
    metas = [
        f'<meta name="SiteName" content="{esc(portal.site_name)}">',
        f'<meta name="SiteDomain" content="{portal.host}">',
        f'<meta name="SiteIDCode" content="{portal.site_code}">',
    ]
    if column:
        metas.append(f'<meta name="ColumnName" content="{esc(column)}">')
        metas.append(
            '<meta name="ColumnType" content="信息公开年报">'
            if "年报" in column
            else '<meta name="ColumnType" content="政务公开">'
        )
    if article is not None:
        metas.append(f'<meta name="ArticleTitle" content="{esc(article.title)}">')
        metas.append(f'<meta name="PubDate" content="{article.published.isoformat()} 09:30">')
        metas.append(f'<meta name="ContentSource" content="{esc(portal.site_name)}">')
    nav = ""
    footer = ""
    if chrome:
        nav = (
            '<div class="nav"><ul>'
            f'<li><a href="/">首页</a></li><li><a href="{portal.area_href}">政务公开</a></li>'
            '<li><a href="/xwzx/index.html">新闻中心</a></li><li><a href="/zwfw/index.html">政务服务</a></li>'
            '<li><a href="/hdjl/index.html">互动交流</a></li></ul></div>'
        )
        footer = (
            FOOTER_WIDGETS.format(site=esc(portal.site_name), code=portal.site_code) + portal.offsite_html()
        )
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        f"{CHARSET}\n<title>{esc(title)}</title>\n" + "\n".join(metas) + f"\n{head_extra}\n</head>\n<body>\n"
        f'<div class="header"><div class="logo"><a href="/">{esc(portal.site_name)}</a></div></div>\n{nav}\n'
        f'<div class="main">\n{body}\n</div>\n{footer}\n</body>\n</html>\n'
    )


def home(portal: Portal) -> str:
    body = (
        '<div class="banner"><embed src="/images/banner.swf" width="1000" height="120"></div>'
        '<div class="news"><h3>政务要闻</h3><ul>'
        f'<li><a href="/xwzx/index.html">{esc(portal.plan.region)}召开常务会议</a></li></ul></div>'
        '<div class="kuai"><ul>'
        f'<li><a href="{portal.area_href}" title="政府信息公开">政府信息公开</a></li>'
        '<li><a href="/zwfw/index.html">网上办事</a></li></ul></div>'
    )
    return shell(portal, title=portal.site_name, body=body)


def simple(portal: Portal, title: str, text: str) -> str:
    return shell(
        portal,
        title=f"{title}-{portal.site_name}",
        body=f"<h2>{esc(title)}</h2><p>{esc(text)}</p>",
        column=title,
    )


def area(portal: Portal, links: Sequence[tuple[str, str]]) -> str:
    """The 信息公开 area: 指南, 制度, 法定主动公开内容, 年报, 依申请公开, decoy siblings."""
    lis = "".join(f'<li><a href="{href}">{esc(name)}</a></li>' for name, href in links)
    body = f'<div class="xxgk-nav"><h2>政府信息公开</h2><ul class="xxgk-tree">{lis}</ul></div>'
    return shell(portal, title=f"政府信息公开-{portal.site_name}", body=body, column="政府信息公开")


def meta_table(portal: Portal, item: ReportItem | DecoyItem) -> str:
    year = item.published.year
    serial = item.uid % 100000
    publisher = item.body.name if isinstance(item, ReportItem) else portal.site_name
    return (
        '<table class="xxgk_table">'
        f"<tr><td>索 引 号：</td><td>{portal.org_code}/{year}-{serial:05d}</td><td>主题分类：</td><td>政务公开</td></tr>"
        f"<tr><td>发布机构：</td><td>{esc(publisher)}</td><td>成文日期：</td><td>{item.published.isoformat()}</td></tr>"
        f"<tr><td>公开日期：</td><td>{item.published.isoformat()}</td><td>文　　号：</td><td>—&nbsp;&nbsp;—</td></tr>"
        f'<tr><td>标　　题：</td><td colspan="3">{esc(item.title)}</td></tr>'
        "</table>"
    )


def attachment_anchor(href: str, name: str, trs: bool = False, cls: str | None = None) -> str:
    if trs:
        return (
            f'<p class="insertfileTag"><a appendix="true" data-appendix="true" needdownload="true" '
            f'href="{href}" download="{esc(name)}">{esc(name)}</a></p>'
        )
    klass = f' class="{cls}"' if cls else ""
    return f'<p>附件：<a{klass} href="{href}">{esc(name)}</a></p>'


def report_body(
    portal: Portal,
    item: ReportItem,
    attachments: Sequence[tuple[str, str]],
    *,
    trs: bool = False,
    cls: str | None = None,
) -> str:
    """Inner HTML of a report's detail page for its rendering mode."""
    record = item.served_record(portal.switches["revised"])
    if item.mode == "html":
        return renderers.report_fragment(record) + "".join(
            attachment_anchor(h, n, trs, cls) for h, n in attachments
        )
    if item.mode == "image":
        imgs = "".join(
            f'<p style="text-align:center"><img src="{h}" appendix="true" alt="{esc(item.title)}"></p>'
            for h, n in attachments
            if h.endswith(".jpg")
        )
        links = "".join(attachment_anchor(h, n, trs, cls) for h, n in attachments if not h.endswith(".jpg"))
        return f"<p>{esc(item.title)}</p>{imgs}{links}"
    if item.mode == "script":
        names = "<BR/>".join(n for _, n in attachments)
        writes = "".join(f"document.write('<a href=\"{h}\">{esc(n)}</a><br>');" for h, n in attachments)
        return (
            f"<p>现将{esc(item.record['title'])}予以公布。</p>"
            f'<script>if ("{esc(names)}" != "") {{ {writes} }}</script>'
        )
    line = f"<p>现将《{esc(item.record['title'])}》予以公布，详见附件。</p>"
    return line + "".join(attachment_anchor(h, n, trs, cls) for h, n in attachments)


def decoy_body(item: DecoyItem) -> str:
    if item.record is not None:
        return renderers.report_fragment(item.record)
    return f"<p>{esc(item.text)}</p>"


def attachment_name(item: ReportItem, fmt: str) -> str:
    ext = ext_of(fmt)
    return f"{item.record['title']}.{ext}" if fmt != "jpg" else f"{item.record['title']}-1.jpg"


def ext_of(fmt: str) -> str:
    return {"scan": "pdf"}.get(fmt, fmt)


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "wps": "application/octet-stream",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
    "ofd": "application/ofd",
    "jpg": "image/jpeg",
    "zip": "application/zip",
}
