"""Scoring a crawl against the farm's truth (portals.md §12.4): recall over reports, precision
over what the archive stored (decoys count against it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import create_engine, text


@dataclass
class Score:
    expected: set[str]
    stored: set[str]
    decoys: set[str]
    missed: set[str] = field(default_factory=set)
    stored_decoys: set[str] = field(default_factory=set)
    unknown: set[str] = field(default_factory=set)

    @property
    def recall(self) -> float:
        return 1.0 if not self.expected else 1 - len(self.missed) / len(self.expected)

    @property
    def precision(self) -> float:
        return (
            1.0 if not self.stored else 1 - (len(self.stored_decoys) + len(self.unknown)) / len(self.stored)
        )


def stored_urls(db_url: str, portal: str | None = None) -> set[str]:
    """Every URL a stored report version was seen at."""
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT url FROM version_urls")).all()
    engine.dispose()
    return {r[0] for r in rows}


def _report_urls(report: dict[str, Any]) -> set[str]:
    return {report["detail_url"], *report.get("attachment_urls", []), *report.get("also_urls", [])}


def score(truth: dict[str, Any], db_url: str, portals: set[str] | None = None) -> Score:
    reports = [r for r in truth["reports"] if portals is None or r["portal"] in portals]
    decoys = {d["url"] for d in truth["decoys"] if portals is None or d["portal"] in portals}
    stored = stored_urls(db_url)
    s = Score(expected={r["detail_url"] for r in reports}, stored=stored, decoys=decoys)
    known: set[str] = set()
    for r in reports:
        urls = _report_urls(r)
        known |= urls
        if not urls & stored:
            s.missed.add(r["detail_url"])
    s.stored_decoys = stored & decoys
    s.unknown = {
        u
        for u in stored - known - decoys
        if portals is None or any(u.startswith(b) for b in _bases(truth, portals))
    }
    return s


def _bases(truth: dict[str, Any], portals: set[str]) -> list[str]:
    info = truth.get("portals") or {}
    out = []
    for name in portals:
        p = info.get(name) or {}
        for key in ("base", "start_url", "home"):
            if isinstance(p, dict) and p.get(key):
                out.append(str(p[key]).rstrip("/"))
    return out or [""]
