"""What a link, a title or a page is: report, decoy, report column, disclosure area, soft page.

All word lists come from govreports/spec/labels.yaml (portals.md §2); nothing is repeated here.
Pure functions: strings in, verdicts out, so they are unit-tested without Scrapy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from govreports import spec

_YEAR = re.compile(r"(?:19|20)\d{2}|[〇○零一二][〇○零一二三四五六七八九]{3}")
_TRUNCATED = re.compile(r"(…|\.\.\.|。。。)\s*$")

Kind = Literal["report", "maybe", "decoy", "other"]


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: Kind
    reason: str

    @property
    def accepted(self) -> bool:
        return self.kind == "report"


@cache
def _title_rules() -> dict[str, Any]:
    return spec.labels()["report_title"]


@cache
def _crawl() -> dict[str, Any]:
    return spec.labels()["crawl"]


def crawl_labels() -> dict[str, Any]:
    return _crawl()


@cache
def template_markers() -> tuple[str, ...]:
    return tuple(spec.labels()["template_markers"])


def normalize(text: str | None) -> str:
    """Collapse all blanks (ASCII, full-width, nbsp) so "标　　题" and "标 题" compare equal."""
    # str.split() drops exactly what the pattern [\s\u3000\xa0]+ matched (str.isspace; checked over
    # every code point) at a quarter of the cost: the crawler calls this on every text node.
    return "".join(text.split()) if text else ""


def has_year(text: str) -> bool:
    return bool(_YEAR.search(text))


def classify_title(title: str | None) -> Verdict:
    """portals.md §2 step 4 on a title alone.

    `maybe` = could be a report (truncated, or report words without the full pattern): the
    detail page decides by its own title or the template markers.
    """
    text = normalize(title)
    if not text:
        return Verdict("maybe", "no title")
    rules = _title_rules()
    for word in rules["decoys"]:
        if word in text:
            return Verdict("decoy", f"decoy word {word!r}")
    must = all(w in text for w in rules["must"])
    any_ = any(w in text for w in rules["any"])
    if must and any_ and has_year(text):
        return Verdict("report", "report title")
    if _TRUNCATED.search(title or "") and (must or any_ or has_year(text)):
        return Verdict("maybe", "truncated title")
    if must or any_:
        return Verdict("maybe", "report words without the full pattern")
    return Verdict("other", "not a report title")


def has_template_markers(text: str | None) -> bool:
    if not text:
        return False
    flat = normalize(text)
    return any(normalize(m) in flat for m in template_markers())


_BRACKETS = re.compile(r"[（(【\[]\s*([^）)】\]]{1,8})\s*[）)】\]]")


def variant_of(title: str | None) -> tuple[str, str | None]:
    """(title without a rendering marker, the marker) — "…年度报告（图片版）" -> ("…年度报告", "图片版")."""
    text = normalize(title)
    markers = _crawl()["variant_markers"]
    for m in _BRACKETS.finditer(text):
        if m.group(1) in markers:
            return text[: m.start()] + text[m.end() :], m.group(1)
    return text, None


# --- navigation ------------------------------------------------------------------------------


def _path_segments(url: str) -> list[str]:
    path = unquote(urlsplit(url).path).lower()
    return [s for s in path.split("/") if s]


def _slug_match(segments: list[str], slugs: list[str]) -> str | None:
    """A segment equal to a slug, or the slug followed by a separator/id (zfxxgknb_184382, gknb2017)."""
    for seg in segments:
        stem = seg.split(".")[0]
        for slug in slugs:
            if stem == slug or re.fullmatch(rf"{re.escape(slug)}[_\-]?\w*", stem):
                return slug
    return None


def column_rejection(text: str, url: str) -> str | None:
    """Why a link is a decoy sibling column (网站年度报表, 政府工作报告, 解读), else None."""
    crawl = _crawl()
    slug = _slug_match(_path_segments(url), crawl["column_reject_slugs"])
    if slug:
        return f"decoy column slug {slug!r}"
    flat = normalize(text)
    for word in crawl["column_reject_text"]:
        if word in flat:
            return f"decoy column word {word!r}"
    return None


def is_report_column(text: str, url: str) -> bool:
    """Link text 年报/年度报告 with 信息公开, a column slug, or the gkmlpt annual-report route.
    A report slug wins over a misleading nav label (szyyj.gd.gov.cn's xxgknb is "工作报表")."""
    crawl = _crawl()
    if column_rejection("", url):
        return False
    path = urlsplit(url).path
    if any(path.startswith(p) for p in crawl["gkmlpt_paths"]):
        return True
    if _slug_match(_path_segments(url), crawl["column_slugs"]):
        return True
    if column_rejection(text, url):
        return False
    flat = normalize(text)
    if not flat or len(flat) > 24:
        return False
    if any(w in flat for w in crawl["column_text_any"]):
        # A bare "年报" nav entry sits inside the disclosure tree; with 公开 it is unambiguous.
        return any(w in flat for w in crawl["column_text_with"]) or len(flat) <= 6
    return False


def is_report_column_meta(column_name: str | None) -> bool:
    flat = normalize(column_name)
    if not flat:
        return False
    crawl = _crawl()
    if any(w in flat for w in crawl["column_reject_text"]):
        return False
    return flat in crawl["column_meta"] or (
        any(w in flat for w in crawl["column_text_any"]) and any(w in flat for w in crawl["column_text_with"])
    )


def is_column_url(url: str) -> bool:
    """The URL itself names a report column (a start URL given as the column)."""
    crawl = _crawl()
    if column_rejection("", url):
        return False
    if any(urlsplit(url).path.startswith(p) for p in crawl["gkmlpt_paths"]):
        return True
    return bool(_slug_match(_path_segments(url), crawl["column_slugs"]))


def is_area_link(text: str, url: str) -> bool:
    """A link into the 信息公开 tree (nav text or path)."""
    crawl = _crawl()
    path = urlsplit(url).path
    if any(path.startswith(p) for p in crawl["area_paths"]):
        return True
    flat = normalize(text)
    if flat and len(flat) <= 16 and any(w in flat for w in crawl["area_text"]):
        return not any(w in flat for w in crawl["column_reject_text"])
    return bool(_slug_match(_path_segments(url)[:3], crawl["area_slugs"]))


def is_subunit_link(text: str) -> bool:
    """A township / department subtree entry ("乡镇街道", "下各镇", "县民政局")."""
    flat = normalize(text)
    if not flat or len(flat) > 14 or has_year(flat):
        return False
    crawl = _crawl()
    if any(w in flat for w in crawl["column_reject_text"]):
        return False
    if any(flat == w or flat.startswith(w) for w in crawl["subunit_text"]):
        return True
    return any(flat.endswith(s) for s in crawl["subunit_suffixes"])


_DIGITS = re.compile(r"\d+")


def same_url_shape(url: str, column_url: str) -> bool:
    """Another column of the same CMS numbering scheme: the paths differ only in their digit runs
    (`/col/col1229000101/index.html` beside `/col/col1229000001/index.html`). Hanweb and JPaaS
    number every column flatly, so a township sub-column is not below its parent's directory."""
    u, c = urlsplit(url), urlsplit(column_url)
    if u.netloc != c.netloc or u.path == c.path or not _DIGITS.search(c.path):
        return False
    return _DIGITS.sub("0", u.path) == _DIGITS.sub("0", c.path)


def is_pager_text(text: str) -> bool:
    flat = normalize(text)
    return flat in _crawl()["pager_text"] or (flat.isdigit() and len(flat) <= 4)


# --- pages that are not content --------------------------------------------------------------


def soft_page_kind(text: str) -> str | None:
    """'soft404' or 'soft_block' when a 200 page's visible text says so (and is short)."""
    flat = normalize(text)
    if len(flat) > 3000:
        return None
    crawl = _crawl()
    for word in crawl["soft_block"]:
        if normalize(word) in flat:
            return "soft_block"
    for word in crawl["soft_404"]:
        if normalize(word) in flat:
            return "soft404"
    return None


# --- a parent region's report reposted on this portal ------------------------------------------


def _region_level(name: str) -> int | None:
    for level, suffixes in enumerate(_crawl()["region_levels"], start=1):
        if any(name.endswith(s) for s in suffixes):
            return level
    return None


def _strip_agency(name: str) -> str:
    for word in _crawl()["agency_strip"]:
        if name.endswith(word) and len(name) > len(word):
            return name[: -len(word)]
    return name


def title_agency(title: str) -> str:
    """The body named by a report title: text before the year, else between the year and 政府信息公开."""
    text = normalize(title)
    m = _YEAR.search(text)
    if not m:
        return ""
    before = text[: m.start()]
    if before:
        return before
    after = text[m.end() :].lstrip("年度")
    for stop in ("政府信息公开", "信息公开"):
        if stop in after:
            return after[: after.index(stop)]
    return ""


def repost_reason(title: str, site_name: str | None) -> str | None:
    """A report of a region above this portal's own (内蒙古自治区 on an Ordos site): real, but not this
    portal's body, so it is not stored here."""
    if not site_name:
        return None
    agency = _strip_agency(title_agency(title))
    site = _strip_agency(normalize(site_name))
    if not agency or not site or agency == site:
        return None
    a_level, s_level = _region_level(agency), _region_level(site)
    if a_level is None or s_level is None:
        return None
    if a_level < s_level:
        return f"repost of the higher region {agency!r} (portal {site!r})"
    return None
