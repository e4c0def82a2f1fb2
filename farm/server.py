"""HTTP plumbing: a request/response pair and one threaded loopback server per portal address.

Standard library only. A `Response.body` may be bytes or a zero-argument callable yielding chunks
(the oversize attachment is streamed so it is never held in memory).
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Protocol
from urllib.parse import parse_qs, urlsplit


@dataclass(slots=True)
class Request:
    method: str
    raw_path: str  # path + query as sent
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    client: str
    host_addr: str  # the 127.0.0.x the request arrived on

    def q(self, name: str, default: str | None = None) -> str | None:
        vals = self.query.get(name)
        return vals[0] if vals else default

    def form(self) -> dict[str, list[str]]:
        try:
            return parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        except Exception:
            return {}

    @property
    def cookies(self) -> dict[str, str]:
        jar = SimpleCookie()
        try:
            jar.load(self.headers.get("cookie", ""))
        except Exception:
            return {}
        return {k: m.value for k, m in jar.items()}

    @property
    def user_agent(self) -> str:
        return self.headers.get("user-agent", "")


@dataclass(slots=True)
class Response:
    status: int = 200
    body: bytes | Callable[[], Iterable[bytes]] = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    length: int | None = None  # required when body is a callable

    def header(self, name: str, value: str) -> Response:
        self.headers.append((name, value))
        return self


class App(Protocol):
    def handle(self, request: Request) -> Response: ...


def _handler_class(app: App, host_addr: str) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Streamed bodies are written in chunks after the head: no Nagle delay between them.
        disable_nagle_algorithm = True
        server_version = "nginx"
        sys_version = ""

        def log_message(self, format: str, *args: object) -> None:  # quiet: tests run many requests
            return

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            req = Request(
                method=self.command,
                raw_path=self.path,
                path=parts.path or "/",
                query=parse_qs(parts.query, keep_blank_values=True),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
                client=self.client_address[0],
                host_addr=host_addr,
            )
            try:
                resp = app.handle(req)
            except Exception as exc:  # a farm bug must not hang the client
                resp = Response(500, f"farm error: {exc!r}".encode(), "text/plain; charset=utf-8")
            self._write(resp)

        def _write(self, resp: Response) -> None:
            self.send_response(resp.status)
            if resp.content_type:
                self.send_header("Content-Type", resp.content_type)
            for name, value in resp.headers:
                self.send_header(name, value)
            if callable(resp.body):
                assert resp.length is not None
                self.send_header("Content-Length", str(resp.length))
                self.end_headers()
                if self.command != "HEAD":
                    try:
                        for chunk in resp.body():
                            self.wfile.write(chunk)
                    except (BrokenPipeError, ConnectionResetError):
                        self.close_connection = True
                return
            self.send_header("Content-Length", str(len(resp.body)))
            # Head and body in one write: as two writes on a keep-alive connection, the body waits
            # for the ACK of the head (Nagle) while the client delays that ACK (~40 ms a response).
            self._headers_buffer.append(b"\r\n")
            if self.command != "HEAD":
                self._headers_buffer.append(resp.body)
            try:
                self.flush_headers()
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        do_GET = _serve
        do_POST = _serve
        do_HEAD = _serve

    return Handler


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


class AddressServer:
    """One listening socket on (address, port) running in a background thread."""

    def __init__(self, app: App, address: str, port: int) -> None:
        self.address = address
        self.httpd = _Server((address, port), _handler_class(app, address))
        self.port = self.httpd.server_address[1]
        # a short poll interval: stopping a farm of dozens of portals must not take seconds
        self._thread = threading.Thread(
            target=self.httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"farm-{address}",
            daemon=True,
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)


def bind_all(apps: list[tuple[App, str]], port: int | None, attempts: int = 25) -> list[AddressServer]:
    """Bind every (app, address) on one shared port; port None picks a free ephemeral port."""
    last: OSError | None = None
    for _ in range(attempts if port is None else 1):
        servers: list[AddressServer] = []
        try:
            chosen = port or 0
            for app, address in apps:
                srv = AddressServer(app, address, chosen)
                servers.append(srv)
                chosen = srv.port
            return servers
        except OSError as exc:
            last = exc
            for srv in servers:
                srv.httpd.server_close()
    raise OSError(f"cannot bind the farm's addresses on port {port or 'auto'}: {last}")
