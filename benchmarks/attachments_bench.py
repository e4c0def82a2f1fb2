"""Attachment readers: PDF and DOCX parse time per report, next to pdftotext on the same files.

For every sample record (the seed truth records and a v2019 one) the PDF and DOCX renderings
(cached on disk by farm.render) are read, best of a few runs, and the raw extraction of
`pdftotext` (poppler, a C program doing no table work) is timed in the same run for scale.
Prints per report and in total: our time, pdftotext's, their ratio (target <= 3x for text
PDFs), and peak memory (Python allocations while reading, and the process's max RSS).
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

REPEAT = 3


def _best(fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(REPEAT):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def _peak(fn: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> int:
    from farm.render.docx import render_docx
    from farm.render.pdf import render_pdf
    from farm.render.samples import sample_records
    from parsers.formats import docx, pdf

    if not shutil.which("pdftotext"):
        print("pdftotext (poppler-utils) is not installed; nothing to compare with")
        return 1
    records = sample_records()
    print(
        f"{'report':<24} {'pdf ms':>8} {'pdftotext ms':>13} {'ratio':>6} {'docx ms':>8} {'pdf peak MB':>12}"
    )
    totals = {"pdf": 0.0, "pdftotext": 0.0, "docx": 0.0}
    peak = 0
    with tempfile.TemporaryDirectory(prefix="govreports-bench-") as tmp:
        for record in records:
            pdf_bytes = render_pdf(record)
            docx_bytes = render_docx(record)
            path = Path(tmp) / f"{record.get('id', 'r')}.pdf"
            path.write_bytes(pdf_bytes)
            pdf.read(pdf_bytes)  # warm imports and caches before timing
            t_pdf = _best(lambda b=pdf_bytes: pdf.read(b))
            t_raw = _best(
                lambda p=path: subprocess.run(
                    ["pdftotext", "-layout", str(p), "-"], capture_output=True, check=True
                )
            )
            t_docx = _best(lambda b=docx_bytes: docx.read(b))
            mem = _peak(lambda b=pdf_bytes: pdf.read(b))
            peak = max(peak, mem)
            totals["pdf"] += t_pdf
            totals["pdftotext"] += t_raw
            totals["docx"] += t_docx
            print(
                f"{record.get('id', '?'):<24} {t_pdf * 1000:8.1f} {t_raw * 1000:13.1f} "
                f"{t_pdf / t_raw:6.1f} {t_docx * 1000:8.1f} {mem / 1e6:12.1f}"
            )
    ratio = totals["pdf"] / totals["pdftotext"]
    n = len(records)
    print(
        f"mean per report: pdf {totals['pdf'] / n * 1000:.1f} ms, pdftotext {totals['pdftotext'] / n * 1000:.1f} ms "
        f"(ratio {ratio:.1f}x, target <= 3x), docx {totals['docx'] / n * 1000:.1f} ms"
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    print(f"peak Python allocations while reading one PDF: {peak / 1e6:.1f} MB; process max RSS {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
