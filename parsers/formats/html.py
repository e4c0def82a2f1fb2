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
- Fallbacks, off the fast path: markup libxml2 refuses is re-read through BeautifulSoup
  (`lxml.html.soupparser`); a page without government meta tags gets its title and release date
  from trafilatura's markup-only metadata (no date guessing from the text); a page whose content
  element holds almost no text gets trafilatura's main-text extraction.
"""

from __future__ import annotations

import html as html_lib
import re
import secrets
import threading
from collections.abc import Mapping
from functools import cache, lru_cache

import lxml.html
from lxml import etree

from govreports import spec
from parsers.document import Document, Grid, PageMeta
from parsers.errors import UnreadableDocument
from parsers.formats.html_tables import GRID_CELL_TEMPLATES, GRID_ROOT_XSLT, grids_from_flat, numbered_grids
from parsers.formats.text import charset_from_headers, decode_bytes, normalize_charset, normalize_newlines
from parsers.metadata import find_dates

_META_CHARSET = re.compile(rb"<meta[^>]{0,300}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_\-:.]+)", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# Decoded texts whose codec libxml2 also knows: the bytes are parsed directly (no re-encoding).
_BYTE_CODECS = {"utf-8": "utf-8", "gb18030": "gb18030"}
_INVISIBLE_TAGS = ("script", "style", "noscript", "template", "head", "textarea", "select", "option")
# Marks a block edge while whitespace is collapsed; becomes a line break afterwards.
_BREAK = "\ue000"  # private use: never in real text, allowed in XML
# Start and end of a table's text (noncharacters, as html_tables' marks: never in page text).
_TABLE_START, _TABLE_END = "\ufdd4", "\ufdd5"
# A table mark and its ordinal, with the newline after them (the line start is checked apart:
# a lookbehind would cost the regex its fast scan for the first character).
_MARK_LINE = re.compile(f"([{_TABLE_START}{_TABLE_END}])([0-9]+)(?:\n|\\Z)")
# Line boundaries of str.splitlines() besides \n (\r, \v, \f are collapsed before).
_OTHER_LINE_BREAKS = "\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_WS_RUN = re.compile(r"[ \t\r\n\f\v]+")
# The runs _WS_RUN changes: a lone space is left as it is (markup is full of them). It opens with
# a character class, which sre scans for; an alternation of two would be tried at every character.
_WS_CHANGE = re.compile(r"[ \t\r\n\f\v](?:(?<= )[ \t\r\n\f\v]+|(?<! )[ \t\r\n\f\v]*)")
_BLOCK_TAGS = (
    "p", "div", "br", "tr", "td", "th", "li", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "table",
    "caption", "section", "article", "header", "footer", "nav", "aside", "main", "ul", "ol", "dl", "form",
    "blockquote", "pre", "center", "title", "hr",
)  # fmt: skip
# Line edges, [ \t\u3000]*\n\s* -> \n, in two newline-led steps (see _line_edges and _linearize).
_NEWLINE_RUN = re.compile(r"\n\s*")
_NEWLINE_BLANKS = re.compile("\n[ \t\u3000]+")  # in the reversed text
# A run of breaks with the blanks around it: before it the blanks _WS_RUN, \xa0 and the line edges
# would drop at a line's end, after it any blank (as the \s* after a newline of a line edge).
# Replaced in two steps (see _linearize), each by a pattern that opens with the break: sre finds
# a literal by a fast scan, while a pattern opening with an optional run is tried at every
# character (twice the cost of both steps).
_BREAK_RUN = re.compile(f"{_BREAK}[\\s{_BREAK}]*")
# Blanks before a break, in the reversed text.
_BREAK_BLANKS = re.compile(f"{_BREAK}[ \t\r\n\f\v\u3000\xa0]+")
# Characters of _WS_RUN's runs besides the space: without them and without two spaces in a row,
# _WS_RUN changes nothing.
_WS_NOT_SPACE = "\t\r\n\f\v"
# Metadata windows (see meta_text): characters after a label, and how many labels to look at.
_META_WINDOW = 600
_MAX_META_LABELS = 40
_SNIPPET_INVISIBLE = re.compile(r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|$)|<!--.*?(?:-->|$)", re.I | re.S)
_SNIPPET_BLOCK = re.compile(
    r"<\s*/?\s*(?:p|div|br|tr|td|th|li|dt|dd|h[1-6]|table|ul|ol|dl|span|label|b|strong|section|hr)\b[^>]*>",
    re.I,
)
_ANY_TAG = re.compile(r"<[^>]*>")
_HEADINGS_XP = etree.XPath("//h1 | //h2 | //h3")
# The first descendant of a tag (el.find(".//tag")): lxml's iterator looks ahead for the next
# match, so find() walks the whole rest of the tree (~35 µs a page for the one <body>);
# libxml2 stops at the first match of descendant::tag[1].
_FIRST_XP = {tag: etree.XPath(f"descendant::{tag}[1]") for tag in ("body", "title", "p", "div")}

_MAX_TITLE_CHARS = 80
# A table used for page layout: it holds a table, a cell with a paragraph, or a cell with long
# text. One XPath (evaluated in C) instead of a Python loop over the cells. `or`, not a union:
# libxml2 stops at the first test that holds (a union builds every node-set first, ~5x the
# cost); the paragraph tests first (the usual reason, and the cheapest to find), and explicit
# descendant axes (`.//x` builds descendant-or-self::node() first): ~10% of the text pass.
_LAYOUT_TEST = (
    "descendant::td[descendant::p] or descendant::th[descendant::p] or descendant::table"
    " or descendant::td[string-length(normalize-space()) > {long}]"
    " or descendant::th[string-length(normalize-space()) > {long}]"
)
_LAYOUT_TABLE_XP = etree.XPath(_LAYOUT_TEST.format(long="$long"))
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
# Up to this many children, content_root guesses the largest from source lines (see _descend).
_FEW_CHILDREN = 6
# A table cell with more text than this is page layout, not a statistics cell.
_LONG_CELL = 150
_BOILERPLATE_TAGS = frozenset({"nav", "header", "footer", "aside", "form", "select", "button", "iframe"})
_BOILERPLATE_WORDS = [
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
# A class/id word (between -, _, blanks) that marks page chrome.
_BOILERPLATE_RE = re.compile(rf"(?<![a-z])(?:{'|'.join(_BOILERPLATE_WORDS)})(?![a-z])")
_INLINE_TAGS = frozenset(
    {"p", "span", "font", "b", "strong", "em", "i", "h1", "h2", "h3", "h4", "h5", "h6", "a", "label"}
)


# ---------------------------------------------------------------------------------- decoding


def decode_html(data: bytes, headers: Mapping[str, str] | None = None) -> tuple[str, str]:
    """(text, codec). Valid UTF-8 is taken at once (the common case, and never mojibake for CJK
    text); otherwise the header and meta declarations are hints to `decode_bytes`."""
    if not data.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    meta = _META_CHARSET.search(data[:8192])
    hints = [
        charset_from_headers(headers),
        normalize_charset(meta.group(1).decode("ascii", "replace")) if meta else None,
    ]
    return decode_bytes(data, declared=hints)


_PARSERS = threading.local()


def _parser(codec: str) -> lxml.html.HTMLParser:
    # One parser per thread and codec: lxml parsers are not shareable across threads, and
    # building one per document costs more than parsing a small page.
    # huge_tree: without it libxml2 silently drops everything nested deeper than 256 elements
    # (Word-exported pages get deep) and text nodes above 10 MB. codec "" = decoded text input.
    cache = _PARSERS.__dict__.setdefault("by_codec", {})
    if codec not in cache:
        cache[codec] = lxml.html.HTMLParser(encoding=codec or None, huge_tree=True)
    return cache[codec]


def _parse(text: str, data: bytes | None = None, codec: str | None = None) -> lxml.html.HtmlElement:
    """Parse the page. With the original bytes and a codec libxml2 knows, parse the bytes in that
    codec (the page's own meta charset is then ignored, which is what a wrong declaration needs);
    else parse the decoded text."""
    try:
        if data is not None and codec in _BYTE_CODECS:
            root = lxml.html.document_fromstring(data, parser=_parser(_BYTE_CODECS[codec]))
        else:
            root = lxml.html.document_fromstring(_XML_DECL.sub("", text, count=1), parser=_parser(""))
    except (etree.ParserError, ValueError) as exc:
        root = _soup_parse(text, exc)
    # CMS template comments wrap values ("<!--<$[SYH]>-->01404053X/2023-00861<!--<$[SYH]>-->");
    # dropping them joins the text around them.
    etree.strip_tags(root, etree.Comment, etree.ProcessingInstruction)
    return root


def _soup_parse(text: str, cause: Exception) -> lxml.html.HtmlElement:
    """BeautifulSoup's more forgiving tree builder, for markup libxml2 gives up on."""
    from lxml.html import soupparser

    try:
        root = soupparser.fromstring(_XML_DECL.sub("", text, count=1))
    except Exception as exc:  # bs4 raises assorted errors on hostile markup
        raise UnreadableDocument(f"HTML that cannot be parsed: {cause}") from exc
    if not isinstance(root.tag, str) or root.tag != "html":
        wrapper = lxml.html.Element("html")
        body = lxml.html.Element("body")
        wrapper.append(body)
        body.append(root)
        root = wrapper
    return root


# ------------------------------------------------------------------------------ linear text


def _text_len(text: str | None) -> int:
    return len(text.strip()) if text else 0


def _first(el: etree._Element, tag: str) -> etree._Element | None:
    """el.find(f".//{tag}") for one of the tags of _FIRST_XP."""
    found = _FIRST_XP[tag](el)
    return found[0] if found else None


def text_of(el: etree._Element) -> str:
    """`el.text_content()` (its string value, without its tail) through libxml2's text
    serialiser: the same string at half the cost of lxml.html's XPath call."""
    return etree.tostring(el, method="text", encoding=str, with_tail=False)


def is_layout_table(table: etree._Element) -> bool:
    """A table used for page layout (holds nested tables, paragraphs or long prose), not data."""
    return bool(_LAYOUT_TABLE_XP(table, long=_LONG_CELL))


def _text_templates(mode: str = "") -> str:
    """The templates of the text pass (see _text_xslt), in `mode` ("" = the default mode)."""
    invisible = "|".join(_INVISIBLE_TAGS)
    blocks = "|".join(_BLOCK_TAGS)
    layout = _LAYOUT_TEST.format(long=_LONG_CELL)
    mark = f"<xsl:text>&#x{ord(_BREAK):X};</xsl:text>"
    # A kept (layout) table is bracketed by lines of its own naming its ordinal among the tables
    # (the numbering of html_tables.numbered_grids), so the lines holding each grid's text are
    # known without matching cells against lines afterwards (see _split_table_marks).
    # (Counted once per table: the preceding axis walks the document up to the table.)
    count = '<xsl:variable name="n" select="count(preceding::table) + count(ancestor::table)"/>'
    ordinal = '<xsl:value-of select="$n"/>'
    start = f"<xsl:text>{_TABLE_START}</xsl:text>"
    end = f"<xsl:text>{_TABLE_END}</xsl:text>"
    m = f' mode="{mode}"' if mode else ""
    return f"""<xsl:template match="{invisible}"{m}/>
<xsl:template match="table[not({layout})]" priority="3"{m}/>
<xsl:template match="table" priority="2"{m}>{count}{mark}{start}{ordinal}{mark}<xsl:apply-templates{m}/>{mark}{end}{ordinal}{mark}</xsl:template>
<xsl:template match="{blocks}"{m}>{mark}<xsl:apply-templates{m}/>{mark}</xsl:template>"""


@cache
def _text_xslt() -> etree.XSLT:
    """Text of a subtree, block edges marked with _BREAK, scripts and data tables left out.

    XSLT runs in libxml2: several times faster than marking blocks or walking the tree in Python.
    A data table is any table that is not a layout table (see is_layout_table).
    """
    sheet = f"""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
<xsl:output method="text" encoding="utf-8"/>
{_text_templates()}
</xsl:stylesheet>"""
    return etree.XSLT(etree.XML(sheet))


# The one-pass stylesheet finds the content element by its path from the root (a few steps),
# passed as a parameter. A path with steps XPath would not read as plain names (a Word "o:p"
# ancestor, odd names from BeautifulSoup) marks the element instead with an attribute whose
# name is drawn per process (so no page can carry it already), found by the parameter's
# default, a search of the whole tree.
_CONTENT_ATTR = f"data-govreports-{secrets.token_hex(6)}"
_PLAIN_PATH = re.compile(r"(?:/[A-Za-z][A-Za-z0-9_.\-]*(?:\[[0-9]+\])?)+")
_PASS_SEP = "\ufdd6"  # between the grid part and the text part of the one pass


@cache
def _one_pass_xslt() -> etree.XSLT:
    """Grids of the whole page and the text of the content element in one XSLT run: one
    traversal set-up instead of two (each run costs ~60 µs before it reads a node)."""
    sheet = f"""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
<xsl:output method="text" encoding="utf-8"/>
<xsl:param name="content" select="//*[@{_CONTENT_ATTR}]"/>
<xsl:template match="/">
  {GRID_ROOT_XSLT}<xsl:text>{_PASS_SEP}</xsl:text><xsl:apply-templates select="$content" mode="text"/>
</xsl:template>
{GRID_CELL_TEMPLATES}
{_text_templates("text")}
</xsl:stylesheet>"""
    return etree.XSLT(etree.XML(sheet))


def _one_pass(root: etree._Element, content: etree._Element) -> str | None:
    """The one pass's output, or None for a tree too deep for libxslt."""
    path = root.getroottree().getpath(content)
    try:
        if _PLAIN_PATH.fullmatch(path):
            return str(_one_pass_xslt()(root, content=path))
        content.set(_CONTENT_ATTR, "")
        try:
            return str(_one_pass_xslt()(root))
        finally:
            del content.attrib[_CONTENT_ATTR]
    except etree.XSLTApplyError:
        return None  # the separate passes have their own fallbacks


def grids_and_text(
    root: etree._Element, content: etree._Element
) -> tuple[list[Grid], list[int], str, dict[int, tuple[int, int]] | None]:
    """(numbered_grids(root), text_lines_with_tables(content)) in one XSLT run; `content` is an
    element of `root`'s document, `root` its root element."""
    flat = _one_pass(root, content)
    if flat is None:
        grids, ordinals = numbered_grids(root)
        return grids, ordinals, *text_lines_with_tables(content)
    grid_part, _, text_part = flat.partition(_PASS_SEP)
    grids, ordinals = grids_from_flat(grid_part)
    text = _linearize(text_part)
    if _TABLE_START not in text:
        return grids, ordinals, text, {}
    # Ordinals counted in the whole document already: no shift.
    return grids, ordinals, *_split_table_marks(text, 0)


def _walk_text(root: etree._Element) -> str:
    """text_lines' fallback for trees too deep for XSLT: an iterative walk, same breaks and skips."""
    parts: list[str] = []
    skip_depth = 0
    blocks, invisible = set(_BLOCK_TAGS), set(_INVISIBLE_TAGS)
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        skipped = tag in invisible or (tag == "table" and not is_layout_table(el))
        if event == "start":
            if skipped:
                skip_depth += 1
            elif skip_depth == 0:
                parts.append(_BREAK if tag in blocks else "")
                parts.append(el.text or "")
            continue
        if skipped:
            skip_depth -= 1
        if skip_depth == 0:
            parts.append(_BREAK if tag in blocks and not skipped else "")
            if el is not root:
                parts.append(el.tail or "")
    return "".join(parts)


def text_lines(el: etree._Element) -> str:
    """The text of `el` with one line per block or cell (the way a browser breaks it), data tables
    left out (they are read as grids)."""
    return text_lines_with_tables(el)[0]


def text_lines_with_tables(el: etree._Element) -> tuple[str, dict[int, tuple[int, int]] | None]:
    """(text_lines(el), table ordinal -> (first, last) line of the text holding that table's text).

    Ordinals count <table> elements from the start of `el`'s document; None: not known (a tree
    too deep for XSLT)."""
    try:
        text = str(_text_xslt()(el))
    except etree.XSLTApplyError:
        # libxslt stops at a few thousand nested templates; a pathologically deep page still
        # yields its text, without the line structure.
        return _linearize(_walk_text(el)), None
    text = _linearize(text)
    if _TABLE_START not in text:
        return text, {}
    # The XSLT numbers tables within `el` (it runs on el's subtree alone); shift to the document's.
    before = int(el.xpath("count(preceding::table) + count(ancestor::table)"))
    return _split_table_marks(text, before)


def _linearize(text: str) -> str:
    """Blank runs collapsed to a space, a line per block. The same as collapsing blank runs, then
    turning breaks into newlines and dropping blanks at line edges (as _line_edges), in one pass
    less: the blanks around a run of breaks go first, so the collapse sees only inner runs."""
    # The blanks and breaks after each break first: the blanks before a break are then those
    # back to the text the previous run left (not blank), as the one pattern
    # [blanks]*BREAK[blanks, BREAK]* took them. They go in the reversed text, where they follow
    # the break.
    text = _BREAK_RUN.sub(_BREAK, text)
    text = _BREAK_BLANKS.sub(_BREAK, text[::-1])[::-1]
    if "  " in text or any(ch in text for ch in _WS_NOT_SPACE):
        text = _WS_RUN.sub(" ", text)
    return text.replace(_BREAK, "\n").replace("\xa0", " ").strip()


def _split_table_marks(marked: str, before: int) -> tuple[str, dict[int, tuple[int, int]]]:
    """Drop the table mark lines and note which lines each table spans.

    A mark sits between two block breaks, so after linearising it is a line of its own and the
    breaks around it would have collapsed into one without it: dropping its line gives exactly
    the unmarked text. The final strip covers a table that ended the text after a line with
    trailing non-ASCII blanks (which the unmarked text's strip would have removed).

    The mark lines are found by matching the regex at each mark character (found by str.find,
    faster than a regex scanning for either) and numbered by counting newlines, not by a Python
    step per line; text where that could differ (a mark character elsewhere, a line break other
    than \n, which splitlines() also splits at) takes the line-by-line reading."""
    marks = [_MARK_LINE.match(marked, at) for at in sorted(_find_all(marked, _TABLE_START, _TABLE_END))]
    if not all(marks) or any(ch in marked for ch in _OTHER_LINE_BREAKS):
        return _split_table_mark_lines(marked, before)
    opened: dict[int, int] = {}
    spans: dict[int, tuple[int, int]] = {}
    kept: list[str] = []
    line = pos = 0
    for dropped, m in enumerate(marks):
        start = m.start()
        if start and marked[start - 1] != "\n":
            return _split_table_mark_lines(marked, before)
        kept.append(marked[pos:start])
        line += marked.count("\n", pos, start)
        pos = m.end()
        n = int(m.group(2)) + before
        if m.group(1) == _TABLE_START:
            opened[n] = line - dropped  # lines kept before this mark
        else:
            first = opened.pop(n, line - dropped)
            if line - dropped > first:
                spans[n] = (first, line - dropped - 1)
        line += m.group().endswith("\n")
    kept.append(marked[pos:])
    return "".join(kept).strip(), spans


def _find_all(text: str, *chars: str) -> list[int]:
    """Every position of any of `chars` in `text`."""
    found: list[int] = []
    for ch in chars:
        at = text.find(ch)
        while at >= 0:
            found.append(at)
            at = text.find(ch, at + 1)
    return found


def _split_table_mark_lines(marked: str, before: int) -> tuple[str, dict[int, tuple[int, int]]]:
    """_split_table_marks, one line at a time."""
    kept: list[str] = []
    opened: dict[int, int] = {}
    spans: dict[int, tuple[int, int]] = {}
    for part in marked.splitlines(keepends=True):
        head = part[0]
        if head == _TABLE_START:
            opened[int(part[1:]) + before] = len(kept)
        elif head == _TABLE_END:
            n = int(part[1:]) + before
            first = opened.pop(n, len(kept))
            if len(kept) > first:
                spans[n] = (first, len(kept) - 1)
        else:
            kept.append(part)
    return "".join(kept).strip(), spans


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


def _meta_tags(root: etree._Element) -> dict[str, str]:
    """Lower-cased meta name (or property) -> the first non-empty content given for it."""
    out: dict[str, str] = {}
    for el in root.iter("meta"):
        key = (el.get("name") or el.get("property") or "").strip().lower()
        if key and key not in out:
            value = (el.get("content") or "").strip()
            if value:
                out[key] = value
    return out


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


@cache
def _raw_label_re() -> re.Pattern[str]:
    """Any metadata label in raw markup, its characters possibly spaced by blanks or &nbsp;."""
    gap = r"(?:[ \t\u3000\xa0]|&nbsp;|&#160;|&#xa0;)*"
    words = sorted(
        {w for ws in spec.labels()["page_meta_labels"].values() for w in ws}, key=len, reverse=True
    )
    return re.compile("|".join(gap.join(map(re.escape, w)) for w in words))


def meta_text(html: str) -> str:
    """Line-broken text around every metadata label of the page (索引号, 发布机构, 公开日期, …).

    Only windows after the labels are linearised, so a long page costs a scan, not a conversion.
    """
    parts: list[str] = []
    covered = -1
    for n, m in enumerate(_raw_label_re().finditer(html)):
        if n >= _MAX_META_LABELS:
            break
        if m.start() < covered:
            continue
        end = m.start() + _META_WINDOW
        parts.append(_linearize_snippet(html[m.start() : end]))
        covered = end
    return "\n".join(parts)


def _linearize_snippet(markup: str) -> str:
    text = _SNIPPET_INVISIBLE.sub(" ", markup)
    # A tag the window cut off: from the first "<" after the last ">" on (what the regex
    # <[^>]*$ removes, without trying it at every "<").
    cut = text.find("<", text.rfind(">") + 1)
    if cut >= 0:
        text = text[:cut]
    text = _WS_CHANGE.sub(" ", text)
    text = _SNIPPET_BLOCK.sub("\n", text)
    text = _ANY_TAG.sub("", text)
    text = html_lib.unescape(text).replace("\xa0", " ")
    return _line_edges(text).strip()


def _line_edges(text: str) -> str:
    """The spaces, tabs and ideographic spaces before a newline and all whitespace after it (the
    newlines there too) replaced by one newline."""
    text = _NEWLINE_RUN.sub("\n", text)
    return _NEWLINE_BLANKS.sub("\n", text[::-1])[::-1]


def _heading_title(root: etree._Element) -> str | None:
    """A report title in the page's headings (<h1>…<h3>), which usually sit outside the article
    body; only one that reads like a report title, so a site banner in <h1> is not taken."""
    for el in _HEADINGS_XP(root):
        text = re.sub(r"\s+", " ", el.text_content()).strip()
        if text and len(text) <= _MAX_TITLE_CHARS and _is_report_title(text):
            return text
    return None


def _is_report_title(text: str) -> bool:
    labels = spec.labels()
    compact = re.sub(r"\s+", "", text)
    words = [*labels["report_title"]["any"], *labels["title_line_any"]]
    return all(w in compact for w in labels["report_title"]["must"]) and any(w in compact for w in words)


def page_meta(root: etree._Element, linear: str) -> PageMeta:
    meta = PageMeta()
    tags = _meta_tags(root)
    meta.title = tags.get("articletitle") or _heading_title(root)
    if not meta.title:
        title_el = _first(root, "title")
        if title_el is not None and title_el.text_content().strip():
            meta.title = _strip_site_suffix(re.sub(r"\s+", " ", title_el.text_content()))
    meta.column = tags.get("columnname")
    meta.published = tags.get("pubdate") or _labelled(linear, "published", want_date=True)
    meta.written = _labelled(linear, "written", want_date=True)
    meta.publisher = _labelled(linear, "publisher")
    index_no = _labelled(linear, "index_no")
    if index_no:
        m = re.match(r"[0-9A-Za-z][0-9A-Za-z\-_/]*", index_no)
        meta.index_no = m.group(0) if m else None
    site = tags.get("sitename")
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


# -------------------------------------------------------------------------------- main text


def _boilerplate(el: etree._Element) -> bool:
    if el.tag in _BOILERPLATE_TAGS:
        return True
    return _boilerplate_marks(el.get("class") or "", el.get("id") or "")


@lru_cache(maxsize=1024)
def _boilerplate_marks(cls: str, ident: str) -> bool:
    """A class/id pair that marks page chrome (memoised: a site repeats its few class names)."""
    marks = f"{cls} {ident}"
    return bool(marks.strip()) and _BOILERPLATE_RE.search(marks.lower()) is not None


def content_root(body: etree._Element) -> etree._Element:
    """The element holding the report: descend from <body> into the child that holds nearly all
    of the text, skipping boilerplate blocks (nav, header, footer, breadcrumbs).

    Data tables are leaves: a report whose tables outweigh its prose still keeps the prose.
    A child's size is the length of its stripped text (lxml's C-level text serialiser). Each
    step knows the text of the element it stands on, so the text of one child (the one its
    source lines show largest) is cut out of it instead of serialised again, and the children
    are measured only until the text left over could no longer reach the descent share.
    """
    current: etree._Element = body
    text: str | None = None
    while True:
        step = _descend(current, text)
        if step is None:
            return current
        current, text = step


def _descend(current: etree._Element, text: str | None) -> tuple[etree._Element, str] | None:
    """(the child holding nearly all of `current`'s text, that child's text), or None: stop here.
    `text`: text_of(current) if known.

    One child's text is cut out of `current`'s (its text is what the other children and tails
    leave): among a few children the one spanning most source lines, else the last. The others
    are measured in document order, until the text left over could no longer reach the share."""
    count = len(current)
    if count == 0:
        return None
    if text is None:
        text = text_of(current)
    head = current.text or ""
    kids: etree._Element | list[etree._Element] = current  # iterated lazily: measuring may stop early
    cut = count - 1
    if count <= _FEW_CHILDREN:
        kids = list(current)
        cut = _largest_by_lines(kids)
    cut_kid: etree._Element | None = None
    cut_tail = ""
    before = 0  # text and tails of the children before the cut one
    left = len(text) - len(head)  # text of the children not measured yet: bounds any of them
    whole = _text_len(head)  # own text and sizes so far; the whole once every child is in
    best_size = -1
    best: etree._Element | None = None
    best_text = ""
    reach = _DESCEND_SHARE / (1 - _DESCEND_SHARE)
    for n, kid in enumerate(kids):
        if not isinstance(kid.tag, str):
            # A comment's tail is text the arithmetic above does not see (trees not read by
            # _parse keep them): measure every child.
            return _descend_measured(current)
        tail = kid.tail or ""
        whole += _text_len(tail)
        if n == cut:
            cut_kid, cut_tail = kid, tail
            continue
        kid_text = (kid.text or "") if len(kid) == 0 else text_of(kid)
        left -= len(kid_text) + len(tail)
        if n < cut:
            before += len(kid_text) + len(tail)
        if kid.tag in _SKIP_TAGS or _boilerplate(kid):
            continue
        size = _text_len(kid_text)
        whole += size
        if size > best_size:
            best_size, best, best_text = size, kid, kid_text
        # A child takes the step only with size >= share x whole >= share x (whole so far + its
        # size): once neither the largest child measured nor the text left can, stop here (the
        # margin covers float rounding).
        if best_size < _DESCEND_SHARE * whole * 0.999 and left < reach * whole * 0.999:
            return None
    if cut_kid is not None and cut_kid.tag not in _SKIP_TAGS and not _boilerplate(cut_kid):
        start = len(head) + before
        cut_text = text[start : start + left - len(cut_tail)]
        size = _text_len(cut_text)
        whole += size
        if size > best_size:
            best_size, best, best_text = size, cut_kid, cut_text
    if best is None or whole == 0 or best_size < _DESCEND_SHARE * whole:
        return None
    return _checked_step(best, best_text)


def _largest_by_lines(kids: list[etree._Element]) -> int:
    """The child that spans the most source lines (to the next child; the last child to its own
    last descendant), ties to the one with the most children: a guess at the child with the most
    text, which only decides which child's text is cut out rather than serialised."""
    lines = [kid.sourceline or 0 for kid in kids]
    last = kids[-1]
    while len(last):
        last = last[-1]
    lines.append(last.sourceline or 0)
    spans = [lines[n + 1] - lines[n] for n in range(len(kids))]
    return max(range(len(kids)), key=lambda n: (spans[n], len(kids[n])))


def _descend_measured(current: etree._Element) -> tuple[etree._Element, str] | None:
    """_descend measuring every child's text (any tree)."""
    kids = list(current)
    sizes = [
        (_text_len(kid_text := text_of(kid)), kid, kid_text)
        for kid in kids
        if isinstance(kid.tag, str) and kid.tag not in _SKIP_TAGS and not _boilerplate(kid)
    ]
    if not sizes:
        return None
    own = _text_len(current.text) + sum(_text_len(k.tail) for k in kids if isinstance(k.tag, str))
    whole = own + sum(size for size, _, _ in sizes)
    size, best, best_text = max(sizes, key=lambda item: item[0])
    if whole == 0 or size < _DESCEND_SHARE * whole:
        return None
    return _checked_step(best, best_text)


def _checked_step(best: etree._Element, best_text: str) -> tuple[etree._Element, str] | None:
    """The step into `best`, unless it is a data table or an inline element without blocks."""
    if best.tag == "table" and not is_layout_table(best):
        return None
    if best.tag in _INLINE_TAGS and _first(best, "p") is None and _first(best, "div") is None:
        return None
    return best, best_text


def read(data: bytes, *, headers: Mapping[str, str] | None = None) -> Document:
    html, codec = decode_html(data, headers)
    root = _parse(html, data, codec)
    meta = page_meta(root, meta_text(html))
    body_root = root
    detail = gkmlpt_detail(html)
    if detail:
        detail_root = _parse(f"<html><body>{detail}</body></html>")
        if detail_root.text_content().strip():
            body_root = detail_root
    body = _first(body_root, "body")
    tables, ordinals, text, spans = grids_and_text(
        body_root, content_root(body if body is not None else body_root)
    )
    # The line breaks it rewrites are line ends to splitlines() too: the spans' line numbers hold.
    text = normalize_newlines(text)
    if not meta.title or (not meta.published and not _has_portal_metadata(meta)):
        _fill_from_markup_metadata(meta, root)
    if not tables and _text_len(text) < _THIN_TEXT:
        text = _trafilatura_text(body_root) or text
    grid_lines = None if spans is None else [spans.get(n) for n in ordinals]
    return Document(format="html", text=text, tables=tables, meta=meta, grid_lines=grid_lines)


# A content element with less text than this held no report body; the heuristic may have
# picked the wrong block on an unusual layout, so trafilatura gets a second look.
_THIN_TEXT = 200


def _has_portal_metadata(meta: PageMeta) -> bool:
    """A government CMS page states its metadata in its own tags and table; when it states no
    release date there, Open Graph markup will not either, so trafilatura is not asked (it costs
    several lxml parses per page)."""
    return bool(meta.column or meta.index_no or meta.publisher or meta.written or meta.extra.get("site_name"))


def _fill_from_markup_metadata(meta: PageMeta, root: etree._Element) -> None:
    """Title and release date from trafilatura (Open Graph, schema.org, <time> ...), for pages
    without the government meta tags. `extensive=False` keeps htmldate to the markup: a date is
    taken only where the page declares it, never guessed from the text or the URL."""
    import trafilatura.metadata

    try:
        found = trafilatura.metadata.extract_metadata(root, extensive=False)
    except Exception:  # trafilatura is a fallback here; its failure must not lose the page
        return
    if not meta.title and found.title:
        meta.title = re.sub(r"\s+", " ", found.title).strip()
    if not meta.published and found.date:
        meta.published = found.date


def _trafilatura_text(root: etree._Element) -> str | None:
    import trafilatura

    try:
        extracted = trafilatura.extract(lxml.html.tostring(root, encoding="unicode"), favor_recall=True)
    except Exception:
        return None
    if extracted and _text_len(extracted) >= _THIN_TEXT:
        return normalize_newlines(extracted)
    return None
