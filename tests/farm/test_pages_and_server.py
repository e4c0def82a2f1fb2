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


# ---------------------------------------------------------------- the HTTP/1.1 loop
TINY = {"seed": 1, "portals": [{"name": "t", "style": "A", "years": [2023, 2024]}]}


def _exchange(sock: socket.socket, raw: bytes) -> bytes:
    """Send raw bytes and read one response (head + Content-Length body)."""
    sock.sendall(raw)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    m = re.search(rb"(?i)\r\ncontent-length: (\d+)", head)
    want = int(m.group(1)) if m and not raw.startswith(b"HEAD") else 0
    while len(body) < want:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def _closed(sock: socket.socket) -> bool:
    sock.settimeout(5)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def test_http_keep_alive_close_and_http10(tmp_path: Path) -> None:
    with Farm.start(TINY, data_dir=tmp_path) as farm:
        addr = (farm.portal("t").address, farm.port)
        with socket.create_connection(addr, timeout=5) as sock:
            for _ in range(3):  # HTTP/1.1: one connection, many answers
                answer = _exchange(sock, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                assert answer.startswith(b"HTTP/1.1 200 OK\r\n") and answer.endswith(b"</html>\n")
                assert b"\r\nServer: nginx" in answer and b"\r\nDate: " in answer
            answer = _exchange(sock, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert answer.startswith(b"HTTP/1.1 200 ") and _closed(sock)
        with socket.create_connection(addr, timeout=5) as sock:  # HTTP/1.0 closes unless asked not to
            assert _exchange(sock, b"GET / HTTP/1.0\r\n\r\n").startswith(b"HTTP/1.1 200 ") and _closed(sock)
        with socket.create_connection(addr, timeout=5) as sock:
            for _ in range(2):
                answer = _exchange(sock, b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                assert answer.startswith(b"HTTP/1.1 200 ")


def test_http_head_post_and_bad_requests(tmp_path: Path) -> None:
    with Farm.start(TINY, data_dir=tmp_path) as farm:
        addr = (farm.portal("t").address, farm.port)
        with socket.create_connection(addr, timeout=5) as sock:
            get = _exchange(sock, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            head = _exchange(sock, b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
            length = re.search(rb"Content-Length: (\d+)", head).group(1)
            assert head.endswith(b"\r\n\r\n") and int(length) == len(get.partition(b"\r\n\r\n")[2])
            # a POST body is read whole (the next request on the connection still parses)
            post = _exchange(sock, b"POST /nothing HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcde")
            assert post.startswith(b"HTTP/1.1 404 ")
            answer = _exchange(
                sock, b"POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nab"
            )
            assert answer.startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
            assert _exchange(sock, b"GET / HTTP/1.1\r\n\r\n").startswith(b"HTTP/1.1 200 ")
        for raw, status in (
            (b"DELETE / HTTP/1.1\r\n\r\n", b"501"),
            (b"GET / HTTP/2.0\r\n\r\n", b"505"),
            (b"GET / FTP/1.1\r\n\r\n", b"400"),
            (b"GET /\r\n\r\n", b"400"),
            (b"GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n", b"400"),
            (b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n", b"414"),
            (b"GET / HTTP/1.1\r\n" + b"X-A: b\r\n" * 101 + b"\r\n", b"431"),
        ):
            with socket.create_connection(addr, timeout=5) as sock:
                answer = _exchange(sock, raw)
                assert answer.startswith(b"HTTP/1.1 " + status), (raw[:30], answer[:60])
                assert b"Connection: close" in answer and _closed(sock)


def test_stop_hangs_up_idle_keep_alive_connections(tmp_path: Path) -> None:
    farm = Farm.start(TINY, data_dir=tmp_path)
    with socket.create_connection((farm.portal("t").address, farm.port), timeout=5) as sock:
        assert _exchange(sock, b"GET / HTTP/1.1\r\n\r\n").startswith(b"HTTP/1.1 200 ")
        farm.stop()
        assert _closed(sock)
