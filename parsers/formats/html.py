"""HTML reader: a detail page (or an HTML attachment) -> Document.

- Decoding: BOM, valid UTF-8, the Content-Type header, the page's meta charset (including the
  malformed `httpequiv="ContentType"` form), GB2312/GBK read as GB18030, then sniffing.
- Main text: the content element's text with data tables left out (they are read as grids by
  `parsers.formats.html_tables.read_grids`); layout tables keep their text. Not trafilatura:
  it drops paragraphs that hold only a number (tables flattened into <p> cells, seed 001's
  origin), which would lose figures, and it costs ~20x an lxml parse per page.
- Page metadata (`PageMeta`): ArticleTitle/PubDate/ColumnName meta tags, `<title>` minus the site
  suffix, the 索引号/发布机构/成文日期/公开日期 block in its many shapes, "发布时间: …" lines.
- Guangdong gkmlpt pages carry the body as a JS string in `window._CONFIG.DETAIL`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

import lxml.html
from lxml import etree

from govreports import spec
from parsers.document import Document, Grid, PageMeta
from parsers.errors import UnreadableDocument
from parsers.formats.text import charset_from_headers, decode_bytes, normalize_charset, normalize_newlines
from parsers.metadata import find_dates

_META_CHARSET = re.compile(rb"<meta[^>]{0,300}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_\-:.]+)", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# Elements whose end is a line break in the linear text used for metadata and the fallback text.
_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "br",
        "tr",
        "td",
        "th",
        "li",
        "dt",
        "dd",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "section",
        "article",
        "header",
        "footer",
        "ul",
        "ol",
        "dl",
        "form",
        "blockquote",
        "pre",
        "center",
        "title",
    ]
)
# In metadata blocks a <span>/<label> often holds just the label ("<li><span>发布机构</span>：…</li>").
_META_BLOCK_TAGS = _BLOCK_TAGS | {"span", "label", "b", "strong"}
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head"})
_DETAIL_RE = re.compile(
    r"""(?:_CONFIG\.DETAIL\s*=|["']?DETAIL["']?\s*:)\s*(?:\{[^{}]*?["']?content["']?\s*:\s*)?(["'])"""
)
_JS_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|[\s\S])")
_JS_SIMPLE = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "0": "\0",
    "\n": "",
    "\r\n": "",
}
# Descend into a child while it holds this share of its parent's text (nav, footers and side
# columns together rarely reach a quarter of a report page).
_DESCEND_SHARE = 0.75
# A table cell with more text than this is page layout, not a statistics cell.
_LONG_CELL = 150
_BOILERPLATE_TAGS = frozenset({"nav", "header", "footer", "aside", "form", "select", "button", "iframe"})
_BOILERPLATE_TOKENS = frozenset(
    [
        "nav",
        "navbar",
        "menu",
        "footer",
        "foot",
        "bottom",
        "copyright",
        "breadcrumb",
        "crumb",
        "crumbs",
        "position",
        "location",
        "share",
        "sidebar",
        "header",
        "head",
        "top",
        "topbar",
        "banner",
        "search",
        "login",
        "link",
        "links",
        "friendlink",
    ]
)
_INLINE_TAGS = frozenset(
    {"p", "span", "font", "b", "strong", "em", "i", "h1", "h2", "h3", "h4", "h5", "h6", "a", "label"}
)


# ---------------------------------------------------------------------------------- decoding


def decode_html(data: bytes, headers: Mapping[str, str] | None = None) -> str:
    meta = _META_CHARSET.search(data[:8192])
    hints = [
        charset_from_headers(headers),
        normalize_charset(meta.group(1).decode("ascii")) if meta else None,
    ]
    text, _ = decode_bytes(data, declared=hints)
    return text


def _parse(text: str) -> lxml.html.HtmlElement:
    text = _XML_DECL.sub("", text, count=1)
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise UnreadableDocument(f"HTML that cannot be parsed: {exc}") from exc
    # CMS template comments wrap values ("<!--<$[SYH]>-->01404053X/2023-00861<!--<$[SYH]>-->");
    # dropping them joins the text around them.
    etree.strip_tags(root, etree.Comment, etree.ProcessingInstruction)
    return root


# ------------------------------------------------------------------------------ linear text


def _text_len(text: str | None) -> int:
    return len(text.strip()) if text else 0


