"""What a portal publishes, before any style turns it into pages: bodies, report items, decoys,
planted gaps, and the column tree. Deterministic from (profile seed, portal name).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from farm.synth import Body, base_record, make_bodies, make_record, region_name, reskin, revise
from govreports import spec

MODES = ("html", "attachment", "image", "script")


@dataclass(slots=True)
class ReportItem:
    uid: int
    body: Body
    year: int
    record: dict[str, Any]
    published: date
    list_title: str
    mode: str  # html | attachment | image | script (attachment written by a script)
    fmt: str  # html, or the attachment's format: pdf docx doc wps xlsx ofd scan
    late: bool = False
    revisable: bool = False
    variant: str = ""  # "" | 图片版 | 超链版
    pair_of: int | None = None  # uid of the other half of a 图片版/超链版 pair
    extra_formats: tuple[str, ...] = ()  # side-by-side copies (e.g. pdf + ofd)
    oversize: bool = False  # attachment beyond the size limit (knob)
    zipbomb: bool = False
    # filled in by the style
    detail_url: str = ""
    attachment_urls: list[str] = field(default_factory=list)

    def served_record(self, revised: bool) -> dict[str, Any]:
        return revise(self.record) if (revised and self.revisable) else self.record

    @property
    def title(self) -> str:
        return self.record["title"] + (f"（{self.variant}）" if self.variant else "")


@dataclass(slots=True)
class DecoyItem:
    uid: int
    title: str
    reason: str  # news | jiedu | parent_repost | letter | website_report | work_report | infographic
    published: date
    text: str
    record: dict[str, Any] | None = None  # the parent's report, for a repost
    detail_url: str = ""


@dataclass(slots=True)
class Column:
    slug: str
    name: str
    items: list[ReportItem | DecoyItem] = field(default_factory=list)
    children: list[Column] = field(default_factory=list)
    cid: int = 0  # numeric id for styles that need one


@dataclass(slots=True)
class Gap:
    agency: str
    body_kind: str
    year: int
    answer: str  # missing | late
    deadline: date
    published: date | None = None

    @property
    def days_late(self) -> int | None:
        return (self.published - self.deadline).days if self.published else None


@dataclass(slots=True)
class Plan:
    name: str
    region: str
    bodies: list[Body]
    reports: list[ReportItem]
    decoys: list[DecoyItem]  # inside the report column
    sibling_decoys: dict[str, list[DecoyItem]]  # decoy columns: wzndbb, zfgzbg, jd
    gaps: list[Gap]
    column: Column  # the report column tree


def _on_time(rng: random.Random, body: Body, year: int) -> date:
    deadline = spec.legal_deadline(body.kind, year)
    start = date(year + 1, 1, 5) if body.kind != "government" else date(year + 1, 1, 20)
    span = (deadline - start).days
    return start + timedelta(days=rng.randint(0, max(span - 1, 0)))


def build_plan(seed: int, conf: dict[str, Any]) -> Plan:
    """conf: one portal entry of a profile (see farm/profiles/*.yaml)."""
    name = conf["name"]
    rng = random.Random(f"{seed}:{name}")
    region = conf.get("region") or region_name(rng, conf.get("level", "县"))
    bconf = conf.get("bodies") or {}
    bodies = make_bodies(
        rng,
        region,
        government=int(bconf.get("government", 1)),
        departments=int(bconf.get("departments", 3)),
        townships=int(bconf.get("townships", 3)),
    )
    y0, y1 = conf.get("years", [2018, 2024])
    years = list(range(int(y0), int(y1) + 1))
    pairs = [(b, y) for b in bodies for y in years]
    plant = conf.get("plant") or {}
    prng = random.Random(f"{seed}:{name}:plant")
    # never plant on the government's own series: the demo's first look is its reports
    candidates = [p for p in pairs if p[0].slug not in ("gov",)]
    prng.shuffle(candidates)
    n_missing = int(plant.get("missing", 0))
    missing = set(map(lambda p: (p[0].slug, p[1]), candidates[:n_missing]))
    late = set(
        map(lambda p: (p[0].slug, p[1]), candidates[n_missing : n_missing + int(plant.get("late", 0))])
    )

    mode_weights = conf.get("modes") or {"html": 0.7, "attachment": 0.2, "image": 0.05, "script": 0.05}
    formats = list(conf.get("formats") or ["pdf", "docx"])
    title_variants = conf.get("title_variants", True)
    gaps: list[Gap] = []
    reports: list[ReportItem] = []
    uid = 1000
    for body, year in pairs:
        key = (body.slug, year)
        deadline = spec.legal_deadline(body.kind, year)
        if key in missing:
            gaps.append(Gap(body.name, body.kind, year, "missing", deadline))
            continue
        published = _on_time(rng, body, year)
        if key in late:
            published = deadline + timedelta(days=rng.randint(5, 150))
            gaps.append(Gap(body.name, body.kind, year, "late", deadline, published))
        variant = rng.choice([0, 0, 0, 1, 2, 3, 4]) if title_variants else 0
        record = make_record(rng, body, year, published=published, title_variant=variant)
        mode = rng.choices(list(mode_weights), weights=list(mode_weights.values()))[0]
        fmt = "html" if mode == "html" else ("scan" if mode == "image" else rng.choice(formats))
        uid += 1
        reports.append(
            ReportItem(uid, body, year, record, published, record["title"], mode, fmt, late=key in late)
        )

    # base records (farm.corpus): real texts and planted defects, published by one of our bodies
    for base_id in conf.get("base") or []:
        base = base_record(base_id)
        target = next(
            (
                r
                for r in reports
                if r.body.kind == base["body_kind"]
                and r.year == int(base["year"])
                and not r.record.get("base_id")
            ),
            None,
        )
        if target is None:
            raise ValueError(
                f"portal {name}: no {base['body_kind']} report for {base['year']} to carry base record {base_id}"
            )
        target.record = reskin(base, target.body, target.published)
        target.list_title = target.record["title"]

    # revised: html reports of recent years whose change is visible in the page
    htmlish = [r for r in reports if r.mode == "html" and r.year >= 2019 and not r.record.get("base_id")]
    for r in htmlish[::-1][: int(plant.get("revised", 0))]:
        r.revisable = True
    # one 图片版 + 超链版 pair: the same report twice
    for _ in range(int(conf.get("pairs", 1 if conf.get("style") != "E" else 0))):
        base = next(
            (r for r in reversed(reports) if r.mode == "html" and not r.variant and not r.revisable), None
        )
        if base is None:
            break
        uid += 1
        base.variant = "超链版"
        twin = ReportItem(
            uid, base.body, base.year, base.record, base.published, base.record["title"], "image", "jpg"
        )
        twin.variant, twin.pair_of, base.pair_of = "图片版", base.uid, uid
        reports.append(twin)
    for n, fmt in enumerate(conf.get("side_by_side") or []):
        atts = [r for r in reports if r.mode == "attachment" and not r.extra_formats]
        if n < len(atts):
            atts[n].extra_formats = (fmt,)
    for r in reports:
        r.list_title = r.title

    decoys, sibling = _decoys(rng, region, years, uid + 1, conf)
    column = Column("zfxxgknb", "政府信息公开年报")
    sub = conf.get("subcolumns", "none")
    items: list[ReportItem | DecoyItem] = []
    if sub == "townships":
        column.items = [r for r in reports if r.body.kind != "township"]
        column.children.append(
            Column("xzjd", "乡镇（街道）", [r for r in reports if r.body.kind == "township"])
        )
        items = list(column.items)
    elif sub == "years":
        for y in sorted(years, reverse=True):
            column.children.append(Column(f"nb_{y}n", f"{y}年度", [r for r in reports if r.year == y]))
    else:
        column.items = list(reports)
    column.items = _ordered(rng, [*column.items, *decoys])
    for child in column.children:
        child.items = _ordered(rng, child.items)
    del items
    return Plan(name, region, bodies, reports, decoys, sibling, gaps, column)


def _ordered(rng: random.Random, items: list[ReportItem | DecoyItem]) -> list[ReportItem | DecoyItem]:
    """Newest first, but not strictly: real columns have pinned and re-dated items."""
    out = sorted(items, key=lambda i: (i.published, i.uid), reverse=True)
    for i in range(1, len(out) - 1, 7):
        if rng.random() < 0.6:
            out[i], out[i + 1] = out[i + 1], out[i]
    return out


def _decoys(
    rng: random.Random, region: str, years: list[int], uid: int, conf: dict[str, Any]
) -> tuple[list[DecoyItem], dict[str, list[DecoyItem]]]:
    gov = f"{region}人民政府"
    parent = conf.get("parent") or "云岭市"
    y = years[-1]
    inside: list[DecoyItem] = []
    want = conf.get("decoys", ["news", "jiedu", "parent_repost", "letter", "infographic", "website_report"])

    def add(
        target: list[DecoyItem], title: str, reason: str, when: date, text: str, record: dict | None = None
    ) -> None:
        nonlocal uid
        uid += 1
        target.append(DecoyItem(uid, title, reason, when, text, record))

    if "news" in want:
        add(
            inside,
            f"{region}召开{y}年度政务公开工作会议",
            "news",
            date(y + 1, 2, 14),
            f"近日，{region}召开政务公开工作会议，部署{y + 1}年工作。",
        )
    if "jiedu" in want:
        add(
            inside,
            f"关于《{gov}{y}年政府信息公开工作年度报告》的解读",
            "jiedu",
            date(y + 1, 3, 20),
            "点击查看解读。本解读对年度报告的主要内容进行了说明。",
        )
    if "infographic" in want:
        add(
            inside,
            f"一图读懂{region}{y - 1}年政府信息公开工作年度报告",
            "infographic",
            date(y, 3, 28),
            "一图读懂年度报告。",
        )
    if "letter" in want:
        add(
            inside,
            f"关于{y - 2}年政府信息公开工作要点落实情况的函",
            "letter",
            date(y - 1, 6, 3),
            "现将政府信息公开工作要点落实情况函告如下。",
        )
    if "website_report" in want:
        add(
            inside,
            f"{gov}门户网站{y}年度工作年度报表",
            "website_report",
            date(y + 1, 1, 18),
            "政府网站工作年度报表。",
        )
    if "parent_repost" in want:
        pb = Body(f"{parent}人民政府", "government", "parent", parent)
        prec = make_record(rng, pb, y - 1, published=date(y, 3, 15))
        add(inside, prec["title"], "parent_repost", date(y, 3, 16), "转载自上级政府网站。", prec)
    sibling: dict[str, list[DecoyItem]] = {"wzndbb": [], "zfgzbg": [], "jd": []}
    for yy in years[-3:]:
        add(
            sibling["wzndbb"],
            f"{gov}门户网站{yy}年度工作年度报表",
            "website_report",
            date(yy + 1, 1, 20),
            "政府网站工作年度报表。",
        )
        add(
            sibling["zfgzbg"],
            f"{yy + 1}年{region}政府工作报告",
            "work_report",
            date(yy + 1, 2, 1),
            "政府工作报告全文。",
        )
        add(
            sibling["jd"],
            f"关于《{gov}{yy}年政府信息公开工作年度报告》的解读",
            "jiedu",
            date(yy + 1, 3, 25),
            "图文解读。",
        )
    return inside, sibling


def all_items(column: Column) -> list[ReportItem | DecoyItem]:
    out = list(column.items)
    for child in column.children:
        out.extend(all_items(child))
    return out
