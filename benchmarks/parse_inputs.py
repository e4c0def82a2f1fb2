"""Distinct report inputs for the parse benchmark: generated records as HTML pages and text files.

Every record is drawn from the farm's generator (`farm.synth`: bodies x years, numbers
consistent with A1–A4, section texts borrowed from the seeds) or is a base record of
`farm.corpus` re-published by a generated body (`farm.synth.reskin`: real texts, printed label
variants and planted defects). Each record is rendered once, so no narrative line of a measured
report has been seen before unless another report really shares it (boilerplate does).

The text rendering is the tab-separated layout of annual-report-format.md §10 item 3 (seeds
000, 002–004): one line per paragraph, one line per table row, a merged cell printed once at
its origin and the positions it covers left empty.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from farm.render.html_report import render_html
from farm.render.layout import blocks_of, origins
from farm.synth import base_records, make_bodies, make_record, reskin

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
_REGION_LEVELS = ("县", "市", "区")


@dataclass(frozen=True, slots=True)
class Report:
    """One input: the bytes the parser reads and the HTML page lxml parses for the baseline."""

    name: str
    data: bytes
    baseline: bytes
    record: dict[str, Any] | None = None  # the record it was rendered from (None: a seed file)


def _records(rng: random.Random) -> Iterator[dict[str, Any]]:
    """An endless stream of distinct records: one region after another, every body, 2016–2024,
    with a base record re-published in place of a generated one now and then."""
    bases = [b for b in base_records() if b.get("body_kind")]
    seen: set[str] = set()
    while True:
        region = _region(rng, seen)
        bodies = make_bodies(rng, region, departments=rng.randint(2, 6), townships=rng.randint(2, 6))
        for body in bodies:
            for year in range(2016, 2025):
                published = date(year + 1, rng.randint(1, 5), rng.randint(1, 28))
                candidates = [b for b in bases if b["body_kind"] == body.kind and int(b["year"]) == year]
                if candidates and rng.random() < 0.5:
                    yield reskin(rng.choice(candidates), body, published)
                else:
                    variant = rng.choice([0, 0, 0, 1, 2, 3, 4])
                    yield make_record(rng, body, year, published=published, title_variant=variant)


# Two characters of a made-up place name: 26 x 25 x 3 levels, so regions need not repeat.
_PLACE_CHARS = "安宁平和兴隆永泰长乐新昌德化福清南靖华阳丰城江浦云溪"


def _region(rng: random.Random, seen: set[str]) -> str:
    """A region name no earlier record used (so no two bodies share a name)."""
    while True:
        first, second = rng.sample(_PLACE_CHARS, 2)
        name = f"{first}{second}{rng.choice(_REGION_LEVELS)}"
        if name not in seen:
            seen.add(name)
            return name


def text_report(record: dict[str, Any]) -> str:
    """The record as a plain-text report (tab-separated table rows, §10 item 3)."""
    lines: list[str] = []
    for block in blocks_of(record):
        if block.kind != "table" or block.table is None:
            lines.extend(["", block.text])
            continue
        table = block.table
        grid = [[""] * table.ncols for _ in table.rows]
        for r, c, cell in origins(table):
            grid[r][c] = cell.text
        lines.append("")
        lines.extend("\t".join(row) for row in grid)
    return "\n".join(lines).strip() + "\n"


def generated(count: int, seed: str) -> tuple[list[Report], list[Report]]:
    """`count` HTML pages and `count` text reports from 2 x `count` distinct records.

    HTML pages alternate UTF-8 and GBK; a text report is UTF-8 or GBK in the same way, and its
    baseline is the HTML page of the same record (what lxml would parse had it been published
    as a page)."""
    rng = random.Random(seed)
    stream = _records(rng)
    pages: list[Report] = []
    texts: list[Report] = []
    for i in range(count):
        enc = ("utf-8", "gbk")[i % 2]
        rec = next(stream)
        page = render_html(rec, encoding=enc)
        pages.append(Report(f"{seed}-html-{i}", page, page, rec))
        rec = next(stream)
        text = text_report(rec).encode(enc, errors="xmlcharrefreplace")
        texts.append(Report(f"{seed}-text-{i}", text, render_html(rec, encoding=enc), rec))
    return pages, texts


def seed_texts() -> list[Report]:
    """The five seed text files, each with the HTML page of its corpus record as baseline."""
    by_id = {str(r.get("id")): r for r in base_records()}
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        rec = by_id.get(path.stem)
        if rec is None:
            continue
        out.append(Report(f"seed-{path.stem}", path.read_bytes(), render_html(rec), None))
    return out
