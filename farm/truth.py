"""Ground truth of a running farm (portals.md §12.4): what a perfect crawl would find.

Read from the live portals, so flipping `drift` or `revised` is reflected at once.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from farm.styles.common import all_sibling_decoys

if TYPE_CHECKING:
    from farm.portal import Portal


@dataclass(frozen=True, slots=True)
class TruthReport:
    portal: str
    body: str
    body_kind: str
    report_year: int
    published: str
    detail_url: str
    attachment_urls: tuple[str, ...]
    format: str  # the format the record is best read from: html, pdf, docx, doc, wps, xlsx, ofd
    expected_record: dict[str, Any]
    also_urls: tuple[str, ...] = ()  # other sources of the same report (the 图片版 of a pair)
    mode: str = "html"  # html | attachment | image | script
    scanned: bool = False  # the only text is in a scan (needs OCR)
    late: bool = False
    revisable: bool = False  # changes when the `revised` switch is on


@dataclass(frozen=True, slots=True)
class TruthDecoy:
    portal: str
    url: str
    title: str
    reason: str
    where: str  # column (inside the report column) | sibling (a decoy column next to it)


@dataclass(frozen=True, slots=True)
class TruthGap:
    portal: str
    agency: str
    body_kind: str
    year: int
    answer: str  # missing | late
    deadline: str
    published: str | None
    days_late: int | None


@dataclass
class Truth:
    reports: list[TruthReport] = field(default_factory=list)
    decoys: list[TruthDecoy] = field(default_factory=list)
    gaps: list[TruthGap] = field(default_factory=list)
    knobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    portals: dict[str, dict[str, Any]] = field(default_factory=dict)  # style, start_url, column_url, …

    def for_portal(self, name: str) -> Truth:
        return Truth(
            [r for r in self.reports if r.portal == name],
            [d for d in self.decoys if d.portal == name],
            [g for g in self.gaps if g.portal == name],
            {name: self.knobs.get(name, {})},
            {name: self.portals[name]},
        )

    def report(self, portal: str, agency: str, year: int) -> TruthReport:
        for r in self.reports:
            if r.portal == portal and r.body == agency and r.report_year == year:
                return r
        raise KeyError((portal, agency, year))

    @property
    def missing(self) -> list[TruthGap]:
        return [g for g in self.gaps if g.answer == "missing"]

    @property
    def late(self) -> list[TruthGap]:
        return [g for g in self.gaps if g.answer == "late"]

    def to_json(self) -> dict[str, Any]:
        return {
            "reports": [asdict(r) for r in self.reports],
            "decoys": [asdict(d) for d in self.decoys],
            "gaps": [asdict(g) for g in self.gaps],
            "knobs": self.knobs,
            "portals": self.portals,
        }

    def dump(self, path: Any) -> None:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(self.to_json(), fh, ensure_ascii=False, indent=1, default=str)


def canonical_url(url: str) -> str:
    """A URL without the expiring parts (style C's download gateway signs `expires` + `sign`)."""
    parts = urlsplit(url)
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ("expires", "sign")
    ]
    return urlunsplit(
        (parts.scheme, parts.netloc, parts.path, urlencode(query, quote_via=quote), parts.fragment)
    )


def of_portal(portal: Portal) -> Truth:
    revised = portal.switches["revised"]
    by_uid = {r.uid: r for r in portal.plan.reports}
    reports: list[TruthReport] = []
    for item in portal.plan.reports:
        if item.variant == "图片版" and item.pair_of in by_uid:
            continue  # folded into its 超链版 twin
        twin = by_uid.get(item.pair_of) if item.pair_of else None
        fmt = "html" if item.mode == "html" else ("pdf" if item.fmt == "scan" else item.fmt)
        if item.mode == "image" and item.fmt == "jpg":
            fmt = "image"
        reports.append(
            TruthReport(
                portal=portal.name,
                body=item.body.name,
                body_kind=item.body.kind,
                report_year=item.year,
                published=item.published.isoformat(),
                detail_url=item.detail_url,
                attachment_urls=tuple(item.attachment_urls),
                format=fmt,
                expected_record=item.served_record(revised),
                also_urls=(twin.detail_url, *twin.attachment_urls) if twin else (),
                mode=item.mode,
                scanned=item.fmt == "scan",
                late=item.late,
                revisable=item.revisable,
            )
        )
    decoys = [TruthDecoy(portal.name, d.detail_url, d.title, d.reason, "column") for d in portal.plan.decoys]
    decoys += [
        TruthDecoy(portal.name, d.detail_url, d.title, d.reason, "sibling")
        for d in all_sibling_decoys(portal)
    ]
    gaps = [
        TruthGap(
            portal.name,
            g.agency,
            g.body_kind,
            g.year,
            g.answer,
            g.deadline.isoformat(),
            g.published.isoformat() if g.published else None,
            g.days_late,
        )
        for g in portal.plan.gaps
    ]
    info = {
        "style": portal.style,
        "address": portal.address,
        "files_address": portal.files_address,
        "base": portal.base,
        "start_url": portal.start_url,
        "home_url": portal.base + "/",
        "column_url": portal.column_href,
        "region": portal.plan.region,
        "bodies": [{"name": b.name, "kind": b.kind} for b in portal.plan.bodies],
        "switches": dict(portal.switches),
        **{k: (sorted(v) if isinstance(v, set) else v) for k, v in portal.extra_truth.items()},
    }
    return Truth(reports, decoys, gaps, {portal.name: dict(portal.knobs)}, {portal.name: info})


def merge(parts: list[Truth]) -> Truth:
    out = Truth()
    for t in parts:
        out.reports += t.reports
        out.decoys += t.decoys
        out.gaps += t.gaps
        out.knobs.update(t.knobs)
        out.portals.update(t.portals)
    return out
