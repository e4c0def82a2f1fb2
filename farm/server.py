"""HTTP plumbing: a request/response pair and the loopback server that carries every portal address.

Standard library only. A `Response.body` may be bytes or a zero-argument callable yielding chunks
(the oversize attachment is streamed so it is never held in memory).

The server is a small HTTP/1.1 loop rather than `http.server`: the farm shares a 2-core machine
with the crawler it benchmarks, and `BaseHTTPRequestHandler` (an `email` parse of every header
block, a formatted date, one `send_header` call per line) plus a `serve_forever` thread polling each
address 20 times a second cost more CPU than serving the page did. One thread accepts on every
address; each connection gets its own thread, which keeps answering it (keep-alive) and may block
(the `slow` knob sleeps, LibreOffice renders attachments) without holding anything else up.
What a client sees is what `http.server` answered: status lines and reasons, `Server: nginx`,
`Date`, keep-alive for HTTP/1.1 unless `Connection: close`, 100-continue, 400/414/431/501/505 for
bad requests, HEAD without a body.
"""

from __future__ import annotations

import contextlib
import email.utils
import html
import http.server
import selectors
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from io import BufferedReader
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


# ---------------------------------------------------------------------------------- HTTP/1.1
MAX_LINE = 65536  # http.server's limits: longer request line 414, longer header line 431
MAX_HEADERS = 100
METHODS = frozenset({"GET", "POST", "HEAD"})
_REASONS = {code: short for code, (short, _) in http.server.BaseHTTPRequestHandler.responses.items()}
SERVER = "nginx"


class _Date:
    """The Date header, formatted once a second rather than once a response."""

    def __init__(self) -> None:
        self._second = -1
        self._text = ""

    def __call__(self) -> str:
        now = time.time()
        if int(now) != self._second:  # a race here only formats the same second twice
            self._text = email.utils.formatdate(now, usegmt=True)
            self._second = int(now)
        return self._text


_date = _Date()


class _BadRequest(Exception):
    def __init__(self, status: int, message: str | None = None) -> None:
        super().__init__(status, message)
        self.status = status
        self.message = message


def _head(status: int, headers: Iterable[tuple[str, str]]) -> bytes:
    lines = "".join(f"{name}: {value}\r\n" for name, value in headers)
    return (
        f"HTTP/1.1 {status} {_REASONS.get(status, '')}\r\nServer: {SERVER}\r\nDate: {_date()}\r\n{lines}\r\n"
    ).encode("latin-1")


def _error_bytes(status: int, message: str | None, method: str) -> bytes:
    """http.server's send_error answer (which always closes the connection)."""
    short, explain = http.server.BaseHTTPRequestHandler.responses.get(status, ("???", "???"))
    body = (
        http.server.DEFAULT_ERROR_MESSAGE
        % {
            "code": status,
            "message": html.escape(message or short, quote=False),
            "explain": html.escape(explain, quote=False),
        }
    ).encode("utf-8", "replace")
    head = _head(
        status,
        [
            ("Connection", "close"),
            ("Content-Type", http.server.DEFAULT_ERROR_CONTENT_TYPE),
            ("Content-Length", str(len(body))),
        ],
    )
    return head + (b"" if method == "HEAD" else body)