def is_layout_table(table: etree._Element) -> bool:
    """A table used for page layout (holds nested tables, paragraphs or long prose), not data."""
    if table.find(".//table") is not None:
        return True
    for cell in table.iter("td", "th"):
        if cell.find(".//p") is not None or _text_len(cell.text_content()) > _LONG_CELL:
            return True
    return False


def linear_text(root: etree._Element, *, skip_data_tables: bool = False, for_meta: bool = False) -> str:
    """The element text in document order, one line per block or cell; scripts and styles left out.

    With `skip_data_tables`, tables other than layout tables are left out (they are read as grids).
    """
    parts: list[str] = []
    skip_depth = 0
    blocks = _META_BLOCK_TAGS if for_meta else _BLOCK_TAGS
    data_tables = {t for t in root.iter("table") if not is_layout_table(t)} if skip_data_tables else set()
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        skipped = tag in _SKIP_TAGS or (data_tables and el in data_tables)
        if event == "start":
            if skipped:
                skip_depth += 1
            elif skip_depth == 0 and el.text and tag:
                parts.append(el.text)
            continue
        if skipped:
            skip_depth -= 1
        if skip_depth == 0:
            if tag in blocks:
                parts.append("\n")
            if el.tail:
                parts.append(el.tail)
    text = "".join(parts).replace("\xa0", " ")
    return re.sub(r"[ \t\u3000]*\n\s*", "\n", text)


# --------------------------------------------------------------------------------- metadata


@cache
def _label_patterns() -> dict[str, re.Pattern[str]]:
    labels = spec.labels()["page_meta_labels"]

    def alt(words: list[str]) -> str:
        words = sorted(words, key=len, reverse=True)
        return "|".join(r"[ \t\u3000]*".join(map(re.escape, w)) for w in words)

    out = {
        field: re.compile(rf"(?:{alt(words)})[ \t\u3000]*[:：]?[ \t\u3000]*")
        for field, words in labels.items()
    }
    every = [w for words in labels.values() for w in words]
    out["_any"] = re.compile(rf"(?:{alt(every)})[ \t\u3000]*[:：]?")
    return out


def _value_after(text: str, m: re.Match[str]) -> str | None:
    """The value following a label: the rest of its line, else the next line; cut at the next label."""
    rest = text[m.end() :]
    line, _, after = rest.partition("\n")
    if not line.strip():
        line = after.partition("\n")[0]
    nxt = _label_patterns()["_any"].search(line)
    if nxt:
        line = line[: nxt.start()]
    value = line.strip().strip("：:").strip()
    return value or None


def _labelled(text: str, field: str, *, want_date: bool = False) -> str | None:
    for m in _label_patterns()[field].finditer(text):
        # "生成日期" must never pass for 发布日期: the label pattern of `published` does not contain it,
        # but "发布时间" may occur in prose; only take a value that looks like one.
        if want_date:
            window = text[m.end() : m.end() + 60]
            dates = find_dates(window)
            if dates and not window[: dates[0][0]].strip(" \t\u3000\n:："):
                return window[dates[0][0] : dates[0][1]]
            continue
        value = _value_after(text, m)
        if value and len(value) <= 80:
            return value
    return None


def _meta_tag(root: etree._Element, name: str) -> str | None:
    lname = name.lower()
    for el in root.iter("meta"):
        key = (el.get("name") or el.get("property") or "").strip().lower()
        if key == lname:
            value = (el.get("content") or "").strip()
            if value:
                return value
    return None


def _strip_site_suffix(title: str) -> str:
    parts = [title]
    for sep in spec.labels()["title_separators"]:
        parts = [p for chunk in parts for p in chunk.split(sep)]
    parts = [p.strip() for p in parts if p.strip()]
    if not parts:
        return title.strip()
    for p in parts:
        if "信息公开" in p and ("报告" in p or "年报" in p or "总结" in p):
            return p
    return parts[0]


