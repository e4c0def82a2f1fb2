"""The job ledger that lets a killed crawl resume without refetching finished reports."""

from __future__ import annotations

from pathlib import Path

from crawler.jobstate import LEDGER, JobLedger


def test_ledger_survives_a_cut_line_and_reloads(tmp_path: Path) -> None:
    ledger = JobLedger.open(str(tmp_path))
    ledger.mark("p", "http://h/a.html", stored=True, title="某镇2023年政府信息公开工作年度报告")
    ledger.mark("p", "http://h/decoy.html", stored=False)
    ledger.mark("p", "http://h/a.html", stored=True)  # once only
    ledger.close()
    with (tmp_path / LEDGER).open("a", encoding="utf-8") as fh:
        fh.write('{"portal": "p", "url": "http://h/cu')  # the kill cut this line
    again = JobLedger.open(str(tmp_path))
    assert again.done == {"http://h/a.html", "http://h/decoy.html"}
    assert again.stored == {"p": {"http://h/a.html"}}
    assert again.titles == {"p": {"某镇2023年政府信息公开工作年度报告"}}
    assert len((tmp_path / LEDGER).read_text(encoding="utf-8").splitlines()) == 3
