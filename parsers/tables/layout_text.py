"""Flattened text -> rows (annual-report-format.md §10 items 2–4).

Handles, line by line:
- tab rows with shifted merged cells (seeds 000, 002–004): a line is split at tabs;
- markdown tables ("| 规章 | 0 | 0 | 0 |"), separator lines skipped;
- one cell per line (seed 001): value-only lines are appended to the row the previous
  single-cell line opened, so "规章" / "0" / "0" / "0" becomes one row;
- label and digits run together ("规章000行政规范性文件8855698"): split at known row labels
  into one row per label; the digit runs are resolved later (digits.py).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from govreports import spec
from parsers.tables import mapping
from parsers.tables.normalize import CACHE_SIZE, inert_prefix, prefixes
from parsers.tables.rows import Row, is_known_printed_label, is_value, label_cjk_max, more_cjk_than_labels

_MD_SEPARATOR_RE = re.compile(r"^:?-{2,}:?$")
# label (optionally starting with a "1." ordinal) followed by a run of figures
_GLUED_RE = re.compile(
    r"\s*((?:\d{1,2}[.．、])?\s*[^\d\s+\-][^\d]*?)\s*([+\-]?\d[\d\s,.+\-]*(?:万元|元)?)\s*"
)


def line_cells(line: str) -> list[str] | None:
    """The cells of one text line; None for a markdown separator line."""
    stripped = line.strip()
    if stripped.startswith("|") and stripped.count("|") >= 2:
        inner = stripped.strip("|").split("|")
        if all(_MD_SEPARATOR_RE.match(c.strip()) for c in inner if c.strip()):
            return None
        return [c.strip() for c in inner]
    if "\t" in line:
        return [c.strip() for c in line.split("\t")]
    return [stripped]


def unglue(cell: str) -> list[str]:
    """ "规章000行政规范性文件8855698" -> ["规章", "000", "行政规范性文件", "8855698"].

    Only when every label piece is a known row label; anything else is left whole (a narrative
    sentence with figures in it is not a table row).
    """
    # (a cell without any digit is never a value nor glued: the cheap test first; nor is one whose
    # opening no known label starts with, since the first glued label would start so)
    if not _has_digit(cell) or _starts_no_label(cell) or is_value(cell):
        return [cell]
    pieces: list[str] = []
    pos = 0
    while pos < len(cell):
        match = _GLUED_RE.match(cell, pos)
        if not match or match.end() == pos:
            return [cell]
        label, run = match.group(1), match.group(2).strip()
        if not is_known_printed_label(label):  # (a sentence's words are never normalised)
            return [cell]
        pieces += [label.strip(), *run.split("  ")] if "  " in run else [label.strip(), run]
        pos = match.end()
    return pieces


_DECIMAL_RE = re.compile(r"\d")


def _has_digit(text: str) -> bool:
    """any(map(str.isdigit, text)): a decimal digit found by the pattern in C; only a text without
    one is searched for the other digits isdigit knows (², ①)."""
    return _DECIMAL_RE.search(text) is not None or any(map(str.isdigit, text))


@lru_cache(maxsize=CACHE_SIZE)
def _unglued(cell: str) -> tuple[str, ...]:
    """`unglue`, memoised per cell: a line with new figures is mostly cells seen before
    ("规章", "0", "41")."""
    return tuple(unglue(cell))


# Printed punctuation variants a label may carry (full/half width, ordinal separators).
_FLEX = {
    "（": "[（(]",
    "(": "[（(]",
    "）": "[）)]",
    ")": "[）)]",
    "：": "[：:]",
    ":": "[：:]",
    "，": "[，,]",
    ",": "[，,]",
    "、": "[、.．]",
    ".": "[.．、]",
    "“": "[“\"']?",
    "”": "[”\"']?",
}
# Figures after a label; a count word right after them (件, 条, %) means narrative, not a cell.
_RUN_RE = re.compile(r"\s*([+\-]?\d[\d\s,.+\-]*(?:万元|元)?)(?![\d件条个人次项%％年月日号])")
# Where the tables of a run-together page start, and the section after them.
_TABLES_START_RE = re.compile(r"第二十条第[（(]|[（(]本列数据的勾稽关系|一[、.]本年新收政府信息公开申请")
# Words each alternative of _TABLES_START_RE holds: a line without any of them matches none.
_TABLES_START_WORDS = ("第二十条第", "本列数据的勾稽关系", "本年新收政府信息公开申请")
_TABLES_END_RE = re.compile(r"五[、.][^。，,]{0,20}?(?:问题|改进)")
# A line this long holding a table marker is a whole page run together (Pingtan page text).
_RUN_TOGETHER_MIN = 120
# ... and it holds at least this many label + figures pairs (a sentence citing 第二十条第（一）项 does not).
_RUN_TOGETHER_MIN_ROWS = 5


def _flex(label: str) -> str:
    return "".join(_FLEX.get(ch, re.escape(ch)) for ch in label)


@cache
def _label_re() -> re.Pattern[str]:
    """Every printed table label: captions, headers, row labels with their ordinals, table 3's
    note, table 4's header words. Longest first, so （七）总计 wins over 总计."""
    conf = spec.labels()["tables"]
    labels: set[str] = {conf["table2_header"]}
    for template in mapping.TEMPLATES:
        for k in spec.keys(template):  # type: ignore[arg-type]
            labels.add(k.column)
            labels.update(p.strip() for p in k.row.replace("›", "/").split("/"))
    patterns = sorted((_flex(lab) for lab in labels), key=len, reverse=True)
    caption = r"第二十条第[（(][一二三四五六七八九十]+[)）]项"
    note = r"[（(]本列数据的勾稽关系[^)）]*[)）]"
    return re.compile("|".join([caption, note, *patterns]))


