"""A record -> the detail page a government portal would publish for it (HTML bytes).

The tables follow the national templates (annual-report-format.md §4–§6) with their real
spans: table 3's header block (the 勾稽关系 note colspan=3 rowspan=3, 申请人情况 over 7 columns,
自然人/总计 rowspan=2, 法人或其他组织 colspan=5), "三、本年度办理结果" rowspan 22 (v2021) or 20 (v2019)
with its sub-group rowspans, table 4's three header rows. Labels come from keys.yaml, so the
page always matches the key table. Legacy records get their statistics appendix instead.

Used by the portal farm and by the tests: `render_html(record)` then `read_grids` +
`extract_tables` must give the record's cells back.
"""

from __future__ import annotations

import functools
import hashlib
import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import groupby
from typing import Any, Literal

from govreports import spec

SECTION_HEADINGS: dict[str, str] = spec.section_headings()
_TABLE_AFTER = {"proactive": "active.", "applications": "applications.", "review_litigation": "appeals."}
T3_NOTE = spec.table3_note()
_T3_ORG_COLUMNS = ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
_TABLE_STYLE = 'border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse;width:100%;"'
_LEGACY_DEFAULT_HEADING = "六、政府信息公开情况统计表"


def render_html(
    record: dict,
    *,
    encoding: str = "utf-8",
    table2_style: Literal["one", "four"] = "four",
    blank_zeros: bool = False,
    title_suffix: str | None = None,
) -> bytes:
    """The complete detail page of `record`, encoded in `encoding` (utf-8 or gbk) with a
    matching declared charset. `blank_zeros` prints zero cells as &nbsp; (Shanghai 2019 style);
    `title_suffix` is appended to the article title everywhere it appears."""
    charset = {"utf-8": "utf-8", "utf8": "utf-8", "gbk": "gbk", "gb2312": "gbk", "gb18030": "gbk"}.get(
        encoding.lower()
    )
    if charset is None:
        raise ValueError(f"unsupported encoding {encoding!r}; use utf-8 or gbk")
    page = _page(record, charset, table2_style, blank_zeros, title_suffix)
    return page.encode(charset, errors="xmlcharrefreplace")


def article_html(
    record: Mapping[str, Any], *, table2_style: Literal["one", "four"] = "four", blank_zeros: bool = False
) -> str:
    """The article body alone (sections, tables, 落款): what `render_html` puts inside its
    `div.TRS_Editor`, for pages that bring their own chrome (the farm's portals)."""
    return _article_body(record, table2_style, blank_zeros)


# --------------------------------------------------------------------------- page


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _page(
    record: Mapping[str, Any], charset: str, table2_style: str, blank_zeros: bool, title_suffix: str | None
) -> str:
    title = f"{record.get('title') or ''}{title_suffix or ''}"
    agency = record.get("agency") or ""
    dates = record.get("dates") or {}
    published = dates.get("published")
    site = record.get("site_name") or f"{agency}门户网站"
    meta_dates = f'<meta name="PubDate" content="{_e(published)} 09:30">' if published else ""
    body = _article_body(record, table2_style, blank_zeros)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>{_e(title)}_{_e(site)}</title>
