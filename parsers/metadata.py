"""Title, agency, year, body_kind, template and dates of a report (annual-report-format.md §11, §1.3).

Pure functions over the document text and page metadata. Label knowledge (report-type words,
body-kind suffixes, period labels) comes from labels.yaml; nothing here guesses a value: what
cannot be read stays None.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import islice

from govreports import spec
from govreports.text import drop_spaces
from parsers.document import PageMeta

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "o": 0, "０": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_CN_NUM = "〇○零Oo０一二三四五六七八九十"
_YEAR_ARABIC = r"((?:19|20)\d{2})"
_YEAR_CN = rf"([{_CN_NUM}]{{4}})"
_SEP = r"\s*"
# "2023年1月12日", "2023 年 1 月 1 日", "2024-01-30 22:06", "2024/1/30", "2024.01.30"
DATE_ARABIC = re.compile(
    rf"{_YEAR_ARABIC}{_SEP}(?:年{_SEP}(\d{{1,2}}){_SEP}月{_SEP}(\d{{1,2}}){_SEP}[日号]?"
    rf"|[-/.．]{_SEP}(\d{{1,2}}){_SEP}[-/.．]{_SEP}(\d{{1,2}})(?!\d))"
)
# "二○一二年二月二十日", "二〇二四年一月十日"
DATE_CN = re.compile(
    rf"{_YEAR_CN}{_SEP}年{_SEP}([{_CN_NUM}]{{1,3}}){_SEP}月{_SEP}([{_CN_NUM}]{{1,3}}){_SEP}[日号]"
)
_ANY_DATE = re.compile(f"(?:{DATE_ARABIC.pattern})|(?:{DATE_CN.pattern})")


def _cn_int(text: str) -> int | None:
    """Chinese numerals up to 99 ("二十", "十一", "三十一") or digit-by-digit ("二〇二三")."""
    if not text:
        return None
    if "十" in text:
        head, _, tail = text.partition("十")
        tens = _CN_DIGITS.get(head) if head else 1
        ones = _CN_DIGITS.get(tail) if tail else 0
        if tens is None or ones is None:
            return None
        return tens * 10 + ones
    value = 0
    for ch in text:
        digit = _CN_DIGITS.get(ch)
        if digit is None:
            return None
        value = value * 10 + digit
    return value


def _iso(year: int | None, month: int | None, day: int | None) -> str | None:
    if year is None or month is None or day is None:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _match_iso(m: re.Match[str]) -> str | None:
    """The ISO date of an `_ANY_DATE` match (the one date pattern the finders here search with)."""
    # Unpacked in one step: year, month, day of the arabic form (month and day in groups 2-3
    # after 年/月, or 4-5 after -/.), then year, month, day of the Chinese one.
    year, month, day, month2, day2, cn_year, cn_month, cn_day = m.groups()
    if year:
        return _iso(int(year), int(month or month2), int(day or day2))
    return _iso(_cn_int(cn_year), _cn_int(cn_month), _cn_int(cn_day))


def parse_date(text: str | None) -> str | None:
    """The first date in `text` as an ISO string, or None. Accepts every form of §11."""
    if not text:
        return None
    for m in _ANY_DATE.finditer(text):
        iso = _match_iso(m)
        if iso:
            return iso
    return None


def find_dates(text: str, *, limit: int | None = None) -> list[tuple[int, int, str]]:
    """Every valid date in `text` as (start, end, iso); with `limit`, the first `limit` only
    (the rest of the text is not searched)."""
    out = []
    for m in _ANY_DATE.finditer(text):
        iso = _match_iso(m)
        if iso:
            out.append((m.start(), m.end(), iso))
            if len(out) == limit:
                break
    return out


# ---------------------------------------------------------------------------------------- title


# The title and a release line sit in the first lines; never split the whole report for them.
_HEAD_CHARS = 6000


def _head_lines(text: str) -> Iterator[str]:
    """The lines of `text[:_HEAD_CHARS]`, as `splitlines()` gives them, produced a chunk at a time:
    the callers stop after a dozen lines, so most of the head is never split. Chunks end just
    after a "\n", where every line break ends (so "\r\n" is never cut in two)."""
    head = text[:_HEAD_CHARS]
    start = 0
    while start < len(head):
        cut = head.find("\n", start + _HEAD_CHUNK)
        end = len(head) if cut == -1 else cut + 1
        yield from head[start:end].splitlines()
        start = end


# Small: a page's head runs on into table cells of a few characters a line, and every line of a
# chunk is split whether read or not (512 made the title search on HTML pages ~1.4x slower).
_HEAD_CHUNK = 128


def collapse(text: str) -> str:
    return " ".join(text.split())  # = _WS.sub(" ", text).strip()


def _labels() -> dict:
    return spec.labels()


def _is_title_like(text: str) -> bool:
    """`text` without its blanks holds every `must` word of labels.yaml and one of its report words."""
    return _title_like_re().match(text) is not None


def _spaced(word: str) -> str:
    """A pattern for `word` with any blanks between its characters: it finds `word` in a text
    exactly when drop_spaces(text) holds it (re's \\s and str.split agree on what a blank is)."""
    return r"\s*".join(map(re.escape, word))


@cache
def _title_like_re() -> re.Pattern[str]:
    # One match per candidate line instead of dropping its blanks and testing each word: the
    # title test runs on a dozen head lines of every report. A lookahead per condition, so the
    # words may come in any order; DOTALL because a page's title may hold a line break.
    labels = _labels()
    words = dict.fromkeys([*labels["report_title"]["any"], *labels["title_line_any"]])
    if not words:
        return re.compile(r"(?!)")  # any() of no words: nothing is a title
    must = "".join(f"(?=.*{_spaced(w)})" for w in labels["report_title"]["must"])
    return re.compile(rf"{must}(?=.*(?:{'|'.join(map(_spaced, words))}))", re.DOTALL)


def title_from_text(text: str, *, max_lines: int = 15) -> str | None:
    """The report's own heading: an early short line naming 信息公开 and a report word."""
    # C iterators strip, count and test the head lines: a Python loop over a dozen lines per
    # report cost more than the tests themselves.
    filled = islice(filter(None, map(str.strip, _head_lines(text))), max_lines)
    line = next(filter(_title_line_re().match, filled), None)
    return collapse(line) if line else None


@cache
def _title_line_re() -> re.Pattern[str]:
    # A title-like line of at most 70 characters without a tab (a table row) that does not end
    # like a sentence (the preface); the length comes first and is possessive ({0,70}+), so a
    # long line fails at once instead of retrying 70 shorter lengths.
    return re.compile(rf"(?=[^\t]{{0,70}}+\Z)(?!.*[。；;]\Z){_title_like_re().pattern}", re.DOTALL)


def strip_variant(title: str) -> str:
    """ "…年度报告（图片版）" -> "…年度报告": the variant mark names a source, not the report."""
    return _variant_mark_re().sub("", title)


@cache
def _variant_mark_re() -> re.Pattern[str]:
    marks = "|".join(map(re.escape, _labels()["title_variant_marks"]))
    return re.compile(rf"\s*[（(【\[]\s*(?:{marks})\s*[）)】\]]\s*$")


def choose_title(text: str, meta: PageMeta, context: PageMeta | None) -> str | None:
    """The document's own heading, else the page's title, else the linking page's.

    When the page states the same title as the document (equal without blanks), the page's
    spelling wins: PDF extraction inserts blanks between runs ("某局 2019 年…") that the
    typed page title does not have.
    """
    own = title_from_text(text)
    stated = [t for t in (meta.title, context.title if context else None) if t and _is_title_like(t)]
    if own:
        for title in stated:
            if drop_spaces(title) == drop_spaces(own):
                return strip_variant(collapse(title))
        return strip_variant(own)
    if stated:
        return strip_variant(collapse(stated[0]))
    fallback = meta.title or (context.title if context else None)
    return strip_variant(collapse(fallback)) if fallback else None


# ---------------------------------------------------------------------------------------- year


_TITLE_YEAR = re.compile(rf"{_YEAR_ARABIC}\s*年|{_YEAR_CN}\s*年")


def year_from_title(title: str | None) -> int | None:
    if not title:
        return None
    m = _TITLE_YEAR.search(title)
    if not m:
        return None
    return int(m.group(1)) if m.group(1) else _cn_int(m.group(2))


def choose_year(title: str | None, period_start: str | None, period_end: str | None) -> int | None:
    """Year in the title, else the statistical period's; never the publication year (§11)."""
    year = year_from_title(title)
    if year:
        return year
    if period_start and period_end and period_start[:4] == period_end[:4]:
        return int(period_start[:4])
    return None


# ---------------------------------------------------------------------------------------- agency


_YEAR_TOKEN = re.compile(rf"(?:{_YEAR_ARABIC}|{_YEAR_CN})\s*(?:年度|年)")
_BRACKETED = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")


def agency_from_title(title: str | None) -> str | None:
    """The title without the year and the report-type words (§11): 智仁乡 2023 年度政府信息公开… -> 智仁乡."""
    if not title:
        return None
    text = _BRACKETED.sub("", title)
    text = _YEAR_TOKEN.sub(" ", text)
    compact = drop_spaces(text)
    first = _report_type_re().search(compact)  # the leftmost of the words: the lowest find()
    cut = first.start() if first else len(compact)
    if cut == len(compact):
        return None
    name = compact[:cut].strip("《》“”\"' ,，、:：")
    name = name.removeprefix("关于")
    name = name.removesuffix("的")
    return name or None


@cache
def _report_type_re() -> re.Pattern[str]:
    # One search for all of labels.yaml report_type_starts instead of one find() per word.
    return re.compile("|".join(map(re.escape, _labels()["report_type_starts"])))


_SIGNATURE_TAIL_CHARS = 2000
_SIGNATURE_NAME = re.compile(r"^[\u4e00-\u9fff（）()]{2,40}$")


def signature(text: str) -> tuple[str | None, str | None]:
    """(name, ISO date) of the 落款: a date-only line among the last lines, the name just above it."""
    tail = _tail_filled(text, 6)
    for i in range(len(tail) - 1, -1, -1):
        line = tail[i]
        compact = drop_spaces(line)
        m = _ANY_DATE.fullmatch(compact)
        if not m:
            continue
        iso = _match_iso(m)
        if not iso:
            continue
        name = None
        if i > 0 and _SIGNATURE_NAME.match(drop_spaces(tail[i - 1])):
            name = drop_spaces(tail[i - 1])
        return name, iso
    return None, None


def _tail_filled(text: str, n: int) -> list[str]:
    """`_last_filled(text[-_SIGNATURE_TAIL_CHARS:].splitlines(), n)`, splitting less when less
    will do: only the end of the text matters, and splitting 2000 characters of a page's table
    lines costs more than the rest. A shorter tail is enough once it holds n + 1 non-blank lines:
    its first line may be cut, the n after it are whole, and they are the longer tail's last n."""
    size = _TAIL_STEP
    while size < _SIGNATURE_TAIL_CHARS and size < len(text):
        found = _last_filled(text[-size:].splitlines(), n + 1)
        if len(found) > n:
            return found[1:]
        size *= 4
    return _last_filled(text[-_SIGNATURE_TAIL_CHARS:].splitlines(), n)


_TAIL_STEP = 256


def _last_filled(lines: list[str], n: int) -> list[str]:
    """The last `n` non-blank lines, stripped, in order."""
    return [lines[i].strip() for i in _last_filled_at(lines, n)]


def _last_filled_at(lines: list[str], n: int) -> list[int]:
    """Indices of the last `n` non-blank lines, in order (found from the end: the tail of a
    page's text can be hundreds of table lines)."""
    out: list[int] = []
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].strip():
            out.append(i)
            if len(out) == n:
                break
    out.reverse()
    return out


