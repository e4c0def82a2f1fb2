"""Detail pages: attachments (also script-written), metadata table, encodings, JS literals."""

from __future__ import annotations

import codecs

from crawler import encoding, jsobj, pages

HOST = "http://127.0.0.11"


def test_detail_attachments_include_script_written_links_and_scans(page) -> None:
    url = f"{HOST}/zwgk/zfxxgknb/202401/t20240125_4123456.html"
    resp = page("trs_detail.html", url)
    found = pages.attachments(resp.selector, url, pages.visible_text(resp.selector))
    base = f"{HOST}/zwgk/zfxxgknb/202401/"
    assert base + "P020240125123456789012.pdf" in found
    assert base + "P020240125123456789013.docx" in found  # written by document.write
    assert base + "W020240125000001.jpg" in found
    # Off-site links are found here too; the spider drops them by host (PortalState.allows).
    assert "https://pucha.kaipuyun.cn/x.pdf" in found


def test_page_meta_reads_the_metadata_table(page) -> None:
    resp = page("trs_detail.html", f"{HOST}/a/t20240125_1.html")
    meta = pages.page_meta(resp.selector)
    assert meta.title == "某某镇2023年政府信息公开工作年度报告"
    assert meta.published == "2024-01-25 09:30"
    assert meta.index_no == "11330123MB1234567X/2024-00012"
    assert meta.publisher == "某某镇人民政府"
    assert meta.written == "2024-01-16"
    assert meta.extra["site_name"] == "某某县人民政府"


def test_encoding_detection() -> None:
    text = "<html><head>{}</head><body>朱镕基 政府信息公开</body></html>"
    gbk = text.format('<meta charset="gb2312">').encode("gbk")
    assert encoding.detect(gbk, "text/html; charset=gb2312") == "gb18030"
    assert encoding.detect(gbk, "text/html") == "gb18030"
    malformed = text.format('<meta httpequiv="ContentType" content="text/html; charset=gbk">').encode("gbk")
    assert encoding.detect(malformed, None) == "gb18030"
    assert encoding.detect(gbk, "text/html; charset=ISO-8859-1") == "gb18030"  # untrusted label
    assert encoding.detect(codecs.BOM_UTF8 + text.encode(), "text/html") == "utf-8-sig"
    assert encoding.detect(text.encode(), None) == "utf-8"


def test_js_literals() -> None:
    conf = jsobj.find_literal(
        "window._CONFIG = {SID: '7', TREE: [{id: 1, name: '年报', children: [],},], f: a.b(1, 2), s: \"x\\u4e2d\"}",
        r"window\._CONFIG\s*=",
    )
    assert conf == {
        "SID": "7",
        "TREE": [{"id": 1, "name": "年报", "children": []}],
        "f": "a.b(1, 2)",
        "s": "x中",
    }
    assert jsobj.parse("{'webId':'2945'}") == {"webId": "2945"}
    assert jsobj.js_string('<p>\\u4e00\\"q\\"</p>') == '<p>一"q"</p>'
    html = "<script>window._CONFIG = {DETAIL: '<p>\\u672c\\u5217\\u6570\\u636e\\u7684\\u52fe\\u7a3d\\u5173\\u7cfb</p>'};</script>"
    assert pages.embedded_detail(html) == "本列数据的勾稽关系"


def test_visible_texts_are_the_text_xpath_nodes(page) -> None:
    """texts() evaluates TEXT_XPATH as a set difference; the nodes and their order are the XPath's."""
    from lxml import etree
    from parsel import Selector

    plain = etree.XPath(pages.TEXT_XPATH, smart_strings=False)
    tricky = (
        "<html><head><style>h1{}</style><title>t</title><script>var h='<b>x</b>';</script></head>"
        "<body>lead<script>document.write('<p>w</p>')</script>tail<div>a<style>p{}</style>b"
        "<noscript>ns</noscript><!-- c -->c<svg><script>s</script><text>svg</text></svg></div>"
        "<p>访问<b>异常</b></p><script src='x.js'></script>end</body></html>"
    )
    found = pages.texts(Selector(text=tricky))
    assert found == plain(Selector(text=tricky).root)
    assert "tail" in found and "ns" in found and not any("<b>" in t or "{}" in t for t in found)
    # An XML tree, where a script may hold elements: their text is left out too.
    xml = Selector(text="<r><body>k<script><i>hid</i></script><b>shown</b></body></r>", type="xml")
    assert pages.texts(xml) == plain(xml.root) == ["k", "shown"]
    for name in ("trs_detail.html", "trs_list.html", "gbk_legacy_list.html", "hanweb_column.html"):
        sel = page(name, f"{HOST}/a/index.html").selector
        assert pages.texts(sel) == plain(sel.root) != []


def test_inline_scripts_are_the_xpath_texts(page) -> None:
    from lxml import etree
    from parsel import Selector

    plain = etree.XPath("//script[not(@src)]/text()", smart_strings=False)
    big = "var a = '" + "x" * 300_000 + "';"  # libxml2 reads long content in chunks
    html = (
        "<html><head><script>var h = '<b>x</b>'; /* </p> */</script><script src='a.js'></script>"
        f"</head><body><script></script><script><!-- document.write('<a href=\"f.pdf\">') --></script>"
        f"<p>t</p><script type='text/template'><div>{{{{x}}}}</div></script><script>{big}</script></body></html>"
    )
    sel = Selector(text=html)
    assert pages.inline_scripts(sel) == plain(sel.root)
    assert len(pages.inline_scripts(sel)) == 4 and pages.inline_scripts(sel)[-1] == big
    xml = Selector(text="<r><script>a<i>b</i>c</script><script src='s'>d</script></r>", type="xml")
    assert pages.inline_scripts(xml) == plain(xml.root) == ["a", "c"]
    for name in ("trs_detail.html", "gkmlpt_index.html", "jpaas_column.html", "hanweb_column.html"):
        sel = page(name, f"{HOST}/a/index.html").selector
        assert pages.inline_scripts(sel) == plain(sel.root)