<meta name="SiteName" content="{_e(site)}">
<meta name="ColumnName" content="政府信息公开年报">
<meta name="ArticleTitle" content="{_e(title)}">
{meta_dates}
<meta name="ContentSource" content="{_e(agency)}">
<link rel="stylesheet" href="/css/common.css">
</head>
<body>
<div class="header"><div class="wrap"><a class="logo" href="/">{_e(site)}</a>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/zwfw/">政务服务</a></li><li><a href="/hdjl/">互动交流</a></li></ul></div></div>
<div class="wrap">
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="/zwgk/xxgknb/">政府信息公开年报</a></div>
<div class="xxgk-info">
<table class="xxgk_table" width="100%">
<tr><td class="label">索&nbsp;引&nbsp;号：</td><td>{_e(_index_no(record))}</td><td class="label">发布机构：</td><td>{_e(agency)}</td></tr>
<tr><td class="label">主题分类：</td><td>政务公开</td><td class="label">发文日期：</td><td>{_e(published or "")}</td></tr>
<tr><td class="label">名&nbsp;&nbsp;&nbsp;&nbsp;称：</td><td colspan="3">{_e(title)}</td></tr>
</table>
</div>
<div class="article">
<h1 class="article-title">{_e(title)}</h1>
<div class="article-info">发布时间：{_e(published or "")}&nbsp;&nbsp;来源：{_e(agency)}&nbsp;&nbsp;字体：[<a href="javascript:;">大</a> <a href="javascript:;">中</a> <a href="javascript:;">小</a>]</div>
<div class="article-content" id="zoom">
<div class="TRS_Editor">
{body}
</div>
</div>
</div>
</div>
<div class="footer"><p>主办：{_e(agency)}&nbsp;&nbsp;网站标识码：{_e(_site_code(record))}</p></div>
</body>
</html>
"""


def _index_no(record: Mapping[str, Any]) -> str:
    if record.get("index_no"):
        return str(record["index_no"])
    year = (record.get("dates") or {}).get("published") or str((record.get("year") or 2000) + 1)
    return f"{_site_code(record)}/{year[:4]}-{int(_digest(record)[:4], 16) % 100000:05d}"


def _site_code(record: Mapping[str, Any]) -> str:
    return f"{int(_digest(record)[4:12], 16) % 10**10:010d}"


def _digest(record: Mapping[str, Any]) -> str:
    return hashlib.sha256(f"{record.get('agency')}|{record.get('year')}".encode()).hexdigest()


def _paragraphs(text: str | None) -> str:
    if not text:
        return ""
    # escaped once as a whole: escaping neither adds nor removes line breaks or outer whitespace
    return "\n".join(
        f'<p style="text-indent:2em;">{stripped}</p>'
        for line in _e(text).splitlines()
        if (stripped := line.strip())
    )


def _article_body(record: Mapping[str, Any], table2_style: str, blank_zeros: bool) -> str:
    cells: Mapping[str, Any] = record.get("cells") or {}
    sections: Mapping[str, Any] = record.get("sections") or {}
    headings: Mapping[str, str] = record.get("headings") or {}
    template = record.get("template")
    parts: list[str] = [_paragraphs(record.get("preface"))]
    for sid, default in SECTION_HEADINGS.items():
        text = sections.get(sid)
        prefix = _TABLE_AFTER.get(sid)
        has_table = (
            template in ("v2021", "v2019")
            and prefix
            # the template's own keys answer at C speed; a scan only for records without them
            and (
                not _keys_set(template, prefix).isdisjoint(cells) or any(k.startswith(prefix) for k in cells)
            )
        )
        if text is None and not has_table:
            continue
        parts.append(f"<p><strong>{_e(headings.get(sid, default))}</strong></p>")
        parts.append(_paragraphs(text))
        if has_table and template in ("v2021", "v2019"):
            if sid == "proactive":
                table = _table2(template, cells, table2_style, blank_zeros)
            elif sid == "applications":
                table = _table3(template, cells, blank_zeros)
            else:
                table = _table4(template, cells, blank_zeros)
            parts.append(_printed_labels(table, record.get("printed_labels") or {}))
    if template == "legacy" and record.get("legacy"):
        parts.append(
            f"<p><strong>{_e(record.get('appendix_heading') or _LEGACY_DEFAULT_HEADING)}</strong></p>"
        )
        parts.append(_legacy_table(record["legacy"], record.get("year")))
    signed = (record.get("dates") or {}).get("signed")
    if signed:  # the 落款: body name and date under the text
        y, m, d = (int(p) for p in signed.split("-"))
        parts.append(f'<p style="text-align:right;">{_e(record.get("agency") or "")}</p>')
        parts.append(f'<p style="text-align:right;">{y}年{m}月{d}日</p>')
    return "\n".join(p for p in parts if p)


def _printed_labels(table: str, printed: Mapping[str, str]) -> str:
    """Swap canonical labels for the record's printed variants (seed 004's 本年度止件数 typo)."""
    for canonical, variant in printed.items():
        table = table.replace(f"<p>{_e(canonical)}</p>", f"<p>{_e(variant)}</p>")
    return table


# --------------------------------------------------------------------------- cells


def _value(key: str, value: Any, blank_zeros: bool) -> str:
    if value is None:
        return "&nbsp;"
    if blank_zeros and (value == 0 or value == "0"):
        return "&nbsp;"
    text = str(value)
    if key.endswith(_YUAN):
        text += "元"
    return _e(text)


_YUAN = ".amount_yuan"
_INT_ONLY = {int}
_YUAN_KEYS = frozenset(k.key for t in ("v2019", "v2021") for k in spec.keys(t) if k.key.endswith(_YUAN))


def _td(content: str, rowspan: int = 1, colspan: int = 1, cls: str = "") -> str:
    attrs = ""
    if rowspan > 1:
        attrs += f' rowspan="{rowspan}"'
    if colspan > 1:
        attrs += f' colspan="{colspan}"'
    if cls:
        attrs += f' class="{cls}"'
    return f'<td{attrs} style="text-align:center;vertical-align:middle;">{content}</td>'


def _label(text: str) -> str:
    return f"<p>{_e(text)}</p>"


@functools.cache
def _keys(template: str, prefix: str) -> tuple[spec.KeySpec, ...]:
    return tuple(k for k in spec.keys(template) if k.key.startswith(prefix))  # type: ignore[arg-type]


@functools.cache
def _keys_set(template: str, prefix: str) -> frozenset[str]:
    return frozenset(k.key for k in _keys(template, prefix))


# A table's markup depends on its template alone; only the value cells change from record to
# record. Each table is therefore built once per template with a marker in every value cell
# (`_Skeleton`), and a record's table is the skeleton with its values filled in: the farm renders
# a detail page per request, and rebuilding ~300 labelled, spanned cells each time was most of it.
_SLOT = "\x00"  # never in a label: keys.yaml and labels.yaml are printable text

Slot = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class _Skeleton:
    form: str  # the table's markup, a %s per value cell (and any literal % doubled)
    counts: str  # the same with %d per value cell, and 元 after the money cells
    keys: tuple[str, ...]  # the cell key of each value cell, in document order

    @classmethod
    def of(cls, build: Callable[[Slot], str]) -> _Skeleton:
        keys: list[str] = []

        def slot(key: str) -> str:
            keys.append(key)
            return _SLOT

        pieces = [p.replace("%", "%%") for p in build(slot).split(_SLOT)]
        assert len(pieces) == len(keys) + 1, "a label holds the slot marker"
        counts = pieces[0] + "".join(
            ("%d元" if key in _YUAN_KEYS else "%d") + piece
            for key, piece in zip(keys, pieces[1:], strict=True)
        )
        return cls("%s".join(pieces), counts, tuple(keys))

    def fill(self, cells: Mapping[str, Any], blank_zeros: bool) -> str:
        values = tuple(map(cells.get, self.keys))
        # The usual record: every cell a count (not None, not a bool, not a money string), so one
        # %d format prints it as _value would; zeros printed blank need the general path.
        if set(map(type, values)) == _INT_ONLY and not (blank_zeros and 0 in values):
            return self.counts % values
        get = cells.get
        return self.form % tuple(
            [
                str(v)
                if type(v := get(key)) is int and not (blank_zeros and v == 0) and key not in _YUAN_KEYS
                else _value(key, v, blank_zeros)
                for key in self.keys
            ]
        )


# --------------------------------------------------------------------------- table 2


def _table2(template: str, cells: Mapping[str, Any], style: str, blank_zeros: bool) -> str:
    # a caption block is printed only when the record has one of its cells
    blocks = [
        block.fill(cells, blank_zeros)
        for block_keys, block in _table2_blocks(template)
        if not block_keys.isdisjoint(cells)
    ]
    if not blocks:
        return ""
    if style == "one":
        return (
            f'<table class="MsoNormalTable" {_TABLE_STYLE}><tbody>\n'
            + "\n".join(blocks)
            + "\n</tbody></table>"
        )
    return "\n<p>&nbsp;</p>\n".join(
        f'<table class="MsoNormalTable" {_TABLE_STYLE}><tbody>\n' + b + "\n</tbody></table>" for b in blocks
    )


@functools.cache
def _table2_blocks(template: str) -> tuple[tuple[frozenset[str], _Skeleton], ...]:
    """Per caption of table 2: its cell keys and its rows (joined by newlines)."""
    out: list[tuple[frozenset[str], _Skeleton]] = []
    for caption, caption_keys in groupby(_keys(template, "active."), key=lambda k: k.table):
        ks = list(caption_keys)
        out.append(
            (
                frozenset(k.key for k in ks),
                _Skeleton.of(lambda slot, c=caption, ks=ks: _table2_block(c, ks, slot)),
            )
        )
    return tuple(out)


def _table2_block(caption: str, ks: list[spec.KeySpec], slot: Slot) -> str:
    columns = list(dict.fromkeys(k.column for k in ks))
    rows = list(dict.fromkeys(k.row for k in ks))
    trs = [f"<tr>{_td(f'<strong>{_e(caption)}</strong>', colspan=4)}</tr>"]
    trs.append("<tr>" + _td(_label("信息内容")) + "".join(_header_cells(columns)) + "</tr>")
    for row in rows:
        row_keys = [k for k in ks if k.row == row]
        tds = [_td(_label(row))]
        spans = _spans(len(columns))
        for k, span in zip(row_keys, spans, strict=True):
            tds.append(_td(slot(k.key), colspan=span))
        trs.append("<tr>" + "".join(tds) + "</tr>")
    return "\n".join(trs)


def _spans(n: int) -> list[int]:
    """Colspans of n value cells in the 3 value columns of the 4-column table 2."""
    return [1] * (n - 1) + [3 - (n - 1)]


def _header_cells(columns: list[str]) -> list[str]:
    return [_td(_label(c), colspan=s) for c, s in zip(columns, _spans(len(columns)), strict=True)]


# --------------------------------------------------------------------------- table 3


def _table3(template: str, cells: Mapping[str, Any], blank_zeros: bool) -> str:
    return _skeleton("table3", template).fill(cells, blank_zeros)


def _table3_markup(template: str, slot: Slot) -> str:
    keys_of_row: dict[str, list[str]] = {}
    for k in _keys(template, "applications."):
        keys_of_row.setdefault(k.key.split(".")[1], []).append(k.key)
    trs = [
        "<tr>" + _td(_label(T3_NOTE), rowspan=3, colspan=3) + _td(_label("申请人情况"), colspan=7) + "</tr>",
        "<tr>"
        + _td(_label("自然人"), rowspan=2)
        + _td(_label("法人或其他组织"), colspan=5)
        + _td(_label("总计"), rowspan=2)
        + "</tr>",
        "<tr>" + "".join(_td(_label(c)) for c in _T3_ORG_COLUMNS) + "</tr>",
    ]
    for rk, head in spec.table3_row_heads(template):  # type: ignore[arg-type]
        tds = [_td(_label(h.text), rowspan=h.rowspan, colspan=h.colspan) for h in head]
        tds += [_td(slot(key)) for key in keys_of_row[rk]]
        trs.append("<tr>" + "".join(tds) + "</tr>")
    return f'<table class="MsoNormalTable" {_TABLE_STYLE}><tbody>\n' + "\n".join(trs) + "\n</tbody></table>"


# --------------------------------------------------------------------------- table 4


def _table4(template: str, cells: Mapping[str, Any], blank_zeros: bool) -> str:
    return _skeleton("table4", template).fill(cells, blank_zeros)


def _table4_markup(template: str, slot: Slot) -> str:
    ks = _keys(template, "appeals.")
    groups = [list(g) for _, g in groupby(ks, key=lambda k: k.row)]
    results = [k.column for k in groups[0]]
    sub = [g[0].row.split("›")[-1].strip() for g in groups[1:]]
    trs = [
        "<tr>" + _td(_label("行政复议"), colspan=5) + _td(_label("行政诉讼"), colspan=10) + "</tr>",
        "<tr>"
        + "".join(_td(_label(r), rowspan=2) for r in results)
        + "".join(_td(_label(s), colspan=5) for s in sub)
        + "</tr>",
        "<tr>" + "".join(_td(_label(r)) for _ in sub for r in results) + "</tr>",
        "<tr>" + "".join(_td(slot(k.key)) for k in ks) + "</tr>",
    ]
    return f'<table class="MsoNormalTable" {_TABLE_STYLE}><tbody>\n' + "\n".join(trs) + "\n</tbody></table>"


_MARKUP: dict[str, Callable[[str, Slot], str]] = {"table3": _table3_markup, "table4": _table4_markup}


@functools.cache
def _skeleton(table: str, template: str) -> _Skeleton:
    return _Skeleton.of(lambda slot: _MARKUP[table](template, slot))


# --------------------------------------------------------------------------- legacy appendix


def _legacy_table(legacy: Mapping[str, Any], year: Any) -> str:
    has_cumulative = any(k.endswith("_cumulative") for k in legacy)
    head = ["指标名称", "计量单位", f"{year}年度" if year else "本年度"] + (
        ["历年累计"] if has_cumulative else []
    )
    trs = ["<tr>" + "".join(_td(_label(h)) for h in head) + "</tr>"]
    for name, value in legacy.items():
        if name.endswith("_cumulative"):
            continue
        tds = [_legacy_row_head(name), _td(_legacy_value(value))]
        if has_cumulative:
            tds.append(_td(_legacy_value(legacy.get(f"{name}_cumulative"))))
        trs.append("<tr>" + "".join(tds) + "</tr>")
    return f'<table class="MsoNormalTable" {_TABLE_STYLE}><tbody>\n' + "\n".join(trs) + "\n</tbody></table>"


@functools.cache
def _legacy_row_head(name: str) -> str:
    """The label and unit cells of an indicator row (the same in every record)."""
    indicators: Mapping[str, Any] = spec.labels()["tables"]["legacy"]["indicators"]
    entry = indicators.get(name) or {}
    label = entry.get("label") or name
    unit = entry.get("unit") or _unit_guess(name)
    return _td(_label(label)) + _td(_e(unit))


def _legacy_value(value: Any) -> str:
    return "/" if value is None else _e(value)


def _unit_guess(label: str) -> str:
    if re.search(r"(费用|经费|金额)", label):
        return "万元"
    if re.search(r"(人数|人员)", label):
        return "人"
    return "件" if "申请" in label else "条"
