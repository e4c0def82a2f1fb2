"""Synthesised report records for the farm: bodies × years, numbers consistent with A1–A4.

A record is the CONTRACT.md §1 dict minus `source` (the crawler adds that). Everything is drawn
from a seeded RNG so a profile always yields the same farm. Section texts come from the base
records in `farm.corpus` when that package is present, otherwise from our own templates with
paragraphs borrowed from the seeds.
"""

from __future__ import annotations

import copy
import random
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from govreports import spec

SCHEMA = "govreports/annual-report@1"
T3_COLS = (
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
)
T4_GROUPS = ("review", "litigation_direct", "litigation_after_review")
SEEDS_DIR = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def template_for(year: int) -> str:
    if year <= 2018:
        return "legacy"
    return "v2019" if year <= 2020 else "v2021"


@dataclass(frozen=True, slots=True)
class Body:
    """One publishing body of a portal."""

    name: str  # as the report names itself, e.g. 清溪县教育局
    kind: str  # government | department | township | other
    slug: str  # ascii, unique within the portal
    region: str  # the portal's region, e.g. 清溪县


# Made-up place names; a few carry GBK-only characters (not in GB2312) for the GBK sites.
_REGION_HEADS = [
    "清溪",
    "云和",
    "青田",
    "松阳",
    "安平",
    "临川",
    "白水",
    "龙泉",
    "东阳",
    "石门",
    "平川",
    "河源",
    "长宁",
    "永和",
    "兴隆",
    "新安",
]
_TOWN_HEADS = [
    "青山",
    "白沙",
    "城关",
    "石桥",
    "桃源",
    "溪口",
    "高岭",
    "大坪",
    "柳林",
    "南塘",
    "北岗",
    "三河",
    "双溪",
    "金坪",
    "望江",
    "堃山",
    "喆水",
    "镕溪",
    "玥湖",
    "珺塘",
]
_DEPARTMENTS = (
    ("jyj", "教育局"),
    ("mzj", "民政局"),
    ("czj", "财政局"),
    ("rsj", "人力资源和社会保障局"),
    ("zrzyj", "自然资源局"),
    ("zjj", "住房和城乡建设局"),
    ("jtysj", "交通运输局"),
    ("nyncj", "农业农村局"),
    ("wjj", "卫生健康委员会"),
    ("scjgj", "市场监督管理局"),
    ("sfj", "司法局"),
    ("tjj", "统计局"),
)


