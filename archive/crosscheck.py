"""Archive-level checks across years and bodies (annual-report-format.md §7 W1–W3, §8 C20–C22).

Pure functions over records (CONTRACT.md §1); archive.queries.diff feeds them from the archive.

- C20 (warn): carry-over continuity W1 — carried_over(Y) == carried_forward(Y−1), total and per
  column where both are known.
- C21 (info): W2 for v2021 — in_force(Y) == in_force(Y−1) + issued(Y) − repealed(Y) for regulations
  and normative_docs; W3 for v2019 — prev_year_items(Y) == prev_year_items(Y−1) + change(Y−1). Not
  evaluated across a template change (v2019 published_total and v2021 in_force differ in meaning).
- C22 (warn): narrative copied from the body's previous year or from a sibling body (same portal,
  same year), scored after discounting template boilerplate and the preface siblings share.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from govreports import spec

COLUMNS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
           "legal_service_org", "other_org", "total")  # fmt: skip
W2_ROWS = ("regulations", "normative_docs")
W3_ROWS = ("licensing", "other_services", "penalty", "coercion", "admin_fees")
NARRATIVE = ("overview", "problems", "other")
SECTION_NAMES = {"overview": "一 总体情况", "problems": "五 主要问题及改进", "other": "六 其他需要报告的事项"}

COPY_THRESHOLD = 0.8  # share of a section's own sentences-shingles found in the other text
MIN_CHARS = 30  # after discounting boilerplate; shorter texts ("无。") say nothing about copying
SHINGLE = 4


def _finding(check: str, message: str, keys: Iterable[str] = ()) -> dict[str, Any]:
    return {"check": check, "severity": spec.check(check).severity, "message": message, "keys": list(keys)}


def _int(cells: dict[str, Any], key: str) -> int | None:
    value = cells.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# ---------------------------------------------------------------------------- C20, C21


def c20(prev: dict[str, Any], cur: dict[str, Any]) -> list[dict[str, Any]]:
    y0, y1 = prev.get("year"), cur.get("year")
    pc, cc = prev.get("cells") or {}, cur.get("cells") or {}
    broken: list[tuple[str, int, int]] = []
    for col in COLUMNS:
        a = _int(pc, f"applications.carried_forward.{col}")
        b = _int(cc, f"applications.carried_over.{col}")
        if a is not None and b is not None and a != b:
            broken.append((col, a, b))
    if not broken:
        return []
    detail = ", ".join(f"{col} {a} → {b}" for col, a, b in broken)
    keys = [
        k
        for col, _, _ in broken
        for k in (f"applications.carried_forward.{col}", f"applications.carried_over.{col}")
    ]
    return [_finding("C20", f"{y1} carried over ≠ {y0} carried forward ({detail})", keys)]


def c21(prev: dict[str, Any], cur: dict[str, Any]) -> list[dict[str, Any]]:
    t0, t1 = prev.get("template"), cur.get("template")
    if t0 != t1 or t0 not in spec.TEMPLATES:
        return []
    y0, y1 = prev.get("year"), cur.get("year")
    pc, cc = prev.get("cells") or {}, cur.get("cells") or {}
    out: list[dict[str, Any]] = []
    if t1 == "v2021":
        for row in W2_ROWS:
            k = f"active.{row}."
            before, now = _int(pc, k + "in_force"), _int(cc, k + "in_force")
            issued, repealed = _int(cc, k + "issued"), _int(cc, k + "repealed")
            if None in (before, now, issued, repealed):
                continue
            if now != before + issued - repealed:
                out.append(
                    _finding(
                        "C21",
                        f"{row} in force {y1}: {now} ≠ {before} ({y0}) + {issued} issued − {repealed} repealed "
                        f"= {before + issued - repealed}",
                        [k + "in_force", k + "issued", k + "repealed"],
                    )
                )
    else:
        for row in W3_ROWS:
            k = f"active.{row}."
            before, change, now = (
                _int(pc, k + "prev_year_items"),
                _int(pc, k + "change"),
                _int(cc, k + "prev_year_items"),
            )
            if None in (before, change, now):
                continue
            if now != before + change:
                out.append(
                    _finding(
                        "C21",
                        f"{row} items at start of {y1}: {now} ≠ {before} + {change} ({y0}) = {before + change}",
                        [k + "prev_year_items", k + "change"],
                    )
                )
    return out


# ---------------------------------------------------------------------------- C22

_SPLIT = re.compile(r"[。；;！!？?\n]+")
_DROP = re.compile(r"[\s\W_]+", re.UNICODE)
_DIGITS = re.compile(r"[0-9０-９〇○零一二三四五六七八九十百千万]+(?=[年月日件条次个项%])|[0-9]+")
# The standard preface and closing formulas of the national format, and generic statements.
_TEMPLATE = [
    re.compile(p)
    for p in (
        r"根据.{0,30}条例.{0,40}(编制|要求|规定)",
        r"(本|年度)报告.{0,10}(由|根据).{0,40}(编制|制作)",
        r"全文由.{0,80}组成",
        r"六部分组成",
        r"统计(期限|限|时限|期)自",
        r"所列数据的?统计",
        r"电子版可在.{0,60}(下载|查阅)",
        r"如对.{0,10}报告.{0,20}(疑问|问题|意见)",
        r"(联系|联系电话|电话|地址|邮编|电子邮件|邮箱)[:：]",
        r"^(无|暂无|没有)[^，,]{0,10}$",
    )
]


@dataclass(frozen=True, slots=True)
class Narrative:
    """One report's narrative sections for C22: who, which year, section id -> text."""

    agency: str
    year: int
    sections: dict[str, str | None]


