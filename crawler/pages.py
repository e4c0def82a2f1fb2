"""Reading portal pages: list entries, attachments (also script-written ones), page metadata,
visible text. Shared by the style modules and the spider; works on parsel Selectors."""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache, wraps
from typing import TypeVar
from urllib.parse import urljoin, urlsplit

from lxml import etree
from parsel import Selector

from crawler.classify import classify_title, crawl_labels, normalize, soft_page_kind
from crawler.jsobj import js_string
from parsers.document import PageMeta

ATTACHMENT_EXT = ("pdf", "doc", "docx", "wps", "xls", "xlsx", "et", "ofd", "zip", "rar", "7z", "txt")
IMAGE_EXT = ("jpg", "jpeg", "png", "tif", "tiff", "bmp")
_EXT_RE = re.compile(r"\.({})$".format("|".join(ATTACHMENT_EXT + IMAGE_EXT)), re.I)
_DOC_EXT_RE = re.compile(r"\.({})$".format("|".join(ATTACHMENT_EXT)), re.I)
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_DETAIL_URL = re.compile(
    r"t\d{8}_\d+|art_\d+_\d+|/art/\d{4}/|post_\d+|mpost_\d+|/content/|/info/\d+/\d+|"
    r"[?&](?:id|articleid|infoid|contentid|docid|newsid)=\w+|/\d{5,}\.s?html?$|/show/\d+",
    re.I,
)
_SCRIPT_LINK = re.compile(
    r"""(?:href|src)\s*=\s*\\?["']([^"'\\<>\s]+?\.(?:{}))\\?["']""".format(
        "|".join(ATTACHMENT_EXT + IMAGE_EXT)
    ),
    re.I,
)
_BAD_SCHEMES = ("javascript:", "mailto:", "tel:", "#", "data:")
_DOWNLOAD_HREF = re.compile(r"[?&]fileUrl=|/download", re.I)
_VIEWER_FILE = re.compile(r"[?&]file=([^&]+\.pdf)", re.I)
_IMAGE_NAME = re.compile(r"\.(jpe?g|png|tiff?|bmp)$", re.I)
CONTENT_SELECTORS = (
    ".TRS_Editor",
    ".trs_editor_view",
    ".TRS_UEDITOR",
    ".Custom_UnionStyle",
    "#zoom",
    "#UCAP-CONTENT",
    ".pages_content",
    ".xxgk_content",
    ".main-txt",
    ".artile_zw",
    ".article-content",
    ".content",
    "article",
)


@dataclass(slots=True)
class Entry:
    """One item of a report column's list."""

    url: str
    title: str
    date: str | None = None
    attachments: list[str] = field(default_factory=list)


def clean_href(href: str | None) -> str | None:
    if not href:
        return None
    href = href.strip()
    if not href or href.lower().startswith(_BAD_SCHEMES):
        return None
    return href


# A column page resolves each anchor twice (its list entries, then its links): memoized.
@lru_cache(maxsize=4096)
def absolute(base: str, href: str) -> str:
    url = urljoin(base, href)
    # `./x/` joined naively can yield a trailing-dot host that only some servers answer (§9).
    parts = urlsplit(url)
    if parts.hostname and parts.hostname.endswith("."):
        url = url.replace(parts.hostname, parts.hostname.rstrip("."), 1)
    return url.split("#", 1)[0]


def find_date(text: str) -> str | None:
    m = _DATE.search(normalize(text))  # the same as removing every r"\s" (checked code point by code point)
    if not m:
        return None
    y, mo, d = (int(g) for g in m.groups())
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def is_attachment_url(url: str) -> bool:
    return bool(_EXT_RE.search(urlsplit(url).path))


def is_document_url(url: str) -> bool:
    return bool(_DOC_EXT_RE.search(urlsplit(url).path))


def looks_like_detail(url: str) -> bool:
    return bool(_DETAIL_URL.search(url)) or is_document_url(url)


# Hot paths work on the lxml tree under the parsel Selector: parsel wraps every xpath result in a
# Selector object, which made text extraction the crawler's main CPU cost.
TEXT_XPATH = "//body//text()[not(ancestor::script) and not(ancestor::style)]"