def _is_run_together(line: str) -> bool:
    # (the marker's fixed words are sought first, in C: most long lines are narrative)
    return (
        len(line) >= _RUN_TOGETHER_MIN
        and any(word in line for word in _TABLES_START_WORDS)
        and bool(_TABLES_START_RE.search(line))
    )


def split_run_together(line: str) -> list[list[str]]:
    """A page's text with no line or cell breaks -> one cell list per label (label, figures).

    Only the stretch from the first table marker to section 五 is cut at labels: labels in the
    narrative ("现行有效行政规范性文件393件") must never turn into cells. Text outside that
    stretch, and between a label's figures and the next label, is kept as cells of its own."""
    start_m = _TABLES_START_RE.search(line)
    if start_m is None:
        return [[line]]
    start = start_m.start()
    end_m = _TABLES_END_RE.search(line, start)
    end = end_m.start() if end_m else len(line)
    out: list[list[str]] = []
    if line[:start].strip():
        out.append([line[:start].strip()])
    matches = list(_label_re().finditer(line, start, end))
    if matches and matches[0].start() > start:
        out.append([line[start : matches[0].start()].strip()])
    for n, m in enumerate(matches):
        stop = matches[n + 1].start() if n + 1 < len(matches) else end
        cells = [m.group()]
        rest = line[m.end() : stop]
        run = _RUN_RE.match(rest)
        if run and run.group(1).strip():
            cells.append(run.group(1).strip())
            rest = rest[run.end() :]
        out.append(cells)
        if rest.strip():
            out.append([rest.strip()])
    if line[end:].strip():
        out.append([line[end:].strip()])
    return out


# What one line contributes to the rows (see `_line_plan`).
_Segments = tuple[tuple[str, ...], ...]
_LinePlan = tuple[bool, _Segments, tuple[str, ...], bool]


def _split_line(line: str) -> tuple[_Segments, tuple[str, ...], bool] | None:
    """(row segments, non-blank cells, all of them values) of one line; None for a markdown
    separator."""
    cells = line_cells(line)
    if cells is None:
        return None
    # One pass and one is_value per piece: the row segments (split at every label that follows a
    # value), the non-blank pieces and whether all are values (a table row's line is new in
    # every report, its figures are, so this runs once per row).
    segments: list[tuple[str, ...]] = []
    current: list[str] = []
    current_filled = seen_value = False
    filled: list[str] = []
    all_values = True
    for cell in cells:
        for piece in _unglued(cell):
            if piece:
                filled.append(piece)
                if is_value(piece):
                    seen_value = True
                else:
                    all_values = False
                    if seen_value:  # a label after a value starts the next row
                        if current_filled:
                            segments.append(tuple(current))
                        current, current_filled, seen_value = [], False, False
                current_filled = True
            current.append(piece)
    if current_filled:
        segments.append(tuple(current))
    return tuple(segments), tuple(filled), all_values


