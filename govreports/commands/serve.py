"""`govreports serve [--host H] [--port P] [--db URL]`: the read-only web dashboard (govreports.web).

A threading wsgiref server: one thread per request, enough for an office's handful of users; the
archive's engine pools connections across threads. Loopback by default: the dashboard has no
login, so exposing it is an explicit choice (--host 0.0.0.0).
"""

from __future__ import annotations

import argparse
import logging
import socketserver
import sys
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from govreports.commands._common import add_db_option, open_archive

log = logging.getLogger(__name__)


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True  # a slow client must not keep the process alive after Ctrl-C
    allow_reuse_address = True


class QuietHandler(WSGIRequestHandler):
    """Access log through `logging` (visible with --debug) instead of stderr on every request."""

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="the web dashboard over the archive (read-only)")
    p.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1, loopback only)"
    )
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    add_db_option(p)
    p.set_defaults(func=run)


def build_server(archive: Any, host: str, port: int) -> WSGIServer:
    from govreports.web import make_app  # Jinja2 and the archive: only when serving

    return make_server(
        host, port, make_app(archive), server_class=ThreadingWSGIServer, handler_class=QuietHandler
    )


def run(args: argparse.Namespace) -> int:
    from archive.db import redact
    from govreports.errors import ConfigError

    with open_archive(args.db) as archive:
        try:
            server = build_server(archive, args.host, args.port)
        except OSError as err:
            raise ConfigError(f"cannot listen on {args.host}:{args.port}: {err.strerror or err}") from err
        with server:
            host, port = server.server_address[:2]
            shown = f"[{host}]" if ":" in str(host) else host
            print(
                f"govreports dashboard on http://{shown}:{port}/ (archive: {redact(archive.url)}); Ctrl-C stops",
                flush=True,
            )
            try:
                server.serve_forever()
            except KeyboardInterrupt:
                print("stopped", file=sys.stderr)
    return 0