def _sentences(text: str | None, agencies: Sequence[str]) -> list[tuple[str, str]]:
    """(raw sentence, normalised key) pairs; the key ignores names, numbers and punctuation."""
    if not text:
        return []
    text = unicodedata.normalize("NFKC", text)
    out = []
    for raw in _SPLIT.split(text):
        raw = raw.strip()
        if not raw:
            continue
        key = raw
        for name in agencies:
            if name:
                key = key.replace(name, "")
        key = _DROP.sub("", _DIGITS.sub("#", key))
        if len(key.replace("#", "")) >= 4:
            out.append((raw, key))
    return out


def _is_template(raw: str) -> bool:
    return any(p.search(raw) for p in _TEMPLATE)


def _leading_paragraph(text: str | None) -> str:
    if not text:
        return ""
    for para in re.split(r"\n\s*\n|\n", text.strip()):
        if para.strip():
            return para
    return ""


def shared_boilerplate(cur: Narrative, siblings: Sequence[Narrative]) -> set[str]:
    """Sentence keys that are boilerplate on this portal this year.

    - sentences of the shared preface: the leading paragraph of 一 that a sibling also has
      (seeds 000 and 002, both 乐清, share one preface template, typo included);
    - sentences that at least max(3, 20 % of the siblings) other bodies also wrote: a template the
      portal's bodies all fill in, not one body copying another.
    """
    names = [cur.agency, *(s.agency for s in siblings)]
    counts: Counter[str] = Counter()
    sibling_leads: set[str] = set()
    for sib in siblings:
        keys: set[str] = set()
        for sid in NARRATIVE:
            keys.update(k for _, k in _sentences(sib.sections.get(sid), names))
        counts.update(keys)
        sibling_leads.update(
            k for _, k in _sentences(_leading_paragraph(sib.sections.get("overview")), names)
        )
    threshold = max(3, int(0.2 * len(siblings) + 0.999))
    common = {k for k, n in counts.items() if n >= threshold}
    own_lead = {k for _, k in _sentences(_leading_paragraph(cur.sections.get("overview")), names)}
    return common | (own_lead & sibling_leads)


def _substance(text: str | None, names: Sequence[str], boiler: set[str]) -> str:
    return "".join(k for raw, k in _sentences(text, names) if k not in boiler and not _is_template(raw))


def _shingles(text: str) -> set[str]:
    if len(text) < SHINGLE:
        return {text} if text else set()
    return {text[i : i + SHINGLE] for i in range(len(text) - SHINGLE + 1)}


def similarity(a: str, b: str) -> float:
    """Share of `a`'s character 4-grams that also occur in `b` (containment: a copy padded with a
    new paragraph still scores high for the copied part)."""
    sa, sb = _shingles(a), _shingles(b)
    return len(sa & sb) / len(sa) if sa else 0.0


def c22(
    cur: Narrative,
    previous: Narrative | None,
    siblings: Sequence[Narrative] = (),
    *,
    threshold: float = COPY_THRESHOLD,
) -> list[dict[str, Any]]:
    boiler = shared_boilerplate(cur, siblings)
    names = [cur.agency, *(s.agency for s in siblings), *([previous.agency] if previous else [])]
    out: list[dict[str, Any]] = []
    for sid in NARRATIVE:
        own = _substance(cur.sections.get(sid), names, boiler)
        if len(own) < MIN_CHARS:
            continue
        sources: list[tuple[str, Narrative]] = []
        if previous is not None:
            sources.append((f"the {previous.year} report", previous))
        sources += [(f"{s.agency}'s {s.year} report", s) for s in siblings]
        best: tuple[float, str] | None = None
        for label, other in sources:
            score = similarity(own, _substance(other.sections.get(sid), names, boiler))
            if score >= threshold and (best is None or score > best[0]):
                best = (score, label)
        if best is not None:
            out.append(
                _finding(
                    "C22",
                    f"{cur.year} section {SECTION_NAMES[sid]} is {best[0]:.0%} the same as {best[1]} "
                    "(template text and the shared preface discounted)",
                )
            )
    return out