@lru_cache(maxsize=CACHE_SIZE)
def _line_plan(line: str) -> _LinePlan | None:
    """(run together, row segments, non-blank cells, all of them values) of one line; None for a
    blank line or a markdown separator. For a run-together page line the segments are its
    label + figures pieces. A pure function of the line, memoised: table lines ("0", "规章",
    "（一）予以公开") recur in every report, and one lookup per line is the whole cost then."""
    if not line.strip():
        return None
    if _is_run_together(line):
        pieces = split_run_together(line)
        if sum(len(cells) > 1 for cells in pieces) >= _RUN_TOGETHER_MIN_ROWS:
            return True, tuple(map(tuple, pieces)), (), False
    split = _split_line(line)
    return None if split is None else (False, *split)


def text_rows(text: str) -> list[Row]:
    rows: list[Row] = []
    prev_single = False  # the previous non-blank line held exactly one cell
    for i, line in enumerate(text.splitlines()):
        if not line:
            continue  # (what _line_plan says of it, without the cache lookup: a quarter of the lines)
        plan = _line_plan(line)
        if plan is None:
            continue
        run_together, segments, filled, value_only = plan
        if run_together:
            # rows of a line that mixes narrative and tables claim no line: the section
            # splitter must not drop the narrative with them
            rows += [Row(list(cells)) for cells in segments]
            prev_single = False
        elif value_only and prev_single and rows:
            rows[-1].cells.extend(filled)
            rows[-1].lines.add(i)
            prev_single = len(filled) == 1
        else:
            for segment in segments:
                rows.append(Row(list(segment), {i}))
            prev_single = len(filled) == 1
    return _join_wrapped_labels(rows)


def _join_wrapped_labels(rows: list[Row]) -> list[Row]:
    """A long row label wrapped onto two lines ("1.申请人无正当理由逾期不补正、行政机关不再处理" /
    "其政府信息公开申请" + figures) becomes one row when only the joined label is known."""
    out: list[Row] = []
    for row in rows:
        if out and row.cells and len(out[-1].cells) == 1 and not _starts_no_label(out[-1].cells[0].strip()):
            # (a head no known label starts with joins nothing: told before the pair's cache
            # lookup, which misses for nearly every narrative pair)
            joined = _wrapped_label(out[-1].cells[0], row.cells[0])
            if joined is not None:
                prev = out[-1]
                out[-1] = Row([*joined, *row.cells[1:]], prev.lines | row.lines)
                continue
        out.append(row)
    return out


@cache
def _long_label_run() -> re.Pattern[str]:
    """A run of non-digits (from the start or a digit on) holding more CJK ideographs than any
    known label."""
    cjk = "\u4e00-\u9fff"
    return re.compile(f"(?:^|(?<=\\d))(?:[^{cjk}\\d]*[{cjk}]){{{label_cjk_max() + 1}}}")


def _label_too_long(joined: str) -> bool:
    """`joined` (two lines, mostly narrative) cannot be a wrapped label: unglue cuts label
    pieces between digit runs, so a run of non-digits with more CJK ideographs than any known
    label is one unknown piece (or an unknown whole). Saves ungluing two joined sentences."""
    return _long_label_run().search(joined) is not None


@cache
def _label_prefixes() -> frozenset[str]:
    """Every prefix of every known (normalised) row or group label."""
    return prefixes([*mapping.row_labels(), *mapping.group_labels()])


def _starts_no_label(head: str) -> bool:
    """No label joined from `head` and the line after it can be a known one, whatever that line.

    The label `_wrapped_label` tests starts where `head` starts and covers its `inert_prefix`
    (it runs up to the first digit run; a digit prefix is no label start, so there the whole
    joined text is the label), and normalising leaves that prefix as it is. So when no known
    label starts with it, the pair needs no look (headings, dates and narrative lines, mostly)."""
    opening = inert_prefix(head)
    return opening is not None and opening not in _label_prefixes()


@lru_cache(maxsize=CACHE_SIZE)
def _wrapped_label(head: str, first: str) -> tuple[str, ...] | None:
    """The cells of `head` + `first` when they are one known label wrapped onto two lines, else
    None. Memoised: table text (one cell per line) pairs the same labels in every report."""
    if is_value(first):
        return None
    head = head.strip()
    if not head or _starts_no_label(head):
        return None
    text = head + first.strip()
    if _label_too_long(text) or is_value(head) or is_known_printed_label(head):
        return None
    if more_cjk_than_labels(text):
        # Too many ideographs for one known label (two narrative lines, mostly): only a cut into
        # known label pieces can still give one, and unglue cuts only when its first glued label
        # is known. Saves ungluing the pair.
        glued = _GLUED_RE.match(text)
        if glued is None or not is_known_printed_label(glued.group(1)):
            return None
    joined = unglue(text)
    return tuple(joined) if is_known_printed_label(joined[0]) else None