@cache
def _compiled(xpath: str) -> etree.XPath:
    # smart_strings=False: plain str results, no per-node parent lookups.
    return etree.XPath(xpath, smart_strings=False)


# TEXT_XPATH's node-set as a set difference (EXSLT, built into libxml2): every text node of the
# body except those inside a script or style element anywhere (an ancestor is inside one). The
# ancestor:: tests checked each text node's whole ancestry; the difference tests each node against
# the few script and style texts (~0.43 -> ~0.16 ms a farm page; the same nodes in the same order).
_VISIBLE_TEXTS = etree.XPath(
    "set:difference(//body//text(), (//script|//style)//text())",
    namespaces={"set": "http://exslt.org/sets"},
    smart_strings=False,
)


_T = TypeVar("_T")


def _per_page(func: Callable[[Selector], _T]) -> Callable[[Selector], _T]:
    """`func(sel)` computed once per parsed HTML page: the response guard, the spider's checks and
    the metadata reader each ask for the same page's text, verdict and metas. Weak keys: an entry
    goes with its tree. XML trees (plain lxml.etree._Element) take no weak references and JSON
    answers have no tree: those are computed each time."""
    memo: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    @wraps(func)
    def once(sel: Selector) -> _T:
        root = sel.root
        if not isinstance(root, etree.ElementBase):
            return func(sel)
        try:
            return memo[root]
        except KeyError:
            value = memo[root] = func(sel)
            return value

    return once


def texts(sel: Selector, xpath: str = TEXT_XPATH) -> list[str]:
    if xpath == TEXT_XPATH:
        return list(_visible_texts(sel))  # a copy: callers may change their list
    return _evaluate(sel, _compiled(xpath))


@_per_page
def _visible_texts(sel: Selector) -> tuple[str, ...]:
    return tuple(_evaluate(sel, _VISIBLE_TEXTS))


def _evaluate(sel: Selector, xpath: etree.XPath) -> list[str]:
    root = sel.root
    if not hasattr(root, "xpath"):
        return []
    try:
        return list(xpath(root))
    except Exception:  # not markup (JSON answers)
        return []


@_per_page
def soft_kind(sel: Selector) -> str | None:
    """classify.soft_page_kind of the page's text nodes joined by spaces."""
    return soft_page_kind(" ".join(texts(sel)))


def _tagged(sel: Selector, attr_of: dict[str, str]) -> list:
    """The elements of `//tag[@attr]|…` (tag -> attr), in document order, without XPath: lxml's
    tag filter walks the tree in C, while libxml2 evaluates an attribute predicate per element
    (2-3× the cost; a detail page asks for anchors, metas, frames and images)."""
    root = sel.root
    if not hasattr(root, "xpath"):
        return []
    top = root.getroottree().getroot()  # `//` searches the whole document, whatever the context
    return [e for e in top.iter(*attr_of) if attr_of[e.tag] in e.attrib]


def inline_scripts(sel: Selector) -> list[str]:
    """The texts of `//script[not(@src)]/text()`. On an HTML tree each script holds at most one text
    node (libxml2 reads a script's content raw, never as markup), so that is each inline script's
    .text, found by the C tag filter: the XPath's predicate cost as much as the page's visible text."""
    root = sel.root
    if not isinstance(root, etree.ElementBase):  # XML trees (a script may hold elements), JSON
        return texts(sel, "//script[not(@src)]/text()")
    top = root.getroottree().getroot()
    return [s.text for s in top.iter("script") if "src" not in s.attrib and s.text]


_ANCHORS = {"a": "href"}
_FRAMES = {"iframe": "src", "frame": "src"}
_EMBEDS = {"iframe": "src", "embed": "src", "object": "data"}
_IMAGES = {"img": "src"}
_METAS = {"meta": "name"}


def _text_of(el) -> str:
    return "".join(t for t in el.itertext() if isinstance(t, str))


