"""Report page renderings (script-only attachments, title variants, list order) and the server
itself (concurrency, clean stop)."""

from __future__ import annotations

import re
import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from farm import Farm

MIXED = {
    "seed": 21,
    "portals": [
        {
            "name": "m_script",
            "style": "A",
            "years": [2019, 2024],
            "bodies": {"departments": 4, "townships": 4},
            "modes": {"script": 0.5, "html": 0.5},
            "formats": ["docx"],
            "pager": {"per_page": 50},
        },
    ],
}


def test_script_only_attachment_links(tmp_path: Path, get) -> None:
    with Farm.start(MIXED, data_dir=tmp_path) as farm:
        r = next(r for r in farm.truth.reports if r.mode == "script")
        page = get(r.detail_url).text()
        outside = re.sub(r"<script.*?</script>", "", page, flags=re.S)
        name = r.attachment_urls[0].rsplit("/", 1)[1]
        assert name not in outside  # a static parser sees nothing
        script = next(s for s in re.findall(r"<script>(.*?)</script>", page, re.S) if name in s)
        assert "document.write(" in script and f'href="./{name}"' in script
        assert get(r.attachment_urls[0]).status == 200


def test_title_variants_and_non_monotonic_dates(tmp_path: Path, get) -> None:
    with Farm.start(MIXED, data_dir=tmp_path) as farm:
        titles = [r.expected_record["title"] for r in farm.truth.reports]
        assert any(t.endswith("政府信息公开工作年度报告") and t[0].isdigit() for t in titles)  # {Y}年{机关}…
        assert any("年度政府信息公开工作年度报告" in t for t in titles)
        assert any(t.endswith("政府信息公开年度报告") for t in titles)
        assert any(t.endswith("工作总结") for t in titles)
        text = get(farm.portal("m_script").column_href).text()
        dates = re.findall(r"<span>(\d{4}-\d\d-\d\d)</span>", text)
        assert len(dates) > 20 and dates != sorted(dates, reverse=True)


def test_concurrent_requests(demo_farm: Farm, get) -> None:
    urls = [r.detail_url for r in demo_farm.truth.for_portal("sim_trs").reports if r.mode == "html"][:40]
    with ThreadPoolExecutor(20) as pool:
        statuses = list(pool.map(lambda u: get(u).status, urls * 2))
    assert statuses == [200] * len(urls) * 2


def test_stop_frees_the_addresses(tmp_path: Path, get) -> None:
    profile = {
        "seed": 1,
        "portals": [{"name": "s", "style": "A", "years": [2023, 2024], "address": "127.0.0.250"}],
    }
    farm = Farm.start(profile, data_dir=tmp_path)
    port = farm.port
    assert get(farm.portal("s").base + "/").status == 200
    farm.stop()
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.250", port)) != 0
    with Farm.start(profile, data_dir=tmp_path, port=port) as again:  # the same port binds again
        assert again.port == port and get(again.portal("s").base + "/").status == 200


def test_keep_alive_answers_without_a_delayed_ack_stall(tmp_path: Path) -> None:
    """Head and body leave in one write: as two, every keep-alive answer waited for the client's
    delayed ACK (~40 ms), nearly doubling the farm's injected 50 ms latency."""
    import http.client
    import statistics
    import time

    with Farm.start(MIXED, data_dir=tmp_path) as farm:
        portal = farm.portal("m_script")
        conn = http.client.HTTPConnection(portal.address, farm.port, timeout=10)
        took = []
        try:
            for r in [r for r in farm.truth.reports if r.mode == "html"][:15]:
                started = time.perf_counter()
                conn.request("GET", r.detail_url.split(portal.host, 1)[1])
                resp = conn.getresponse()
                assert resp.status == 200 and resp.read()
                took.append(time.perf_counter() - started)
        finally:
            conn.close()
    assert statistics.median(took) < 0.03  # a delayed-ACK stall alone is ≥ 40 ms