def make_bodies(
    rng: random.Random, region: str, *, departments: int, townships: int, government: int = 1
) -> list[Body]:
    """The government (and its 办公室), departments and townships of one region."""
    bodies: list[Body] = []
    if government:
        bodies.append(Body(f"{region}人民政府", "government", "gov", region))
        bodies.append(Body(f"{region}人民政府办公室", "department", "govoffice", region))
    for slug, name in _DEPARTMENTS[:departments]:
        bodies.append(Body(f"{region}{name}", "department", slug, region))
    heads = list(_TOWN_HEADS)
    rng.shuffle(heads)
    for i in range(townships):
        head = heads[i % len(heads)] + ("" if i < len(heads) else str(i // len(heads)))
        suffix = "街道办事处" if i % 4 == 3 else ("乡" if i % 3 == 2 else "镇")
        bodies.append(Body(f"{region}{head}{suffix}", "township", f"town{i + 1:02d}", region))
    return bodies


def region_name(rng: random.Random, level: str = "县") -> str:
    return rng.choice(_REGION_HEADS) + level


# ---------------------------------------------------------------------------------------------
# numbers


def _small(rng: random.Random, p_zero: float, hi: int) -> int:
    return 0 if rng.random() < p_zero else rng.randint(1, hi)


@cache
def _outcome_rows(template: str) -> tuple[str, ...]:
    rows = [
        k.key.split(".")[1]
        for k in spec.keys(template)  # type: ignore[arg-type]
        if k.key.startswith("applications.") and k.key.endswith(".natural_person")
    ]
    skip = ("new_received", "carried_over", "total_processed", "carried_forward")
    return tuple(r for r in rows if r not in skip)


def _table3(rng: random.Random, template: str, scale: int) -> dict[str, int]:
    """Table 3 satisfying A1, A2, A3 (totals are sums; new + carried = processed + forward)."""
    outcome_rows = _outcome_rows(template)
    cells: dict[str, int] = {}
    active = {"natural_person": 0.7, "commercial_enterprise": 0.35, "other_org": 0.15}
    for col in T3_COLS:
        in_use = rng.random() < active.get(col, 0.06)
        total_processed = 0
        for row in outcome_rows:
            likely = {"granted": 0.75, "partially_granted": 0.3, "unable_not_held": 0.45}.get(row, 0.1)
            v = rng.randint(1, scale) if in_use and rng.random() < likely else 0
            cells[f"applications.{row}.{col}"] = v
            total_processed += v
        forward = _small(rng, 0.8, 3)
        carried = min(_small(rng, 0.8, 3), total_processed + forward)
        cells[f"applications.total_processed.{col}"] = total_processed
        cells[f"applications.carried_forward.{col}"] = forward
        cells[f"applications.carried_over.{col}"] = carried
        cells[f"applications.new_received.{col}"] = total_processed + forward - carried
    for row in (*outcome_rows, "total_processed", "carried_forward", "carried_over", "new_received"):
        cells[f"applications.{row}.total"] = sum(cells[f"applications.{row}.{c}"] for c in T3_COLS)
    return cells


def _table4(rng: random.Random) -> dict[str, int]:
    cells: dict[str, int] = {}
    for g in T4_GROUPS:
        parts = [_small(rng, 0.8, 3) for _ in range(4)]
        for name, v in zip(("upheld", "corrected", "other", "pending"), parts, strict=True):
            cells[f"appeals.{g}.{name}"] = v
        cells[f"appeals.{g}.total"] = sum(parts)
    return cells


@cache
def _active_keys(template: str) -> tuple[spec.KeySpec, ...]:
    return tuple(k for k in spec.keys(template) if k.key.startswith("active."))  # type: ignore[arg-type]


def _table2(rng: random.Random, template: str, kind: str) -> dict[str, int | str]:
    cells: dict[str, int | str] = {}
    for k in _active_keys(template):
        if k.type == "decimal":
            if rng.random() < 0.6:
                cells[k.key] = "0"
            else:
                cells[k.key] = f"{rng.randint(1, 9999)}.{rng.randint(0, 99):02d}".rstrip("0").rstrip(".")
        elif k.type == "signed_int":
            cells[k.key] = rng.choice([0, 0, 0, 1, 2, -1, -3, 5])
        elif "regulations" in k.key and kind != "government":
            cells[k.key] = 0
        else:
            hi = 60 if kind != "township" else 12
            cells[k.key] = _small(rng, 0.4, hi)
    # v2021: in_force = plausible stock ≥ issued
    if template == "v2021":
        for row in ("regulations", "normative_docs"):
            issued = cells[f"active.{row}.issued"]
            cells[f"active.{row}.in_force"] = int(issued) + (
                _small(rng, 0.3, 200) if row == "normative_docs" else 0
            )
    return cells


def make_cells(rng: random.Random, template: str, kind: str) -> dict[str, Any]:
    scale = {"government": 12, "department": 5, "township": 2, "other": 3}.get(kind, 3)
    cells: dict[str, Any] = {}
    cells.update(_table2(rng, template, kind))
    cells.update(_table3(rng, template, scale))
    cells.update(_table4(rng))
    order = spec.key_names(template)  # type: ignore[arg-type]
    assert set(order) == set(cells), set(order) ^ set(cells)
    return {k: cells[k] for k in order}


def make_legacy(rng: random.Random, kind: str) -> dict[str, Any]:
    requests = _small(rng, 0.4, 30)
    granted = rng.randint(0, requests)
    partial = rng.randint(0, requests - granted)
    return {
        "proactive_total": rng.randint(20, 900),
        "requests_total": requests,
        "replies_total": requests,
        "replies_granted": granted,
        "replies_partial": partial,
        "replies_denied": requests - granted - partial,
        "review_total": _small(rng, 0.8, 2),
        "litigation_total": _small(rng, 0.85, 2),
        "fees_amount": "0",
    }


# ---------------------------------------------------------------------------------------------
# texts


@cache
def _seed_paragraphs() -> tuple[str, ...]:
    """Plain narrative paragraphs of the seeds (no tables, no headings), for overview flavour."""
    out: list[str] = []
    if not SEEDS_DIR.is_dir():
        return ()
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if len(line) < 60 or "\t" in line or re.match(r"^[一二三四五六（(]", line):
                continue
            if re.search(r"\d{3,}|电话|邮箱|电子邮件|http", line):
                continue
            out.append(line)
    return tuple(out)


@cache
def _base_records() -> dict[str, dict[str, Any]]:
    try:
        from farm import corpus  # type: ignore[attr-defined]

        records = corpus.load_base_records()
    except Exception:
        return {}
    if isinstance(records, dict):
        return {str(k): v for k, v in records.items() if isinstance(v, dict)}
    return {str(r.get("id", i)): r for i, r in enumerate(records) if isinstance(r, dict)}


def base_records() -> tuple[dict[str, Any], ...]:
    """Records of farm.corpus (the hand-built base records); empty when it is not there."""
    return tuple(copy.deepcopy(r) for r in _base_records().values())


def base_record(record_id: str) -> dict[str, Any]:
    try:
        return copy.deepcopy(_base_records()[record_id])
    except KeyError:
        raise KeyError(
            f"no base record {record_id!r} in farm.corpus; known: {', '.join(_base_records())}"
        ) from None


def reskin(base: dict[str, Any], body: Body, published: date) -> dict[str, Any]:
    """A base record published by `body`: its texts, figures and defects, our name and date.

    Only the release date changes among the dates: signed/period dates carry the base record's
    defects (e.g. a signature dated inside the report year)."""
    old = str(base.get("agency") or "")
    record = copy.deepcopy(base)

    def swap(value: Any) -> Any:
        if isinstance(value, str) and old:
            return value.replace(old, body.name)
        if isinstance(value, dict):
            return {k: swap(v) for k, v in value.items()}
        return value

    for key in ("title", "agency", "sections", "preface", "signature"):
        if key in record:
            record[key] = swap(record[key])
    record["agency"] = body.name
    record["body_kind"] = body.kind
    record["year"] = int(record["year"])
    record["schema"] = SCHEMA
    record["dates"] = {**(record.get("dates") or {}), "published": published.isoformat()}
    record["findings"] = []
    record["expected_findings"] = list(record.get("expected_findings") or [])
    record["base_id"] = record.pop("id", None)
    return record


def _strip_name(text: str, name: str | None) -> str:
    return text.replace(name, "{agency}") if name else text


def _sections(
    rng: random.Random, body: Body, year: int, template: str, cells: dict[str, Any], legacy: dict | None
) -> dict[str, str]:
    we = "本机关" if body.kind == "department" else ("我乡（镇）" if body.kind == "township" else "本级政府")
    seeds = _seed_paragraphs()
    flavour = rng.choice(seeds) if seeds else ""
    bases = [
        b
        for b in _base_records().values()
        if isinstance(b.get("sections"), dict) and b["sections"].get("problems")
    ]
    if template == "legacy":
        assert legacy is not None
        applications = (
            f"{year}年，{we}共受理政府信息公开申请{legacy['requests_total']}件，已全部答复。"
            f"其中同意公开{legacy['replies_granted']}件，同意部分公开{legacy['replies_partial']}件，"
            f"不予公开{legacy['replies_denied']}件。"
        )
        review = f"{year}年，{we}因政府信息公开被申请行政复议{legacy['review_total']}件，被提起行政诉讼{legacy['litigation_total']}件。"
    else:
        applications = (
            f"{year}年，{we}共收到政府信息公开申请{cells['applications.new_received.total']}件，"
            f"上年结转{cells['applications.carried_over.total']}件，"
            f"办结{cells['applications.total_processed.total']}件，"
            f"结转下年度继续办理{cells['applications.carried_forward.total']}件。"
        )
        lit = cells["appeals.litigation_direct.total"] + cells["appeals.litigation_after_review.total"]
        review = f"{year}年，{we}发生政府信息公开行政复议案件{cells['appeals.review.total']}件，行政诉讼案件{lit}件。"
    overview = (
        f"{year}年，{body.name}认真贯彻落实《中华人民共和国政府信息公开条例》，"
        "围绕主动公开、依申请公开、政府信息管理、平台建设和监督保障等方面扎实推进政务公开工作。"
    )
    if flavour:
        # seed paragraphs speak as a township; let other bodies speak as themselves
        mine = {"government": "我县", "department": "本机关"}.get(body.kind)
        overview += re.sub(r"我(乡|镇)", mine, flavour) if mine else flavour
    if body.kind == "government":
        overview += "将政务公开工作纳入年度绩效考核，开展社会评议，全年未发生责任追究情况。"
    problems = (
        "政务公开工作仍存在一些不足：一是公开内容的全面性有待提高；二是政策解读形式较为单一。"
        f"{year + 1}年，{we}将进一步完善公开制度，加强业务培训，提升公开质量。"
    )
    if bases and rng.random() < 0.5:
        base = rng.choice(bases)
        problems = _strip_name(str(base["sections"]["problems"]), base.get("agency")).replace(
            "{agency}", body.name
        )
    proactive = f"{year}年，{we}通过政府门户网站主动公开政府信息，具体情况如下。"
    if template == "legacy":
        proactive = f"{year}年，{we}主动公开政府信息{legacy['proactive_total']}条。"  # type: ignore[index]
    other = f"{year}年度{we}未收取政府信息公开信息处理费。" if year >= 2021 else "无其他需要报告的事项。"
    return {
        "overview": overview,
        "proactive": proactive,
        "applications": applications,
        "review_litigation": review,
        "problems": problems,
        "other": other,
    }


TITLE_VARIANTS = (
    "{agency}{year}年政府信息公开工作年度报告",
    "{year}年{agency}政府信息公开工作年度报告",
    "{agency}{year}年度政府信息公开工作年度报告",
    "{agency}{year}年政府信息公开年度报告",
    "{agency}{year}年度政府信息公开工作总结",
)


def make_record(
    rng: random.Random,
    body: Body,
    year: int,
    *,
    published: date,
    title_variant: int = 0,
) -> dict[str, Any]:
    """One expected record (without `source`)."""
    template = template_for(year)
    legacy = make_legacy(rng, body.kind) if template == "legacy" else None
    cells = make_cells(rng, template, body.kind) if template != "legacy" else {}
    title = TITLE_VARIANTS[title_variant % len(TITLE_VARIANTS)].format(agency=body.name, year=year)
    signed = date(published.year, published.month, max(1, published.day - rng.randint(0, 6)))
    record: dict[str, Any] = {
        "schema": SCHEMA,
        "title": title,
        "agency": body.name,
        "year": year,
        "template": template,
        "body_kind": body.kind,
        "dates": {
            "published": published.isoformat(),
            "signed": signed.isoformat(),
            "period_start": f"{year}-01-01",
            "period_end": f"{year}-12-31",
        },
        "cells": cells,
        "preface": (
            f"本报告根据《中华人民共和国政府信息公开条例》要求，由{body.name}编制。"
            f"本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
            "如对本报告有疑问，请与本机关政务公开工作机构联系。"
        ),
        "sections": _sections(rng, body, year, template, cells, legacy),
        "findings": [],
        "expected_findings": [],
    }
    if legacy is not None:
        record["legacy"] = legacy
    return record


def revise(record: dict[str, Any]) -> dict[str, Any]:
    """A silent revision (C23): one corrected figure kept consistent with A1–A3, one sentence added."""
    new = copy.deepcopy(record)
    cells = new["cells"]
    if cells:
        # one more granted application from a natural person: new_received and totals follow
        for key in (
            "applications.granted.natural_person",
            "applications.granted.total",
            "applications.total_processed.natural_person",
            "applications.total_processed.total",
            "applications.new_received.natural_person",
            "applications.new_received.total",
        ):
            cells[key] += 1
        secs = new["sections"]
        secs["applications"] = re.sub(
            r"共收到政府信息公开申请\d+件",
            f"共收到政府信息公开申请{cells['applications.new_received.total']}件",
            secs["applications"],
        )
        secs["applications"] = re.sub(
            r"办结\d+件", f"办结{cells['applications.total_processed.total']}件", secs["applications"]
        )
    else:
        new["legacy"]["proactive_total"] += 1
        new["sections"]["proactive"] = re.sub(
            r"\d+条", f"{new['legacy']['proactive_total']}条", new["sections"]["proactive"]
        )
    new["sections"]["other"] += "（本报告于发布后更正了部分数据。）"
    return new


def check_identities(record: dict[str, Any]) -> list[str]:
    """Which of A1–A4 fail; an identity with an absent or blank cell is not evaluated (§7)."""
    cells = record.get("cells") or {}
    if not cells or record.get("template") not in ("v2019", "v2021"):
        return []
    tpl = record["template"]
    rows_all = [
        k.split(".")[1] for k in spec.key_names(tpl) if k.startswith("applications.") and k.endswith(".total")
    ]
    outcome_rows = rows_all[rows_all.index("granted") : rows_all.index("total_processed")]

    def holds(lhs: list[str], rhs: list[str]) -> bool | None:
        vals = [cells.get(k) for k in lhs + rhs]
        if any(not isinstance(v, int) for v in vals):
            return None
        return sum(vals[: len(lhs)]) == sum(vals[len(lhs) :])

    bad: list[str] = []
    for c in (*T3_COLS, "total"):
        a = lambda r, c=c: f"applications.{r}.{c}"  # noqa: E731
        if (
            holds([a("new_received"), a("carried_over")], [a("total_processed"), a("carried_forward")])
            is False
        ):
            bad.append(f"A1:{c}")
        if holds([a("total_processed")], [a(r) for r in outcome_rows]) is False:
            bad.append(f"A2:{c}")
    for r in rows_all:
        if holds([f"applications.{r}.total"], [f"applications.{r}.{c}" for c in T3_COLS]) is False:
            bad.append(f"A3:{r}")
    for g in T4_GROUPS:
        parts = [f"appeals.{g}.{c}" for c in ("upheld", "corrected", "other", "pending")]
        if holds([f"appeals.{g}.total"], parts) is False:
            bad.append(f"A4:{g}")
    return bad