class _Connection:
    """One client connection: read a request, answer it, again while the client keeps it open."""

    def __init__(self, sock: socket.socket, app: App, host_addr: str, client: str) -> None:
        self.sock = sock
        self.app = app
        self.host_addr = host_addr
        self.client = client
        self.rfile: BufferedReader = sock.makefile("rb")  # type: ignore[assignment]

    def serve(self) -> None:
        try:
            while self._one():
                pass
        except (OSError, ValueError):  # reset, or the socket closed under us by stop()
            pass
        finally:
            self.rfile.close()
            with contextlib.suppress(OSError):
                self.sock.shutdown(socket.SHUT_WR)
            self.sock.close()

    def _one(self) -> bool:
        """Serve one request; False when the connection is to be closed."""
        method = ""
        try:
            line = self.rfile.readline(MAX_LINE + 1)
            if not line:
                return False
            if len(line) > MAX_LINE:
                raise _BadRequest(414)
            method, target, http11 = _request_line(line)
            keep_alive = http11
            headers = self._headers()
            conn = headers.get("connection", "").lower()
            if conn == "close":
                keep_alive = False
            elif conn == "keep-alive":
                keep_alive = True
            if http11 and headers.get("expect", "").lower() == "100-continue":
                self.sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            if method not in METHODS:
                raise _BadRequest(501, f"Unsupported method ({method!r})")
            try:
                length = int(headers.get("content-length") or 0)
            except ValueError:
                raise _BadRequest(400, "Bad Content-Length") from None
            if length < 0:
                raise _BadRequest(400, "Bad Content-Length")
            body = self.rfile.read(length) if length else b""
        except _BadRequest as bad:
            self.sock.sendall(_error_bytes(bad.status, bad.message, method))
            return False
        if target[:1] == "/" and "?" not in target and "#" not in target:
            path, query = target, {}  # what urlsplit would give, without its cost
        else:
            parts = urlsplit(target)
            path, query = parts.path or "/", parse_qs(parts.query, keep_blank_values=True)
        req = Request(
            method=method,
            raw_path=target,
            path=path,
            query=query,
            headers=headers,
            body=body,
            client=self.client,
            host_addr=self.host_addr,
        )
        try:
            resp = self.app.handle(req)
        except Exception as exc:  # a farm bug must not hang the client
            resp = Response(500, f"farm error: {exc!r}".encode(), "text/plain; charset=utf-8")
        return self._write(resp, method, keep_alive)

    def _headers(self) -> dict[str, str]:
        """Header block -> {lower-cased name: value}; the last of repeated names wins."""
        headers: dict[str, str] = {}
        name = ""
        for _ in range(MAX_HEADERS + 1):
            line = self.rfile.readline(MAX_LINE + 1)
            if len(line) > MAX_LINE:
                raise _BadRequest(431, "Line too long")
            if line in (b"\r\n", b"\n", b""):
                return headers
            text = line.decode("iso-8859-1")
            if text[0] in " \t" and name:  # obsolete line folding continues the previous value
                headers[name] = f"{headers[name]} {text.strip()}".strip()
                continue
            raw_name, sep, value = text.partition(":")
            if sep:
                name = raw_name.strip().lower()
                headers[name] = value.strip()
        raise _BadRequest(431, "Too many headers")

    def _write(self, resp: Response, method: str, keep_alive: bool) -> bool:
        fields: list[tuple[str, str]] = []
        if resp.content_type:
            fields.append(("Content-Type", resp.content_type))
        for name, value in resp.headers:
            fields.append((name, value))
            if name.lower() == "connection" and value.lower() in ("close", "keep-alive"):
                keep_alive = value.lower() == "keep-alive"
        streamed = callable(resp.body)
        if streamed:
            assert resp.length is not None
            fields.append(("Content-Length", str(resp.length)))
        else:
            fields.append(("Content-Length", str(len(resp.body))))  # type: ignore[arg-type]
        out = _head(resp.status, fields)
        if not streamed and method != "HEAD":
            # Head and body in one write: as two writes on a keep-alive connection, the body waits
            # for the ACK of the head (Nagle) while the client delays that ACK (~40 ms a response).
            out += resp.body  # type: ignore[operator]
        try:
            self.sock.sendall(out)
            if streamed and method != "HEAD":
                for chunk in resp.body():  # type: ignore[operator]
                    self.sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            return False
        return keep_alive


