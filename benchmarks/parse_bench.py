"""Parse throughput: reports/second through `parse_bytes` for HTML detail pages and plain-text
reports, next to the time lxml alone needs to parse the same pages (target: parse ≤ 3× lxml).

Inputs: every farm corpus record rendered with `render_html` (UTF-8 and GBK) and the five seed
text files; the lxml baseline for the text reports is the parse of the same seeds' HTML pages.
CPU time of this process is measured (not wall time), so other load on the machine distorts the
figures less. A breakdown shows where the time goes: format reader, `extract_tables`, and the
rest of `build_record` (metadata, sections, checks).

The parsers memoise pure string functions (label normalisation, value classification, line and
row splits) in bounded caches. Repeating the same pages keeps those caches warm, which flatters
the figures; a crawl sees new narrative lines in every report but the same table labels and
figures. So the "cold" line clears every bounded parser cache before each report: the truth
lies between the two.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import lxml.html

from parsers.build import build_record
from parsers.formats import read_document
from parsers.formats.sniff import sniff_format
from parsers.parse import parse_bytes
from parsers.record import Source

TARGET_RATIO = 3.0
MIN_SECONDS = 1.0


def _inputs() -> tuple[list[bytes], list[bytes], list[bytes]]:
    from farm.corpus import base_records
    from farm.render.html_report import render_html

    records = base_records()
    pages = [render_html(r, encoding=enc) for r in records for enc in ("utf-8", "gbk")]
    seed_pages = [render_html(r) for r in records if str(r.get("id", "")).startswith("00")]
    seeds = Path(__file__).resolve().parents[2] / "shared" / "seeds"
    texts = [p.read_bytes() for p in sorted(seeds.glob("*.txt"))]
    return pages, texts, seed_pages or pages


def _ms(func: Callable[[Any], object], items: Sequence[Any]) -> float:
    """CPU milliseconds per item, repeating the whole list until MIN_SECONDS have passed."""
    for item in items:  # warm-up: imports, caches, compiled regexes
        func(item)
    done = 0
    started = time.process_time()
    while True:
        for item in items:
            func(item)
        done += len(items)
        elapsed = time.process_time() - started
        if elapsed >= MIN_SECONDS:
            return elapsed * 1000 / done


def _bounded_caches() -> list[Any]:
    """The memoised functions of the parsers (bounded lru caches; unbounded ones hold config)."""
    import functools
    import sys

    out = []
    for name, module in list(sys.modules.items()):
        if name == "parsers" or name.startswith("parsers."):
            for obj in vars(module).values():
                if isinstance(obj, functools._lru_cache_wrapper) and obj.cache_parameters()["maxsize"]:
                    out.append(obj)
    return list({id(f): f for f in out}.values())


def _cold(items: list[bytes]) -> float:
    caches = _bounded_caches()

    def parse_cold(data: bytes) -> None:
        for f in caches:
            f.cache_clear()
        parse_bytes(data)

    return _ms(parse_cold, items)


def _stages(items: list[bytes]) -> dict[str, float]:
    from parsers.formats.html_tables import read_grids
    from parsers.tables import extract_tables

    docs = [read_document(b, sniff_format(b)) for b in items]
    tables = [extract_tables(d) for d in docs]
    return {
        "reader": _ms(lambda b: read_document(b, sniff_format(b)), items),
        **({"  of which read_grids": _ms(read_grids, items)} if docs[0].format == "html" else {}),
        "extract_tables": _ms(extract_tables, docs),
        "metadata+sections+checks": _ms(
            lambda i: build_record(docs[i], Source(), tables=tables[i]), range(len(docs))
        ),
    }


def main() -> int:
    pages, texts, seed_pages = _inputs()
    avg_kb = sum(map(len, pages)) / len(pages) / 1024
    print(
        f"inputs: {len(pages)} HTML pages (avg {avg_kb:.0f} KB), {len(texts)} text reports; CPU ms per item"
    )
    for name, items, baseline in (("HTML", pages, pages), ("text", texts, seed_pages)):
        lxml_ms = _ms(lxml.html.document_fromstring, baseline)
        parse_ms = _ms(parse_bytes, items)
        ratio = parse_ms / lxml_ms
        verdict = "ok" if ratio <= TARGET_RATIO else f"MISSED (target ≤ {TARGET_RATIO:.0f}x)"
        print(
            f"parse {name:5}: {1000 / parse_ms:7.1f} reports/s ({parse_ms:6.2f} ms)   "
            f"lxml alone {lxml_ms:5.2f} ms   {ratio:5.1f}x lxml  {verdict}"
        )
        cold_ms = _cold(items)
        print(f"    {'cold caches (each report)':26} {cold_ms:6.2f} ms  ({cold_ms / lxml_ms:4.1f}x lxml)")
        for stage, ms in _stages(items).items():
            print(f"    {stage:26} {ms:6.2f} ms  ({ms / lxml_ms:4.1f}x lxml)")
    return 0


if __name__ == "__main__":
    main()
