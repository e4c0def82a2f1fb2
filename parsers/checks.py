"""Document-level checks (annual-report-format.md §8): C04, C05, C13–C19, plus C08–C11 via the
tables' identities. C06/C07/C12/C24 come with the TablesResult and are not repeated here.

Each check is a small function returning findings; `doc_checks` runs them all. Keyword lists
live in labels.yaml so that a new variant is a data change.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import Any

from govreports import spec
from govreports.text import drop_spaces
from parsers import metadata
from parsers.document import Document
from parsers.record import SECTION_IDS, Finding, Record, finding
from parsers.sections import SectionsResult, split_sections

# Imported here, not inside the checks: an import statement runs on every call (~4 us each).
from parsers.tables import TablesResult
from parsers.tables.identities import identity_findings

_SECTION_NAMES = spec.section_headings()


_NOT_AFTER_WINDOW = 8


def _labels() -> dict[str, Any]:
    return spec.labels()


def _compact(text: str | None) -> str:
    return drop_spaces(text or "")


# --------------------------------------------------------------------------------------- C04


@cache
def _citations() -> dict[str, re.Pattern[str]]:
    return {tpl: re.compile(p) for tpl, p in _labels()["template_citations"].items()}


def expected_template(year: int | None) -> str | None:
    if year is None:
        return None
    if year >= 2021:
        return "v2021"
    if year >= 2019:
        return "v2019"
    return "legacy"


def check_template(record: Record, text: str) -> list[Finding]:
    out: list[Finding] = []
    tpl = record.template
    if tpl not in ("v2019", "v2021"):
        return out  # both findings compare a national format; no need to search the text
    expected = expected_template(record.year)
    if expected and tpl != expected:
        out.append(
            finding("C04", f"tables follow the {tpl} format, but a {record.year} report must use {expected}")
        )
    cited = [name for name, rx in _citations().items() if rx.search(text)]
    if cited and tpl not in cited:
        out.append(
            finding("C04", f"the preface cites the {'/'.join(cited)} format while the tables follow {tpl}")
        )
    return out


# --------------------------------------------------------------------------------------- C05


def is_legacy(record: Record) -> bool:
    return record.template == "legacy" or (
        record.template is None and record.year is not None and record.year <= 2018
    )


def check_sections(result: SectionsResult) -> list[Finding]:
    missing = [sid for sid in SECTION_IDS if result.sections.get(sid) is None]
    out: list[Finding] = []
    if missing:
        names = "、".join(_SECTION_NAMES[s] for s in missing)
        out.append(finding("C05", f"numbered section(s) missing or without a recognisable heading: {names}"))
    if not result.in_order():
        order = " → ".join(h.text for h in result.headings)
        out.append(finding("C05", f"sections out of order: {order}"))
    return out


# --------------------------------------------------------------------------------------- C13


@cache
def _narrative_patterns() -> tuple[tuple[re.Pattern[str], tuple[str, ...], str | None], ...]:
    return tuple(
        (re.compile(e["pattern"]), tuple(e["keys"]), e.get("not_after"))
        for e in _labels()["narrative_figures"]
    )


def check_narrative(record: Record, text: str) -> list[Finding]:
    """W4: a figure the narrative quotes equals the table (only where every cell involved is read)."""
    out: list[Finding] = []
    done: set[tuple[str, ...]] = set()
    cells = record.cells
    for rx, keys, not_after in _narrative_patterns():
        if not keys or keys in done:
            continue
        values = list(map(cells.get, keys))
        if not all(isinstance(v, int) for v in values):
            continue
        for m in rx.finditer(text):
            # "行政复议和行政诉讼共3件" is a joint figure, not the litigation count
            if not_after and not_after in text[max(0, m.start() - _NOT_AFTER_WINDOW) : m.start()]:
                continue
            quoted = int(m.group(1))
            done.add(keys)
            table_value = sum(values)
            if quoted != table_value:
                out.append(
                    finding(
                        "C13",
                        f"the text says {m.group(0).strip()!r} ({quoted}) but the table gives {table_value}",
                        keys,
                    )
                )
            break
    return out


# --------------------------------------------------------------------------------------- C14


@cache
def _overview_aspects(government: bool) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(aspect, words naming it) that section 一 must cover; a government's has more."""
    aspects = dict(_labels()["overview_aspects"])
    if government:
        aspects.update(_labels()["overview_aspects_government"])
    return tuple((name, tuple(words)) for name, words in aspects.items())


def check_overview(record: Record, sections: dict[str, str | None]) -> list[Finding]:
    text = _compact(sections.get("overview"))
    if sections.get("overview") is None:
        return []  # C05 already reports the missing section
    aspects = _overview_aspects(record.body_kind == "government")
    # any(map(text.__contains__, …)): the words are tested in C, without a generator per aspect.
    missing = [name for name, words in aspects if not any(map(text.__contains__, words))]
    if not missing:
        return []
    return [finding("C14", f"section 一 (总体情况) does not cover: {'、'.join(missing)}")]


# --------------------------------------------------------------------------------------- C15


