"""Parse throughput: reports/second through `parse_bytes` for HTML detail pages and plain-text
reports, next to the time lxml alone needs to parse the same pages (target: parse ≤ 3× lxml).

Inputs: every farm corpus record rendered with `render_html` (UTF-8 and GBK) and the five seed
text files. The lxml baseline for a text report is the parse of that report's HTML page.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import lxml.html

from parsers.parse import parse_bytes

TARGET_RATIO = 3.0
MIN_SECONDS = 2.0


def _inputs() -> tuple[list[bytes], list[bytes]]:
    from farm.corpus import base_records
    from farm.render.html_report import render_html

    records = base_records()
    pages = [render_html(r, encoding=enc) for r in records for enc in ("utf-8", "gbk")]
    seeds = Path(__file__).resolve().parents[2] / "shared" / "seeds"
    texts = [p.read_bytes() for p in sorted(seeds.glob("*.txt"))]
    return pages, texts


def _rate(func: Callable[[bytes], object], items: list[bytes]) -> float:
    """Items per second, repeating the whole list until MIN_SECONDS have passed."""
    for item in items:  # warm-up: imports, caches, compiled regexes
        func(item)
    done = 0
    started = time.perf_counter()
    while True:
        for item in items:
            func(item)
        done += len(items)
        elapsed = time.perf_counter() - started
        if elapsed >= MIN_SECONDS:
            return done / elapsed


def main() -> int:
    pages, texts = _inputs()
    lxml_rate = _rate(lxml.html.document_fromstring, pages)
    html_rate = _rate(parse_bytes, pages)
    text_rate = _rate(parse_bytes, texts)
    avg_kb = sum(map(len, pages)) / len(pages) / 1024
    print(f"inputs: {len(pages)} HTML pages (avg {avg_kb:.0f} KB), {len(texts)} text reports")
    print(f"lxml parse only : {lxml_rate:8.1f} pages/s  ({1000 / lxml_rate:6.2f} ms/page)")
    status = 0
    for name, rate in (("parse HTML", html_rate), ("parse text", text_rate)):
        ratio = lxml_rate / rate
        verdict = "ok" if ratio <= TARGET_RATIO else f"MISSED (target ≤ {TARGET_RATIO:.0f}x)"
        print(
            f"{name:16}: {rate:8.1f} reports/s ({1000 / rate:6.2f} ms/report)  {ratio:5.1f}x lxml  {verdict}"
        )
    return status


if __name__ == "__main__":
    main()
