"""Reading portal pages: list entries, attachments (also script-written ones), page metadata,
visible text. Shared by the style modules and the spider; works on parsel Selectors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from crawler.classify import classify_title, crawl_labels, normalize
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


def absolute(base: str, href: str) -> str:
    url = urljoin(base, href)
    # `./x/` joined naively can yield a trailing-dot host that only some servers answer (§9).
    parts = urlsplit(url)
    if parts.hostname and parts.hostname.endswith("."):
        url = url.replace(parts.hostname, parts.hostname.rstrip("."), 1)
    return url.split("#", 1)[0]


def find_date(text: str) -> str | None:
    m = _DATE.search(re.sub(r"\s+", "", text or ""))
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


def anchor_title(a: Selector) -> str:
    title = (a.attrib.get("title") or "").strip()
    text = normalize(" ".join(a.css("::text").getall()))
    # The list text is often truncated with "…"; the full title is in title= (§1.4).
    return title if len(normalize(title)) >= len(text) else text


def list_entries(sel: Selector, base_url: str) -> Iterator[Entry]:
    """Anchors that are list items: a date beside them, a detail-shaped URL, or a report title."""
    for a in sel.xpath("//a[@href]"):
        href = clean_href(a.attrib.get("href"))
        if not href:
            continue
        title = anchor_title(a)
        if not title:
            continue
        container = a.xpath("ancestor::*[self::li or self::tr or self::dd or self::p][1]")
        around = " ".join(container[0].css("::text").getall()) if container else ""
        date = find_date(around) if container else None
        url = absolute(base_url, href)
        if date or looks_like_detail(url) or classify_title(title).kind == "report":
            yield Entry(url=url, title=title, date=date)


def links(sel: Selector, base_url: str) -> Iterator[tuple[str, str]]:
    """(absolute url, text or title) of every followable anchor and iframe."""
    for a in sel.xpath("//a[@href]"):
        href = clean_href(a.attrib.get("href"))
        if href:
            yield absolute(base_url, href), anchor_title(a)
    for f in sel.xpath("//iframe[@src]|//frame[@src]"):
        href = clean_href(f.attrib.get("src"))
        if href:
            yield absolute(base_url, href), normalize(f.attrib.get("title") or f.attrib.get("name") or "")


def attachments(sel: Selector, base_url: str, text: str) -> list[str]:
    """Attachment URLs of a detail page, in page order, without duplicates (§8)."""
    found: list[str] = []

    def add(href: str | None) -> None:
        href = clean_href(href)
        if href:
            url = absolute(base_url, href)
            if url not in found:
                found.append(url)

    for a in sel.xpath("//a[@href]"):
        href = a.attrib.get("href", "")
        attrs = {k.lower(): v for k, v in a.attrib.items()}
        marked = (
            attrs.get("appendix") == "true"
            or attrs.get("data-appendix") == "true"
            or "needdownload" in attrs
            or "download" in attrs
            or "nfw-cms-attachment" in attrs.get("class", "")
        )
        if (
            marked
            or is_attachment_url(href.split("?")[0])
            or re.search(r"[?&]fileUrl=|/download", href, re.I)
        ):
            add(href)
    for node in sel.xpath("//iframe[@src]|//embed[@src]|//object[@data]"):
        src = node.attrib.get("src") or node.attrib.get("data") or ""
        m = re.search(r"[?&]file=([^&]+\.pdf)", src, re.I)
        if m:
            add(m.group(1))
        elif is_document_url(src.split("?")[0]):
            add(src)
    # Script-written links (Nanjing): a static parser sees nothing, so read the script text.
    for script in sel.xpath("//script[not(@src)]/text()").getall():
        for m in _SCRIPT_LINK.finditer(script):
            add(m.group(1))
    # Scans: images marked as appendix, TRS W0… images, or images in the content of a text-less page.
    scan_page = len(normalize(text)) < 400
    for img in sel.xpath("//img[@src]"):
        src = img.attrib.get("src", "")
        attrs = {k.lower(): v for k, v in img.attrib.items()}
        name = urlsplit(src).path.rsplit("/", 1)[-1]
        in_content = bool(
            img.xpath(
                "ancestor::*[contains(@class,'TRS_Editor') or @id='zoom' or contains(@class,'content')]"
            )
        )
        marked = attrs.get("appendix") == "true" or name.startswith("W0") or (scan_page and in_content)
        if marked and re.search(r"\.(jpe?g|png|tiff?|bmp)$", name, re.I):
            add(src)
    return found


def visible_text(sel: Selector) -> str:
    parts = sel.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]").getall()
    text = "\n".join(p.strip() for p in parts if p.strip())
    if not text:
        text = "\n".join(
            p.strip() for p in sel.xpath("//text()[not(ancestor::script)]").getall() if p.strip()
        )
    return text


_CONFIG_DETAIL = re.compile(r"""DETAIL\s*[:=]\s*(["'])((?:\\.|(?!\1).)*)\1""", re.S)


def embedded_detail(html: str) -> str | None:
    """gkmlpt's body as a JS string in `window._CONFIG.DETAIL` (§6), decoded, tags stripped."""
    m = _CONFIG_DETAIL.search(html)
    if not m:
        return None
    body = js_string(m.group(2))
    return visible_text(Selector(text=f"<html><body>{body}</body></html>"))


def meta_content(sel: Selector, name: str) -> str | None:
    value = sel.xpath(
        f"//meta[translate(@name,'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz')='{name.lower()}']/@content"
    ).get()
    return value.strip() if value and value.strip() else None


def page_title(sel: Selector) -> str | None:
    for candidate in (
        meta_content(sel, "ArticleTitle"),
        " ".join(sel.css("h1 ::text").getall()),
        " ".join(sel.css(".content-title ::text, .article-title ::text, .title ::text").getall()[:3]),
    ):
        if candidate and normalize(candidate):
            return candidate.strip()
    title = sel.xpath("//title/text()").get()
    if title:
        # "<title>" is "article - column - site" on many CMSes; the article comes first.
        return re.split(r"\s*[-_|｜—]\s*", title.strip())[0] or title.strip()
    return None


def page_meta(sel: Selector, *, list_title: str | None = None, list_date: str | None = None) -> PageMeta:
    """The PageMeta the parser gets as context: metas plus the metadata table above the title (§1.3)."""
    meta = PageMeta(
        title=meta_content(sel, "ArticleTitle") or page_title(sel) or list_title,
        published=meta_content(sel, "PubDate"),
        column=meta_content(sel, "ColumnName"),
    )
    labels: dict[str, list[str]] = crawl_labels()["meta_labels"]
    chunks = [
        c.strip()
        for c in sel.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]").getall()
    ]
    chunks = [c for c in chunks if c]
    found: dict[str, str] = {}
    for i, chunk in enumerate(chunks[:400]):
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