def signature_lines(lines: list[str]) -> set[int]:
    """Indices in `lines` of the 落款 `signature` reads: the date-only line among the last six
    non-blank lines, and the line just above it when that reads as a body name (so a short
    last sentence such as "无其他需要报告的事项" is never taken for one)."""
    filled = _last_filled_at(lines, 6)
    for k in range(len(filled) - 1, -1, -1):
        m = _ANY_DATE.fullmatch(drop_spaces(lines[filled[k]]))
        if not m or not _match_iso(m):
            continue
        out = {filled[k]}
        if k > 0:
            name = drop_spaces(lines[filled[k - 1]])
            if _SIGNATURE_NAME.match(name) and _is_body_name(name):
                out.add(filled[k - 1])
        return out
    return set()


def _is_body_name(name: str) -> bool:
    return name not in _labels()["empty_section_texts"] and name.endswith(_body_suffixes()[-1])


@cache
def _body_suffixes() -> tuple[
    tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]
]:
    """The body-name endings of labels.yaml `body_kind`: (township, other, department, government,
    all of them)."""
    rules = _labels()["body_kind"]
    kinds = [tuple(rules[f"{kind}_suffixes"]) for kind in ("township", "other", "department", "government")]
    return kinds[0], kinds[1], kinds[2], kinds[3], tuple(s for kind in kinds for s in kind)