def page_meta(root: etree._Element, linear: str) -> PageMeta:
    meta = PageMeta()
    meta.title = _meta_tag(root, "ArticleTitle")
    if not meta.title:
        title_el = root.find(".//title")
        if title_el is not None and title_el.text_content().strip():
            meta.title = _strip_site_suffix(re.sub(r"\s+", " ", title_el.text_content()))
    meta.column = _meta_tag(root, "ColumnName")
    meta.published = _meta_tag(root, "PubDate") or _labelled(linear, "published", want_date=True)
    meta.written = _labelled(linear, "written", want_date=True)
    meta.publisher = _labelled(linear, "publisher")
    index_no = _labelled(linear, "index_no")
    if index_no:
        m = re.match(r"[0-9A-Za-z][0-9A-Za-z\-_/]*", index_no)
        meta.index_no = m.group(0) if m else None
    site = _meta_tag(root, "SiteName")
    if site:
        meta.extra["site_name"] = site
    return meta


# ---------------------------------------------------------------------------------- gkmlpt


def _js_unescape(body: str) -> str:
    def sub(m: re.Match[str]) -> str:
        esc = m.group(1)
        if esc in _JS_SIMPLE:
            return _JS_SIMPLE[esc]
        if esc.startswith("u{"):
            return chr(int(esc[2:-1], 16))
        if esc[0] in "ux" and len(esc) > 1:
            return chr(int(esc[1:], 16))
        return esc

    text = _JS_ESCAPE.sub(sub, body)
    # JSON-escaped surrogate pairs come out as two lone surrogates; recombine them.
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def gkmlpt_detail(html: str) -> str | None:
    """The body HTML held in `window._CONFIG.DETAIL` as a JS string literal, or None."""
    if "_CONFIG" not in html:
        return None
    m = _DETAIL_RE.search(html)
    if not m:
        return None
    quote = m.group(1)
    end = re.compile(rf"((?:[^{quote}\\]|\\[\s\S])*){quote}")
    lit = end.match(html, m.end())
    if not lit:
        return None
    body = _js_unescape(lit.group(1))
    return body if "<" in body else None


# ------------------------------------------------------------------------------------ tables


def _grids(root: etree._Element) -> list[Grid]:
    from parsers.formats.html_tables import read_grids

    return read_grids(root)


# -------------------------------------------------------------------------------- main text


def _boilerplate(el: etree._Element) -> bool:
    if el.tag in _BOILERPLATE_TAGS:
        return True
    tokens = (
        f"{el.get('class') or ''} {el.get('id') or ''}".lower().replace("-", " ").replace("_", " ").split()
    )
    return any(t in _BOILERPLATE_TOKENS for t in tokens)


def content_root(body: etree._Element) -> etree._Element:
    """The element holding the report: descend from <body> into the child that holds most of the
    text (link text and boilerplate blocks not counted) while one child holds nearly all of it.

    Data tables are leaves: a report whose tables outweigh its prose still keeps the prose.
    """
    elements = [el for el in body.iter() if isinstance(el.tag, str)]
    total: dict[etree._Element, int] = {}
    for el in reversed(elements):
        if el.tag in _SKIP_TAGS or _boilerplate(el):
            total[el] = 0
            continue
        size = 0 if el.tag == "a" else _text_len(el.text)
        for child in el:
            if isinstance(child.tag, str):
                size += total.get(child, 0)
            size += _text_len(child.tail)
        total[el] = size
    current = body
    while True:
        kids = [c for c in current if isinstance(c.tag, str)]
        if not kids or total.get(current, 0) == 0:
            return current
        best = max(kids, key=lambda c: total.get(c, 0))
        if total.get(best, 0) < _DESCEND_SHARE * total[current]:
            return current
        if best.tag == "table" and not is_layout_table(best):
            return current
        if best.tag in _INLINE_TAGS and best.find(".//p") is None and best.find(".//div") is None:
            return current
        current = best


def main_text(root: etree._Element) -> str:
    """The report's running text: the content element's text, data tables left out."""
    body = root.find(".//body")
    if body is None:
        body = root
    return normalize_newlines(linear_text(content_root(body), skip_data_tables=True)).strip("\n")


def read(data: bytes, *, headers: Mapping[str, str] | None = None) -> Document:
    html = decode_html(data, headers)
    root = _parse(html)
    linear = linear_text(root, for_meta=True)
    meta = page_meta(root, linear)
    detail = gkmlpt_detail(html)
    body_root = root
    if detail:
        detail_root = _parse(f"<html><body>{detail}</body></html>")
        if detail_root.text_content().strip():
            body_root = detail_root
    text = main_text(body_root)
    tables = _grids(body_root)
    return Document(format="html", text=text, tables=tables, meta=meta)
