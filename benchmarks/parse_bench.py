"""Parse throughput: reports/second through `parse_bytes` for HTML detail pages and plain-text
reports, next to the CPU time lxml alone needs to parse the same pages (target: parse ≤ 3× lxml).

What is measured, so that the ratio is one a sceptical reader can accept:
- Inputs are distinct reports (benchmarks/parse_inputs.py): records from the farm's generator
  and the corpus base records re-published by generated bodies, each rendered once — HTML pages
  alternately in UTF-8 and GBK, text reports in the tab-separated layout of the seeds — plus the
  five seed text files. No measured report is parsed twice.
- The parsers memoise pure string functions in bounded caches. Before the measured pass a
  warm-up parses *other* generated reports: imports, compiled patterns and the caches of the
  fixed template vocabulary (table labels, keys, captions) are warm, as in a crawl that has
  read a few reports; narrative lines, names and figures of the measured reports are not.
- Each report is timed once for lxml (`lxml.html.document_fromstring` of the same HTML bytes;
  for a text report, the HTML page of the same record) and once for `parse_bytes`, interleaved
  report by report in one process, so load on the machine falls on both alike. CPU time of this
  process, not wall time.
- The ratio is total parse CPU / total lxml CPU over three rounds of distinct reports; each
  round's own ratio is printed beside it.

The breakdown (format reader, `extract_tables`, the rest of `build_record`) is measured the
same way on a further set of distinct reports. The last line checks the figures: every generated
report must read back to its record's title, agency, year, template and cells.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import Any

import lxml.html

from benchmarks.parse_inputs import Report, generated, seed_texts
from parsers.build import build_record
from parsers.formats import read_document
from parsers.formats.sniff import sniff_format
from parsers.parse import parse_bytes
from parsers.record import Source

TARGET_RATIO = 3.0
# Reports per kind and round (GOVREPORTS_BENCH_REPORTS overrides), each parsed exactly once. The
# rounds are separate sets of distinct reports: their spread shows how much the machine's other
# load moves the ratio; the headline is the ratio of the totals.
MEASURED = int(os.environ.get("GOVREPORTS_BENCH_REPORTS", "100"))
ROUNDS = 3
WARMUP = 30
STAGE_REPORTS = 60


def _timed(func: Callable[[Any], object], arg: Any) -> tuple[float, object]:
    started = time.process_time()
    out = func(arg)
    return time.process_time() - started, out


def _side_by_side(items: Sequence[Report]) -> tuple[float, float, list[dict[str, Any]]]:
    """(lxml CPU s, parse CPU s, records): one lxml parse and one parse_bytes per report."""
    lxml_s = parse_s = 0.0
    records: list[dict[str, Any]] = []
    for item in items:
        spent, _ = _timed(lxml.html.document_fromstring, item.baseline)
        lxml_s += spent
        spent, record = _timed(parse_bytes, item.data)
        parse_s += spent
        records.append(record)  # type: ignore[arg-type]
    return lxml_s, parse_s, records


def _stages(items: Sequence[Report]) -> dict[str, float]:
    """CPU seconds per stage over `items`, each report once, plus lxml on the same pages."""
    from parsers.tables import extract_tables

    total = {"lxml alone": 0.0, "reader": 0.0, "extract_tables": 0.0, "metadata+sections+checks": 0.0}
    for item in items:
        total["lxml alone"] += _timed(lxml.html.document_fromstring, item.baseline)[0]
        spent, doc = _timed(lambda b: read_document(b, sniff_format(b)), item.data)
        total["reader"] += spent
        spent, tables = _timed(extract_tables, doc)
        total["extract_tables"] += spent
        started = time.process_time()
        build_record(doc, Source(), tables=tables)  # type: ignore[arg-type]
        total["metadata+sections+checks"] += time.process_time() - started
    return total


def _faithful(items: Sequence[Report], records: Sequence[dict[str, Any]]) -> tuple[int, int]:
    """(reports read back exactly, generated reports): title, agency, year, template, cells."""
    ok = total = 0
    for item, rec in zip(items, records, strict=True):
        exp = item.record
        if exp is None:
            continue
        total += 1
        cells = rec.get("cells") or {}
        got = (rec.get("title"), rec.get("agency"), rec.get("year"), rec.get("template"))
        want = (exp["title"], exp["agency"], exp["year"], exp["template"])
        ok += got == want and {k: cells.get(k) for k in exp["cells"]} == exp["cells"]
    return ok, total


def main() -> int:
    warm_pages, warm_texts = generated(WARMUP, "warm-up")
    rounds = [generated(MEASURED, f"measured-{n}") for n in range(ROUNDS)]
    seeds = seed_texts()
    stage_pages, stage_texts = generated(STAGE_REPORTS, "stages")
    for item in [*warm_pages, *warm_texts]:
        parse_bytes(item.data)
    pages = [p for pages, _ in rounds for p in pages]
    avg_kb = sum(len(p.data) for p in pages) / len(pages) / 1024
    print(
        f"inputs: {len(pages)} distinct HTML pages (UTF-8/GBK, avg {avg_kb:.0f} KB), "
        f"{ROUNDS * MEASURED + len(seeds)} distinct text reports ({len(seeds)} seeds), in {ROUNDS} rounds; "
        f"each parsed once after a warm-up on {2 * WARMUP} other reports; CPU time"
    )
    checked = []
    for kind, stage_items in (("HTML", stage_pages), ("text", stage_texts)):
        lxml_s = parse_s = 0.0
        ratios: list[float] = []
        faithful = [0, 0]
        for n, (round_pages, round_texts) in enumerate(rounds):
            items = round_pages if kind == "HTML" else [*round_texts, *(seeds if n == 0 else [])]
            round_lxml, round_parse, records = _side_by_side(items)
            lxml_s, parse_s = lxml_s + round_lxml, parse_s + round_parse
            ratios.append(round_parse / round_lxml)
            ok, total = _faithful(items, records)
            faithful = [faithful[0] + ok, faithful[1] + total]
        count = ROUNDS * MEASURED + (len(seeds) if kind == "text" else 0)
        ratio = parse_s / lxml_s
        verdict = "ok" if ratio <= TARGET_RATIO else f"MISSED (target ≤ {TARGET_RATIO:.0f}x)"
        parse_ms, lxml_ms = 1000 * parse_s / count, 1000 * lxml_s / count
        print(
            f"parse {kind:5}: {1000 / parse_ms:7.1f} reports/s ({parse_ms:6.2f} ms)   "
            f"lxml alone {lxml_ms:5.2f} ms   {ratio:5.1f}x lxml  {verdict}"
            f"   (rounds: {' '.join(f'{r:.1f}x' for r in ratios)})"
        )
        stages = _stages(stage_items)
        base = stages.pop("lxml alone")
        for stage, spent in stages.items():
            print(f"    {stage:26} {1000 * spent / len(stage_items):6.2f} ms  ({spent / base:4.1f}x lxml)")
        checked.append((kind, *faithful))
    print("read back exactly: " + ", ".join(f"{name} {ok}/{n}" for name, ok, n in checked))
    return 0


if __name__ == "__main__":
    main()