def _request_line(line: bytes) -> tuple[str, str, bool]:
    """(method, target, HTTP/1.1 or later) of a request line."""
    text = line.decode("iso-8859-1").rstrip("\r\n")
    words = text.split()
    if not words:
        raise _BadRequest(400, "Bad request syntax (empty request line)")
    if len(words) != 3:  # HTTP/0.9 (two words) is not spoken here either
        raise _BadRequest(400, f"Bad request syntax ({text!r})")
    method, target, version = words
    try:
        if not version.startswith("HTTP/"):
            raise ValueError
        numbers = version.split("/", 1)[1].split(".")
        if len(numbers) != 2 or not all(n.isdigit() and len(n) <= 10 for n in numbers):
            raise ValueError
        number = (int(numbers[0]), int(numbers[1]))
    except (ValueError, IndexError):
        raise _BadRequest(400, f"Bad request version ({version!r})") from None
    if number >= (2, 0):
        raise _BadRequest(505, f"Invalid HTTP version ({version[5:]})")
    if target.startswith("//"):
        target = "/" + target.lstrip("/")
    return method, target, number >= (1, 1)


# ---------------------------------------------------------------------------------- listening
@dataclass(slots=True)
class _Listener:
    app: App
    address: str
    sock: socket.socket


class FarmServer:
    """Every portal address of a farm, on one shared port, accepted by one thread."""

    def __init__(self, listeners: list[_Listener]) -> None:
        self._listeners = listeners
        self.port: int = listeners[0].sock.getsockname()[1] if listeners else 0
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._stopping = False
        self._thread = threading.Thread(target=self._accept_loop, name="farm-accept", daemon=True)
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()

    @property
    def addresses(self) -> list[str]:
        return [lst.address for lst in self._listeners]

    def start(self) -> None:
        for lst in self._listeners:
            lst.sock.setblocking(False)
            self._selector.register(lst.sock, selectors.EVENT_READ, lst)
        self._selector.register(self._wake_r, selectors.EVENT_READ, None)
        self._thread.start()

    def _accept_loop(self) -> None:
        while not self._stopping:
            for key, _ in self._selector.select():
                lst: _Listener | None = key.data
                if lst is None:  # stop() woke us
                    return
                try:
                    sock, peer = lst.sock.accept()
                except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                    continue
                except OSError:  # closed by stop()
                    return
                sock.setblocking(True)
                # Streamed bodies are written in chunks after the head: no Nagle delay between them.
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                with self._lock:
                    self._open.add(sock)
                threading.Thread(
                    target=self._serve, args=(sock, lst, peer[0]), name=f"farm-{lst.address}", daemon=True
                ).start()

    def _serve(self, sock: socket.socket, lst: _Listener, client: str) -> None:
        try:
            _Connection(sock, lst.app, lst.address, client).serve()
        finally:
            with self._lock:
                self._open.discard(sock)

    def stop(self) -> None:
        """Stop accepting, close every address (it can be bound again) and hang up on clients."""
        if self._thread.is_alive():
            self._stopping = True
            self._wake_w.send(b"x")
            self._thread.join(timeout=5)
        for lst in self._listeners:
            lst.sock.close()
        self._selector.close()
        self._wake_r.close()
        self._wake_w.close()
        with self._lock:
            open_now = list(self._open)
        for sock in open_now:  # wakes a connection thread waiting for its next request
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def _listen(address: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as http.server: rebind after stop
        sock.bind((address, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def bind_all(apps: list[tuple[App, str]], port: int | None, attempts: int = 25) -> FarmServer:
    """Bind every (app, address) on one shared port; port None picks a free ephemeral port."""
    last: OSError | None = None
    for _ in range(attempts if port is None else 1):
        listeners: list[_Listener] = []
        try:
            chosen = port or 0
            for app, address in apps:
                sock = _listen(address, chosen)
                listeners.append(_Listener(app, address, sock))
                chosen = sock.getsockname()[1]
            return FarmServer(listeners)
        except OSError as exc:
            last = exc
            for lst in listeners:
                lst.sock.close()
    raise OSError(f"cannot bind the farm's addresses on port {port or 'auto'}: {last}")