def agency_from_preface(text: str) -> str | None:
    head = text[:3000]
    for pattern in _labels()["compiler_patterns"]:
        m = re.search(pattern, head)
        if m:
            return drop_spaces(m.group(1)) or None
    return None


def choose_agency(title: str | None, text: str, meta: PageMeta) -> str | None:
    """Title first (the name as printed), then the 落款 name, then "由…编制", then the page's 发布机构."""
    return (
        agency_from_title(title)
        or signature(text)[0]
        or agency_from_preface(text)
        or (drop_spaces(meta.publisher) if meta.publisher else None)
    )


# ------------------------------------------------------------------------------------- body kind


def body_kind(agency: str | None, default: str | None = None) -> str:
    """§11 in order: township, other (管委会), department, government; else the portal default, else other."""
    if agency:
        township, other, department, government, _ = _body_suffixes()
        name = drop_spaces(agency)
        if name.endswith(township):
            return "township"
        if name.endswith(other):
            return "other"
        if name.endswith(department):
            return "department"
        if name.endswith(government):
            return "government"
    if default in spec.BODY_KINDS:
        return default
    return "other"


# ----------------------------------------------------------------------------------------- template


def choose_template(tables_template: str | None, year: int | None, tables_present: bool) -> str | None:
    """Tables decide v2019/v2021; a year ≤ 2018 without national tables is legacy; else unknown."""
    if tables_template:
        return tables_template
    if year is not None and year <= 2018 and not tables_present:
        return "legacy"
    return None