def check_problems(sections: dict[str, str | None]) -> list[Finding]:
    raw = sections.get("problems")
    if raw is None:
        return []
    text = _compact(raw)
    labels = _labels()
    if not text or text in labels["empty_section_texts"]:
        return [finding("C15", "section 五 (存在的主要问题及改进情况) is empty or only says 无")]
    if len(text) < int(labels["min_problems_chars"]):
        return [finding("C15", f"section 五 is too short to be substantive ({len(text)} characters)")]
    lacks = []
    if not any(map(text.__contains__, labels["problems_words"])):
        lacks.append("problems")
    if not any(map(text.__contains__, labels["measures_words"])):
        lacks.append("improvement measures")
    if lacks:
        return [finding("C15", f"section 五 names no {' and no '.join(lacks)}")]
    return []


# --------------------------------------------------------------------------------------- C16


def check_fee(record: Record, sections: dict[str, str | None]) -> list[Finding]:
    """六 states the 信息处理费 (report years ≥ 2021); W5: fee notices imply 六 mentions them."""
    raw = sections.get("other")
    if raw is None or record.year is None or record.year < 2021:
        return []
    text = _compact(raw)
    labels = _labels()
    out: list[Finding] = []
    if not any(map(text.__contains__, labels["fee_words"])):
        out.append(finding("C16", "section 六 does not state the 信息处理费 (none charged, or the amount)"))
    unpaid = record.cells.get("applications.other_fee_unpaid.total")
    if isinstance(unpaid, int) and unpaid > 0 and not any(map(text.__contains__, labels["fee_notice_words"])):
        out.append(
            finding(
                "C16",
                f"{unpaid} application(s) lapsed for unpaid fees, so fee notices were issued, but section 六 "
                "does not mention them",
                ("applications.other_fee_unpaid.total",),
            )
        )
    return out


# --------------------------------------------------------------------------------------- C17


def check_period(record: Record, period: metadata.Period) -> list[Finding]:
    if not period.stated:
        return [finding("C17", "the statistical period (统计期限) is not stated")]
    if period.start is None or period.end is None:
        return [finding("C17", "the statistical period is stated but its dates cannot be read")]
    if record.year is None:
        return []
    want = (f"{record.year}-01-01", f"{record.year}-12-31")
    if (period.start, period.end) != want:
        return [
            finding(
                "C17",
                f"statistical period {period.start} – {period.end} is not Jan 1 – Dec 31 of {record.year}",
            )
        ]
    return []


# --------------------------------------------------------------------------------------- C18


def check_dates(record: Record, *, today: date | None = None) -> list[Finding]:
    """W7: title year = period year; Jan 1 of Y+1 ≤ signed ≤ published; published ≥ Jan 1 of Y+1."""
    today = today or date.today()
    d = record.dates
    out: list[Finding] = []
    title_year = metadata.year_from_title(record.title)
    if title_year and d.period_start and d.period_start[:4] != str(title_year):
        out.append(
            finding("C18", f"the title names {title_year} but the statistical period starts {d.period_start}")
        )
    year = record.year
    if year is not None:
        floor = date(year + 1, 1, 1).isoformat()
        if d.signed and d.signed < floor:
            out.append(
                finding(
                    "C18",
                    f"signed {d.signed}, before the reported year {year} had ended (expected ≥ {floor})",
                )
            )
        if d.published and d.published < floor:
            out.append(finding("C18", f"published {d.published}, before the reported year {year} had ended"))
    if d.signed and d.published and d.signed > d.published:
        out.append(finding("C18", f"signed {d.signed}, after its stated release date {d.published}"))
    today_iso = today.isoformat()
    for name, value in (("signed", d.signed), ("published", d.published)):
        if value and value > today_iso:
            out.append(finding("C18", f"{name} date {value} lies in the future"))
    return out


# --------------------------------------------------------------------------------------- C19


def check_title(record: Record) -> list[Finding]:
    title = _compact(record.title)
    if not title:
        return [finding("C19", "no title naming the body, the year and 政府信息公开工作年度报告 was found")]
    core = _labels()["c19_title_core"]
    missing = []
    if core not in title:
        missing.append(core)
    if metadata.year_from_title(title) is None:
        missing.append("the year")
    if not metadata.agency_from_title(title):
        missing.append("the body")
    if not missing:
        return []
    return [finding("C19", f"title {record.title!r} does not name {', '.join(missing)}")]


# ----------------------------------------------------------------------------------------- all


def identity_checks(tables: TablesResult) -> list[Finding]:
    """C08–C11 from the tables engineer's identities (only for a national template's cells)."""
    if tables.template not in ("v2019", "v2021"):
        return []
    return list(identity_findings(tables.cells, tables.template))


def doc_checks(
    record: Record,
    doc: Document,
    tables: TablesResult,
    *,
    sections: SectionsResult | None = None,
    period: metadata.Period | None = None,
) -> list[Finding]:
    """All document-level checks except the ones TablesResult already carries."""
    sections = sections or split_sections(doc.text, tables.table_lines, legacy=is_legacy(record))
    period = period or metadata.statistical_period(doc.text)
    secs = sections.sections
    # Up to 2018 the structure was free (2007 条例, §2.3): the six sections and the five aspects of
    # 一 are the 2019/2021 formats' requirements.
    national = not is_legacy(record)
    out: list[Finding] = []
    out += check_template(record, doc.text)
    out += check_sections(sections) if national else []
    out += identity_checks(tables)
    out += check_narrative(record, "\n".join(filter(None, secs.values())))
    out += check_overview(record, secs) if national else []
    out += check_problems(secs)
    out += check_fee(record, secs)
    out += check_period(record, period)
    out += check_dates(record)
    out += check_title(record)
    return out
