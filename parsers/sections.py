"""The six numbered sections of a report (annual-report-format.md §3).

A heading is a line that starts with the section's bare ordinal ("四、") and carries ALL keywords
of one of its keyword sets (labels.yaml `sections`). That rule alone keeps out the pitfalls the
seeds contain: the preface sentence listing the six parts (no ordinal at line start), table 3's
row labels "四、结转下年度继续办理" (ordinal without the keywords) and the overview's sub-headings
"（一）主动公开政府信息情况" (bracketed ordinal).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import compress

from govreports import spec
from govreports.text import drop_spaces
from parsers.metadata import signature_lines
from parsers.record import SECTION_IDS

_ORDINALS = "一二三四五六七八九十"
# "一、", "一．", "一.", "一 " (after NFKC-free matching: both widths of the dot), "第一部分"
_HEADING_START = re.compile(rf"^\s*(?:第\s*)?([{_ORDINALS}])\s*(?:部分)?\s*[、．.，,:：\s]")
# A heading line ends at the first sentence/colon mark; whatever follows is body text.
_HEADING_END = re.compile(r"[：:。；;]")
_MAX_HEADING_CHARS = 40
# Ends of a complete line; anything else at a long line's end was cut by a page or line break.
_LINE_END = tuple("。！？；：…”」』）)!?;:")
_LIST_START = re.compile(
    rf"^\s*(?:[（(]?[{_ORDINALS}\d]+[）)]|[{_ORDINALS}]+[、．.]|\d+[、．.]|[{_ORDINALS}]是)"
)
_MIN_WRAPPED_CHARS = 25
# "联系地址:…", "电话：…": a label line starts a new line even after an unfinished one.
_LABEL_LINE = re.compile(r"^[\u4e00-\u9fff]{2,6}\s*[:：]")


# Not frozen: a frozen dataclass sets each field through object.__setattr__, which made building
# the headings of every report cost three times as much.
@dataclass(slots=True)
class Heading:
    section: str
    line: int  # index in the text's lines
    text: str
    rest: str  # text after the heading on the same line (inline headings "六、…：无。")


@dataclass(slots=True)
class SectionsResult:
    sections: dict[str, str | None]
    headings: list[Heading]  # accepted headings in document order

    @property
    def present(self) -> list[str]:
        return [sid for sid in SECTION_IDS if self.sections.get(sid) is not None]

    def in_order(self) -> bool:
        order = [SECTION_IDS.index(h.section) for h in self.headings]
        return order == sorted(order)


@cache
def _rules() -> tuple[tuple[str, str, tuple[tuple[str, ...], ...]], ...]:
    return tuple(
        (entry["id"], entry["ordinal"], tuple(tuple(ks) for ks in entry["keywords"]))
        for entry in spec.labels()["sections"]
    )


# Section id of the legacy statistics appendix heading: ends the section before it, is none itself.
APPENDIX = "appendix"


@cache
def _legacy_rules() -> tuple[tuple[str, ...], tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]]:
    conf = spec.labels()["legacy_sections"]
    rules = tuple((e["id"], tuple(tuple(ks) for ks in e["keywords"])) for e in conf["rules"])
    return tuple(conf["appendix_words"]), rules


_WS = re.compile(r"\s+")
_ENUMERATED = re.compile(rf"[{_ORDINALS}][、．.]")
_ENUMERATED_AFTER_MARK = re.compile(rf"[；;，,]\s*[{_ORDINALS}][、．.]")


def match_heading(line: str, *, legacy: bool = False) -> tuple[str, str, str] | None:
    """(section id, heading text, rest of line) if `line` is a section heading, else None.

    `legacy` (report years ≤ 2018, free structure): also the headings of labels.yaml
    `legacy_sections` under any ordinal, and the statistics appendix heading (id APPENDIX)."""
    if not _HEADING_START.match(line):
        return None  # most lines: no ordinal at their start
    return _match_heading(line, legacy)


@lru_cache(maxsize=4096)
def _match_heading(line: str, legacy: bool) -> tuple[str, str, str] | None:
    """match_heading of a line that starts with an ordinal; memoised, as headings and table
    row labels ("二、上年结转…") recur from report to report."""
    m = _HEADING_START.match(line)
    if not m:
        return None
    ordinal = m.group(1)
    body = line[m.end() :]
    end = _HEADING_END.search(body)
    head, rest = (body[: end.start()], body[end.end() :]) if end else (body, "")
    compact = drop_spaces(head)
    if not compact or len(compact) > _MAX_HEADING_CHARS:
        return None
    # A line that enumerates several parts ("一、总体情况 二、主动公开…") is a list, not a heading.
    if _ENUMERATED.search(compact) or _ENUMERATED_AFTER_MARK.search(body):
        return None
    text = _WS.sub(" ", line[: m.end()] + head).strip()
    for sid, rule_ordinal, keyword_sets in _rules():
        if rule_ordinal != ordinal:
            continue
        if any(all(k in compact for k in ks) for ks in keyword_sets):
            return sid, text, rest.strip()
    if legacy:
        appendix_words, rules = _legacy_rules()
        if any(w in compact for w in appendix_words):
            return APPENDIX, text, rest.strip()
        for sid, keyword_sets in rules:
            if any(all(k in compact for k in ks) for ks in keyword_sets):
                return sid, text, rest.strip()
    return None


def find_headings(lines: list[str], kept: Sequence[int], *, legacy: bool = False) -> list[Heading]:
    """The first heading of each section among `lines[i] for i in kept` (the lines that are no
    table's), in document order (with `legacy`, the appendix heading too, as section APPENDIX)."""
    seen: dict[str, Heading] = {}
    # Only a line with an ordinal at its start can be a heading (a blank line never is): the
    # kept lines are tested in C and the loop sees only those that start so.
    for i in compress(kept, map(_HEADING_START.match, map(lines.__getitem__, kept))):
        hit = _match_heading(lines[i], legacy)
        if hit and hit[0] not in seen:
            seen[hit[0]] = Heading(hit[0], i, hit[1], hit[2])
    return list(seen.values())  # inserted as the lines come: in document order


def _kept(count: int, skip: Iterable[int]) -> list[int]:
    """The line indices below `count` not in `skip`, in order."""
    return sorted(set(range(count)).difference(skip))


def join_wrapped(lines: list[str]) -> str:
    """Paragraphs joined across page/line breaks that cut a sentence ("注\\n\\n意文件", seed 002)."""
    out: list[str] = []
    # Blank lines dropped and the rest stripped in C, before the loop that needs the previous line.
    for line in filter(None, map(str.strip, lines)):
        if (
            out
            and len(out[-1]) >= _MIN_WRAPPED_CHARS
            and not out[-1].endswith(_LINE_END)
            and not _LIST_START.match(line)
            and not _LABEL_LINE.match(line)
        ):
            out[-1] += line
        else:
            out.append(line)
    return "\n".join(out)


def split_sections(text: str, table_lines: Iterable[int] = (), *, legacy: bool = False) -> SectionsResult:
    """Section texts between recognised headings; table lines excluded; absent sections None.

    `legacy`: a report year ≤ 2018 (free structure, §2.3): legacy headings are recognised too,
    and the statistics appendix heading ends the section before it."""
    lines = text.splitlines()
    # One list of the lines that are no table's serves the headings and the section bodies
    # (a page's text can hold hundreds of table lines).
    kept = _kept(len(lines), table_lines)
    found = find_headings(lines, kept, legacy=legacy)
    # The 落款 (body name, date) closes the report, it is not part of section 六 (the date is
    # read as dates.signed by metadata.signature).
    signed = signature_lines(lines)
    if signed:
        kept = [i for i in kept if i not in signed]
    sections: dict[str, str | None] = dict.fromkeys(SECTION_IDS)
    for n, heading in enumerate(found):
        if heading.section == APPENDIX:
            continue
        stop = found[n + 1].line if n + 1 < len(found) else len(lines)
        body = [heading.rest] if heading.rest else []
        body += map(lines.__getitem__, kept[bisect_right(kept, heading.line) : bisect_left(kept, stop)])
        sections[heading.section] = join_wrapped(body)
    return SectionsResult(sections, [h for h in found if h.section != APPENDIX])
