"""`govreports serve`: a real threading server on a loopback port."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from archive.api import Archive
from govreports.cli import build_parser
from govreports.commands.serve import build_server


def test_serves_pages_concurrently_on_loopback(web_db: str, tmp_path: Path) -> None:
    with Archive.open(web_db, captures_dir=tmp_path / "cap") as archive:
        server = build_server(archive, "127.0.0.1", 0)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            host, port = server.server_address[:2]
            assert host == "127.0.0.1"
            base = f"http://127.0.0.1:{port}"
            results: list[tuple[int, str]] = []

            def fetch(path: str) -> None:
                with urllib.request.urlopen(base + path, timeout=30) as resp:
                    results.append((resp.status, resp.read().decode("utf-8")))

            paths = [
                "/?year=2023",
                "/missing?year=2023&as_of=2024-06-01",
                "/report?" + urlencode({"agency": "城乡一体化示范区党政办公室", "year": 2023}),
            ]
            threads = [threading.Thread(target=fetch, args=(p,)) for p in paths]
            for t in threads:
                t.start()
            for t in threads:
                t.join(30)
            assert sorted(s for s, _ in results) == [200, 200, 200]
            assert any("乐清市新居民服务中心" in body for _, body in results)
            try:
                urllib.request.urlopen(base + "/late?year=abc", timeout=30)
                raise AssertionError("expected 400")
            except urllib.error.HTTPError as err:
                assert err.code == 400 and "year" in err.read().decode("utf-8")
        finally:
            server.shutdown()
            server.server_close()
            thread.join(10)


def test_serve_command_defaults_to_loopback() -> None:
    args = build_parser().parse_args(["serve"])
    assert args.host == "127.0.0.1" and args.port == 8000 and args.db is None
    args = build_parser().parse_args(
        ["serve", "--host", "127.0.0.2", "--port", "0", "--db", "sqlite:///x.db"]
    )
    assert (args.host, args.port, args.db) == ("127.0.0.2", 0, "sqlite:///x.db")


def test_port_in_use_is_a_clear_error(tmp_path: Path, capsys) -> None:
    import socket

    from govreports.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["serve", "--port", str(port), "--db", f"sqlite:///{tmp_path / 'a.sqlite3'}"])
    err = capsys.readouterr().err
    assert code == 2 and f"cannot listen on 127.0.0.1:{port}" in err and "Traceback" not in err