# ------------------------------------------------------------------------------------------- dates


@cache
def _period_re() -> re.Pattern[str]:
    # 统计期限/时限/限 ... date ... (至|到|—|-|~) ... date; labels may be spaced.
    labels = sorted(_labels()["period_labels"], key=len, reverse=True)
    label = "|".join(r"\s*".join(map(re.escape, lab)) for lab in labels)
    return re.compile(rf"(?:{label})")


_PERIOD_RANGE_RE = re.compile(r"至|到|[-—–~～－]|止")  # between a period's two dates


@dataclass(slots=True)
class Period:
    start: str | None
    end: str | None
    stated: bool  # a period statement was found at all (even if its dates could not be read)


def statistical_period(text: str) -> Period:
    """The period after 统计期限/时限/限, searched over the whole text (seed 001 has it at the end)."""
    stated = False
    for m in _period_re().finditer(text):
        stated = True
        window = text[m.end() : m.end() + 80]
        dates = find_dates(window, limit=2)  # (only the first two are read)
        if len(dates) >= 2:
            between = window[dates[0][1] : dates[1][0]]
            if _PERIOD_RANGE_RE.search(between) or not between.strip():
                return Period(dates[0][2], dates[1][2], True)
    return Period(None, None, stated)


@cache
def _published_line_re() -> re.Pattern[str]:
    labels = _labels()["page_meta_labels"]["published"]
    label = "|".join(r"\s*".join(map(re.escape, lab)) for lab in labels)
    return re.compile(rf"(?:{label})\s*[:：]?\s*")


@cache
def _published_label_scans() -> tuple[re.Pattern[str], ...]:
    """The release-date labels as one pattern per first character. re finds a pattern that starts
    with one fixed character by a plain scan for it; the alternation of labels that start with
    different ones (公开日期|发布时间) it tests position by position, 4x slower on a report."""
    by_first: dict[str, list[str]] = {}
    for lab in _labels()["page_meta_labels"]["published"]:
        by_first.setdefault(lab[0], []).append(r"\s*".join(map(re.escape, lab)))
    return tuple(re.compile("|".join(group)) for group in by_first.values())


def published_from_text(text: str, *, max_lines: int = 12) -> str | None:
    """A "发布时间: 2024-01-30 22:06" line near the top of the text (seed 001)."""
    # Most texts name no release date at all; a line can hold a label only if the head does.
    head = text[:_HEAD_CHARS]
    if not any(scan.search(head) for scan in _published_label_scans()):
        return None
    label = _published_line_re()
    # As in title_from_text, C iterators pick the head lines that hold the label at all.
    for line in filter(label.search, islice(filter(str.strip, _head_lines(text)), max_lines)):
        m = label.search(line)
        iso = parse_date(line[m.end() : m.end() + 40]) if m else None
        if iso:
            return iso
    return None