def anchor_title(a) -> str:
    title = (a.attrib.get("title") or "").strip()
    text = normalize(_text_of(a))
    # The list text is often truncated with "…"; the full title is in title= (§1.4).
    return title if len(normalize(title)) >= len(text) else text


def _container(el):
    for anc in el.iterancestors():
        if anc.tag in ("li", "tr", "dd", "p"):
            return anc
    return None


def list_entries(sel: Selector, base_url: str) -> Iterator[Entry]:
    """Anchors that are list items: a date beside them, a detail-shaped URL, or a report title."""
    for a in _tagged(sel, _ANCHORS):
        href = clean_href(a.attrib.get("href"))
        if not href:
            continue
        title = anchor_title(a)
        if not title:
            continue
        container = _container(a)
        date = find_date(_text_of(container)) if container is not None else None
        url = absolute(base_url, href)
        if date or looks_like_detail(url) or classify_title(title).kind == "report":
            yield Entry(url=url, title=title, date=date)


def links(sel: Selector, base_url: str) -> Iterator[tuple[str, str]]:
    """(absolute url, text or title) of every followable anchor and iframe."""
    for a in _tagged(sel, _ANCHORS):
        href = clean_href(a.attrib.get("href"))
        if href:
            yield absolute(base_url, href), anchor_title(a)
    for f in _tagged(sel, _FRAMES):
        href = clean_href(f.attrib.get("src"))
        if href:
            yield absolute(base_url, href), normalize(f.attrib.get("title") or f.attrib.get("name") or "")


_CONTENT_CLASS = re.compile(r"TRS_Editor|content", re.I)


def _in_content(el) -> bool:
    for anc in el.iterancestors():
        if anc.attrib.get("id") == "zoom" or _CONTENT_CLASS.search(anc.attrib.get("class") or ""):
            return True
    return False


def attachments(sel: Selector, base_url: str, text: str) -> list[str]:
    """Attachment URLs of a detail page, in page order, without duplicates (§8)."""
    found: list[str] = []

    def add(href: str | None) -> None:
        href = clean_href(href)
        if href:
            url = absolute(base_url, href)
            if url not in found:
                found.append(url)

    for a in _tagged(sel, _ANCHORS):
        href = a.attrib.get("href", "")
        attrs = {k.lower(): v for k, v in a.attrib.items()}
        marked = (
            attrs.get("appendix") == "true"
            or attrs.get("data-appendix") == "true"
            or "needdownload" in attrs
            or "download" in attrs
            or "nfw-cms-attachment" in attrs.get("class", "")
        )
        if marked or is_attachment_url(href.split("?")[0]) or _DOWNLOAD_HREF.search(href):
            add(href)
    for node in _tagged(sel, _EMBEDS):
        src = node.attrib.get("src") or node.attrib.get("data") or ""
        m = _VIEWER_FILE.search(src)
        if m:
            add(m.group(1))
        elif is_document_url(src.split("?")[0]):
            add(src)
    # Script-written links (Nanjing): a static parser sees nothing, so read the script text.
    for script in inline_scripts(sel):
        for m in _SCRIPT_LINK.finditer(script):
            add(m.group(1))
    # Scans: images marked as appendix, TRS W0… images, or images in the content of a text-less page.
    scan_page = len(normalize(text)) < 400
    for img in _tagged(sel, _IMAGES):
        src = img.attrib.get("src", "")
        attrs = {k.lower(): v for k, v in img.attrib.items()}
        name = urlsplit(src).path.rsplit("/", 1)[-1]
        if not _IMAGE_NAME.search(name):
            continue
        if attrs.get("appendix") == "true" or name.startswith("W0") or (scan_page and _in_content(img)):
            add(src)
    return found


@_per_page
def _chunks(sel: Selector) -> tuple[str, ...]:
    """The stripped, non-blank text nodes: the lines of visible_text and the chunks page_meta reads."""
    return tuple(c for c in map(str.strip, _visible_texts(sel)) if c)


def visible_text(sel: Selector) -> str:
    text = "\n".join(_chunks(sel))
    if not text:
        text = "\n".join(p.strip() for p in texts(sel, "//text()[not(ancestor::script)]") if p.strip())
    return text


