"""Attachment readers: PDF and DOCX parse time per report, next to pdftotext on the same files.

For every sample record (the seed truth records and a v2019 one) the PDF and DOCX renderings
(cached on disk by farm.render) are read, best of a few runs, and the raw extraction of
`pdftotext` (poppler, a C program doing no table work) is timed in the same run for scale: the
command a user would type, `pdftotext FILE -`, run as a subprocess on the same file.
Prints per report and in total: our time, pdftotext's, their ratios (target <= 3x for text
PDFs; DOCX has no target, its ratio is for scale), and peak memory: Python allocations while
reading one PDF (tracemalloc), and the peak RSS growth while a fresh process reads all the
PDFs (this one includes PDFium's C heap, which tracemalloc does not see). The three readers
take turns within each round, best of REPEAT rounds each, so background load hits them alike.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

REPEAT = 5


def _best_interleaved(fns: dict[str, Callable[[], object]]) -> dict[str, float]:
    """Best of REPEAT rounds for each function, the functions taking turns within a round, so
    that load from other processes on the machine falls on all of them alike."""
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(REPEAT):
        for name, fn in fns.items():
            started = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - started)
    return best


def _peak(fn: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


_RSS_PROBE = """
import json, re, resource, sys
import pdfplumber, pypdf, pypdfium2  # the libraries are loaded before measuring
from parsers.formats import pdf, pdf_lattice, pdf_pdfium
def hwm():
    return int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1))
base = hwm()
try:  # Linux: reset the high-water mark to the current RSS, so the peak is the reading's own
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    base = int(re.search(r"VmRSS:\\s+(\\d+)", open("/proc/self/status").read()).group(1))
except OSError:
    pass
for path in sys.argv[1:]:
    pdf.read(open(path, "rb").read())
print(json.dumps({"before_kb": base, "after_kb": hwm()}))
"""


def _rss_growth(paths: list[Path]) -> tuple[float, float]:
    """(RSS after imports, peak RSS growth while reading every file), in MB."""
    out = subprocess.run(
        [sys.executable, "-c", _RSS_PROBE, *map(str, paths)], capture_output=True, check=True, text=True
    )
    probe = json.loads(out.stdout.strip().splitlines()[-1])
    return probe["before_kb"] / 1024, (probe["after_kb"] - probe["before_kb"]) / 1024


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
        f"{'report':<24} {'pdf ms':>8} {'pdftotext ms':>13} {'ratio':>6} {'docx ms':>8} {'ratio':>6}"
        f" {'pdf peak MB':>12}"
    )
    paths: list[Path] = []
    totals = {"pdf": 0.0, "pdftotext": 0.0, "docx": 0.0}
    peak = 0
    with tempfile.TemporaryDirectory(prefix="govreports-bench-") as tmp:
        for record in records:
            pdf_bytes = render_pdf(record)
            docx_bytes = render_docx(record)
            path = Path(tmp) / f"{record.get('id', 'r')}.pdf"
            path.write_bytes(pdf_bytes)
            paths.append(path)
            pdf.read(pdf_bytes)  # warm imports and caches before timing
            docx.read(docx_bytes)
            best = _best_interleaved(
                {
                    "pdf": lambda b=pdf_bytes: pdf.read(b),
                    "pdftotext": lambda p=path: subprocess.run(
                        ["pdftotext", str(p), "-"], capture_output=True, check=True
                    ),
                    "docx": lambda b=docx_bytes: docx.read(b),
                }
            )
            t_pdf, t_raw, t_docx = best["pdf"], best["pdftotext"], best["docx"]
            mem = _peak(lambda b=pdf_bytes: pdf.read(b))
            peak = max(peak, mem)
            totals["pdf"] += t_pdf
            totals["pdftotext"] += t_raw
            totals["docx"] += t_docx
            print(
                f"{record.get('id', '?'):<24} {t_pdf * 1000:8.1f} {t_raw * 1000:13.1f} "
                f"{t_pdf / t_raw:6.1f} {t_docx * 1000:8.1f} {t_docx / t_raw:6.1f} {mem / 1e6:12.1f}"
            )
        base_rss, growth = _rss_growth(paths)
    ratio = totals["pdf"] / totals["pdftotext"]
    n = len(records)
    print(
        f"mean per report: pdf {totals['pdf'] / n * 1000:.1f} ms, pdftotext {totals['pdftotext'] / n * 1000:.1f} ms "
        f"(ratio {ratio:.1f}x, target <= 3x), docx {totals['docx'] / n * 1000:.1f} ms "
        f"({totals['docx'] / totals['pdftotext']:.1f}x pdftotext, no target)"
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    print(f"peak Python allocations while reading one PDF: {peak / 1e6:.1f} MB; process max RSS {rss:.0f} MB")
    print(
        f"fresh process reading all {n} PDFs: RSS {base_rss:.0f} MB after imports, "
        f"peak +{growth:.1f} MB while reading (C heap included)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
