"""One simulated portal: its plan, its routes (built by its style), its switches and knobs.

Routes are rebuilt when a switch flips (drift moves the report column, revised changes a record),
so the ground truth is always read from the live state.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import threading
from collections.abc import Callable
from typing import Any

from farm import knobs as knobmod
from farm import pages
from farm.plan import Plan, ReportItem, build_plan
from farm.server import Request, Response

Handler = Callable[[Request], Response]
SWITCHES = ("drift", "revised")

ENCODINGS = {  # knob value -> (python codec, label in header or None, meta declaration)
    "utf8": ("utf-8", "utf-8", '<meta charset="utf-8">'),
    "gbk": ("gbk", "gbk", '<meta http-equiv="Content-Type" content="text/html; charset=gbk">'),
    "gb2312_gbk": ("gbk", "gb2312", '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'),
    "no_charset": ("utf-8", None, '<meta charset="utf-8">'),
    "httpequiv_malformed": ("gbk", None, '<meta httpequiv="ContentType" content="text/html; charset=gbk">'),
    "bom": ("utf-8-sig", None, '<meta charset="utf-8">'),
}


class Portal:
    def __init__(self, conf: dict[str, Any], seed: int, address: str, files_address: str | None) -> None:
        self.conf = conf
        self.name: str = conf["name"]
        self.style: str = conf["style"].upper()
        self.seed = seed
        self.address = address
        self.files_address = files_address  # E: the sibling "xxgk." host serving attachments
        self.port = 0
        self.knobs: dict[str, Any] = dict(conf.get("knobs") or {})
        self.encoding: str = self.knobs.get("encoding", "gb2312_gbk" if self.style == "E" else "utf8")
        self.plan: Plan = build_plan(seed, conf)
        digest = hashlib.sha256(f"{seed}:{self.name}".encode()).hexdigest()
        self.site_code = str(int(digest[:12], 16))[:10].rjust(10, "1")
        self.org_code = f"11{self.site_code[:6]}MB{digest[12:19].upper()}X"
        self.site_name = f"{self.plan.region}人民政府"
        self.switches: dict[str, bool] = dict.fromkeys(SWITCHES, False)
        self.routes: dict[str, Handler] = {}
        self.files_routes: dict[str, Handler] = {}
        self.area_href = "/"
        self.column_href = "/"  # the report column's entry page, for truth and tests
        self.dead_prefixes: list[str] = []  # paths that 404 after a drift
        self.state = knobmod.KnobState()
        self.lock = threading.RLock()
        self.other_portals: list[str] = []  # base URLs of sibling portals (offsite links)
        self.extra_truth: dict[str, Any] = {}  # style-specific facts (e.g. C's column id), for tests

    # ------------------------------------------------------------------ addresses
    @property
    def host(self) -> str:
        return f"{self.address}:{self.port}"

    @property
    def base(self) -> str:
        return f"http://{self.host}"

    @property
    def files_base(self) -> str:
        return f"http://{self.files_address}:{self.port}" if self.files_address else self.base

    @property
    def start_url(self) -> str:
        scheme = "https" if self.knobs.get("http_only") else "http"
        return f"{scheme}://{self.host}/"

    def abs(self, path: str) -> str:
        return path if path.startswith("http") else self.base + path

    # ------------------------------------------------------------------ building
    def build(self) -> None:
        with self.lock:
            self.routes, self.files_routes, self.dead_prefixes = {}, {}, []
            for item in self.plan.reports:
                item.detail_url, item.attachment_urls = "", []
            style = importlib.import_module(f"farm.styles.style_{self.style.lower()}")
            style.build(self)
            knobmod.install_routes(self)

    def set_switch(self, name: str, value: bool = True) -> None:
        if name not in SWITCHES:
            raise KeyError(f"unknown switch {name!r}; known: {', '.join(SWITCHES)}")
        with self.lock:
            self.switches[name] = bool(value)
            self.build()

    def page(self, path: str, html_fn: Callable[[], str], *, files: bool = False) -> None:
        """A static HTML page; built lazily so big farms start fast."""
        self.route(path, lambda req: self.html(html_fn()), files=files)

    def route(self, path: str, handler: Handler, *, files: bool = False) -> None:
        (self.files_routes if files else self.routes)[path] = handler

    def attachment(self, path: str, item: ReportItem, fmt: str, *, files: bool = False) -> None:
        self.route(path, lambda req: knobmod.attachment_response(self, item, fmt), files=files)

    def attachment_kinds(self, item: ReportItem) -> list[str]:
        """What a report's detail page links: its own files, then any knob's trap files."""
        kinds: list[str] = []
        if item.mode == "image":
            kinds += ["jpg"] + (["scan"] if item.fmt == "scan" else [])
        elif item.mode != "html":
            kinds.append(item.fmt)
        kinds += list(item.extra_formats)
        if item.uid == self.trap_uid:
            kinds += [k for k in ("oversize", "zipbomb") if self.knobs.get(k)]
        return kinds

    @functools.cached_property
    def trap_uid(self) -> int | None:
        """The report whose page also links the knob trap files (oversize, zip bomb)."""
        html_items = [r for r in self.plan.reports if r.mode == "html" and not r.variant]
        return max(html_items, key=lambda r: (r.year, r.uid)).uid if html_items else None

    def serve_kind(self, path: str, item: ReportItem, kind: str, *, files: bool = False) -> str:
        """Register the file of `kind` at `path`; returns its link text."""
        if kind == "oversize":
            size = int(
                (self.knobs["oversize"] if isinstance(self.knobs["oversize"], dict) else {}).get(
                    "bytes", 64 * 2**20
                )
            )
            self.route(path, lambda req: knobmod.oversize_response(size), files=files)
            self.extra_truth["oversize_url"] = (self.files_base if files else self.base) + path
            return "附件2-统计表（扫描件）.pdf"
        if kind == "zipbomb":
            self.route(
                path,
                lambda req: Response(200, knobmod.zipbomb_docx(), pages.CONTENT_TYPES["docx"]),
                files=files,
            )
            self.extra_truth["zipbomb_url"] = (self.files_base if files else self.base) + path
            return "附件3-填报说明.docx"
        self.attachment(path, item, kind, files=files)
        url = (self.files_base if files else self.base) + path
        item.attachment_urls.append(url)
        return pages.attachment_name(item, kind)

    @staticmethod
    def kind_ext(kind: str) -> str:
        return {"oversize": "pdf", "zipbomb": "docx", "scan": "pdf"}.get(kind, kind)

    # ------------------------------------------------------------------ responses
    def html(self, text: str, status: int = 200) -> Response:
        codec, label, meta = ENCODINGS[self.encoding]
        body = text.replace(pages.CHARSET, meta).encode(codec, "xmlcharrefreplace")
        ctype = f"text/html; charset={label}" if label else "text/html"
        return Response(status, body, ctype)

    def not_found(self, req: Request) -> Response:
        soft = self.knobs.get("soft404")
        if soft == "redirect_home":
            return Response(301, b"", None, [("Location", "/")])
        if soft:
            return self.html(
                pages.shell(
                    self, title="页面不存在", body="<h2>页面不存在</h2><p>您访问的页面不存在或已被删除。</p>"
                )
            )
        return Response(404, b"<html><body><h1>404 Not Found</h1></body></html>", "text/html")

    def offsite_html(self) -> str:
        links = ['<a href="http://www.gov.cn/" target="_blank">中国政府网</a>']
        if self.knobs.get("offsite_links"):
            links += [f'<a href="{b}/">兄弟站点</a>' for b in self.other_portals]
            links.append(
                '<a href="http://www.example-province.gov.cn/zfxxgk/zfxxgknb/">省政府信息公开年报</a>'
            )
        return '<div class="links">友情链接：' + " ".join(links) + "</div>"

    # ------------------------------------------------------------------ dispatch
    def handle(self, req: Request) -> Response:
        early = knobmod.before(self, req)
        if early is not None:
            return knobmod.after(self, req, early)
        table = (
            self.files_routes if (self.files_address and req.host_addr == self.files_address) else self.routes
        )
        handler = table.get(req.path)
        if handler is None and req.path.endswith("/"):
            handler = table.get(req.path + "index.html")
        resp = handler(req) if handler is not None else self.not_found(req)
        return knobmod.after(self, req, resp)

    # ------------------------------------------------------------------ truth helpers
    def reports(self) -> list[ReportItem]:
        return self.plan.reports