_CONFIG_DETAIL = re.compile(r"""DETAIL\s*[:=]\s*(["'])((?:\\.|(?!\1).)*)\1""", re.S)


def embedded_detail(html: str) -> str | None:
    """gkmlpt's body as a JS string in `window._CONFIG.DETAIL` (§6), decoded, tags stripped."""
    m = _CONFIG_DETAIL.search(html)
    if not m:
        return None
    body = js_string(m.group(2))
    return visible_text(Selector(text=f"<html><body>{body}</body></html>"))


@_per_page
def _metas(sel: Selector) -> dict[str, str]:
    """Lower-cased name -> stripped content of the first <meta> of that name (a detail page asks
    for five or six: SiteName, ColumnName, ArticleTitle twice, PubDate)."""
    found: dict[str, str] = {}
    for el in _tagged(sel, _METAS):
        found.setdefault(el.attrib.get("name", "").lower(), (el.attrib.get("content") or "").strip())
    return found


def meta_content(sel: Selector, name: str) -> str | None:
    return _metas(sel).get(name.lower()) or None


_TITLE_CLASS_XPATH = (
    "//*[contains(@class,'content-title') or contains(@class,'article-title')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' title ')]//text()"
)


def _title_candidates(sel: Selector) -> Iterator[str | None]:
    # One at a time: the class search costs ~1 ms a page and is rarely reached.
    yield meta_content(sel, "ArticleTitle")
    yield " ".join(texts(sel, "//h1//text()"))
    yield " ".join(texts(sel, _TITLE_CLASS_XPATH)[:3])


def page_title(sel: Selector) -> str | None:
    for candidate in _title_candidates(sel):
        if candidate and normalize(candidate):
            return candidate.strip()
    title = next(iter(texts(sel, "//title/text()")), None)
    if title:
        # "<title>" is "article - column - site" on many CMSes; the article comes first.
        return re.split(r"\s*[-_|｜—]\s*", title.strip())[0] or title.strip()
    return None


@cache
def _label_starts() -> frozenset[str] | None:
    """First characters of the metadata labels; None when a label is blank (it would match any chunk)."""
    names = [n for names in crawl_labels()["meta_labels"].values() for n in names]
    return None if any(not n for n in names) else frozenset(n[0] for n in names)


def page_meta(sel: Selector, *, list_title: str | None = None, list_date: str | None = None) -> PageMeta:
    """The PageMeta the parser gets as context: metas plus the metadata table above the title (§1.3)."""
    meta = PageMeta(
        title=meta_content(sel, "ArticleTitle") or page_title(sel) or list_title,
        published=meta_content(sel, "PubDate"),
        column=meta_content(sel, "ColumnName"),
    )
    labels: dict[str, list[str]] = crawl_labels()["meta_labels"]
    starts = _label_starts()
    chunks = _chunks(sel)
    found: dict[str, str] = {}
    for i, chunk in enumerate(chunks[:400]):
        # A chunk is stripped, so its first character is its normalized form's: most chunks (table
        # cells of the report) start with no label's character and are passed over unnormalized.
        if starts is not None and chunk[0] not in starts:
            continue
        flat = normalize(chunk)
        for field_name, names in labels.items():
            if field_name in found:
                continue
            for label in names:
                if not flat.startswith(label):
                    continue
                rest = flat[len(label) :]
                if rest and rest[0] not in ":：":
                    continue
                value = rest.lstrip(":：")
                if not value and i + 1 < len(chunks):
                    value = normalize(chunks[i + 1])
                if value and len(value) <= 80 and not value.endswith(("：", ":")):
                    found[field_name] = value
                break
    meta.index_no = found.get("index_no")
    meta.publisher = found.get("publisher")
    meta.written = found.get("written")
    meta.published = meta.published or found.get("published") or list_date
    if not meta.title and found.get("title"):
        meta.title = found["title"]
    site = meta_content(sel, "SiteName")
    if site:
        meta.extra["site_name"] = site
    return meta
