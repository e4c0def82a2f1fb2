"""Failure-injection knobs (portals.md §12.3), applied around a portal's routes.

`before()` may answer instead of the route (challenges, throttling, browser checks, latency);
`after()` post-processes the answer (soft blocks, forced gzip). Every knob is off unless the
portal's profile names it.
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import io
import threading
import time
import zipfile
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from farm import pages, renderers
from farm.server import Request, Response

if TYPE_CHECKING:
    from farm.plan import ReportItem
    from farm.portal import Portal

BROWSER_MARKERS = ("Mozilla/5.0",)
RUISHU_PREFIX = "Xq7aPb80"
_SECRET = b"farm-challenge"


@dataclass
class KnobState:
    lock: threading.Lock = field(default_factory=threading.Lock)
    hits: dict[str, deque[float]] = field(default_factory=dict)
    blocked_until: dict[str, float] = field(default_factory=dict)
    soft_seen: set[str] = field(default_factory=set)
    requests: int = 0
    blocked_answers: int = 0


def _conf(portal: Portal, name: str) -> dict[str, Any] | None:
    value = portal.knobs.get(name)
    if value is None or value is False or value == 0:  # `{}` means on, with defaults
        return None
    return value if isinstance(value, dict) else {}


def is_browser(req: Request) -> bool:
    return any(m in req.user_agent for m in BROWSER_MARKERS)


def _text(status: int, text: str, ctype: str = "text/html; charset=utf-8") -> Response:
    return Response(status, text.encode("utf-8"), ctype)


# ---------------------------------------------------------------------------------- before
def before(portal: Portal, req: Request) -> Response | None:
    st = portal.state
    with st.lock:
        st.requests += 1
    if (slow := _conf(portal, "slow")) is not None and (
        not slow.get("detail_only") or _is_detail(portal, req.path)
    ):
        time.sleep(float(slow.get("ms", 50)) / 1000.0)
    if req.path == "/robots.txt":
        return None  # robots.txt is never challenged: the crawler must be able to read it
    for name, check in (
        ("js_challenge", _ruishu),
        ("jiasule", _jiasule),
        ("cookie302", _cookie302),
        ("need_browser", _need_browser),
        ("ratelimit", _ratelimit),
        ("burst_503", _ratelimit),
    ):
        conf = _conf(portal, name)
        if conf is not None:
            resp = check(portal, req, conf if name != "burst_503" else {"status": 503, **conf})
            if resp is not None:
                with st.lock:
                    st.blocked_answers += 1
                return resp
    return None


def _need_browser(portal: Portal, req: Request, conf: dict[str, Any]) -> Response | None:
    if not is_browser(req):
        return _text(403, "<html><body><h1>403 Forbidden</h1></body></html>")
    if req.path != "/" and conf.get("referer", True):
        ref = req.headers.get("referer", "")
        hosts = {portal.host, f"{portal.files_address}:{portal.port}"}
        if not any(ref.startswith(f"http://{h}/") or ref.startswith(f"https://{h}/") for h in hosts):
            return _text(403, "<html><body><h1>403 Forbidden</h1></body></html>")
    return None


def _ratelimit(portal: Portal, req: Request, conf: dict[str, Any]) -> Response | None:
    n, per_s = int(conf.get("n", 20)), float(conf.get("per_s", 10))
    block_s, status = float(conf.get("block_s", 60)), int(conf.get("status", 503))
    now = time.monotonic()
    st = portal.state
    with st.lock:
        if st.blocked_until.get(req.client, 0) > now:
            blocked = True
        else:
            q = st.hits.setdefault(req.client, deque())
            q.append(now)
            while q and q[0] < now - per_s:
                q.popleft()
            blocked = len(q) > n
            if blocked:
                st.blocked_until[req.client] = now + block_s
                q.clear()
    if not blocked:
        return None
    if status == 200:
        return portal.html(
            pages.shell(portal, title="访问过于频繁", body="<p>访问过于频繁，请稍后再试。</p>", chrome=False)
        )
    resp = _text(status, f"<html><body><h1>{status}</h1><p>访问过于频繁</p></body></html>")
    return resp.header("Retry-After", str(int(block_s)))


def ruishu_token(s_value: str) -> str:
    return hmac.new(_SECRET, s_value.encode(), hashlib.sha256).hexdigest()[:32]


def _ruishu(portal: Portal, req: Request, conf: dict[str, Any]) -> Response | None:
    cookies = req.cookies
    s_val, t_val = cookies.get(RUISHU_PREFIX + "S"), cookies.get(RUISHU_PREFIX + "T")
    if s_val and t_val and hmac.compare_digest(t_val, ruishu_token(s_val)):
        return None
    s_new = "60" + hashlib.sha1(f"{req.client}{time.time()}".encode()).hexdigest()
    body = (
        '<html><head><meta content="z1.kQ3x8Zm" r="m"><script r="m">$_ts=window[\'$_ts\'];if(!$_ts)$_ts={};'
        '$_ts.nsd=23850;$_ts.cd="qEAZrrAlcGVEqsqDEGVE";</script>'
        '<script src="/k3Jd9QwE/Xq7aPb.1b2c3d.js" r="m"></script></head><body></body></html>'
    )
    status = int(conf.get("status", 412))
    resp = _text(status, body)
    return resp.header("Set-Cookie", f"{RUISHU_PREFIX}S={s_new}; Path=/; HttpOnly")


def jiasule_clearance(jsluid: str) -> str:
    return hashlib.sha256(f"{jsluid}:clear".encode()).hexdigest()[:40]


def _jiasule(portal: Portal, req: Request, conf: dict[str, Any]) -> Response | None:
    cookies = req.cookies
    jsluid = cookies.get("__jsluid_h")
    if jsluid and cookies.get("__jsl_clearance_s") == jiasule_clearance(jsluid):
        return None
    if not jsluid:
        new = hashlib.md5(f"{req.client}{time.time()}".encode()).hexdigest()
        body = (
            "<script>document.cookie=('_')+('_')+('j')+('s')+('l')+('_')+('c')+('l')+('e')+('a')+('r')+('a')+('n')"
            "+('c')+('e')+('_')+('s')+('=')+(-~[]+'')+'7'+'3'+('.')+'5'+'|0|'+'K'+'m'+'%3D';"
            "location.href=location.pathname+location.search</script>"
        )
        return _text(521, body).header("Set-Cookie", f"__jsluid_h={new}; max-age=31536000; path=/; HttpOnly")
    body = (
        '<script>var _0x1=function(){};go({"bts":["1732000000.5|0|Km","%3D"],'
        '"chars":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ","ct":"'
        + hashlib.sha256(jsluid.encode()).hexdigest()
        + '","ha":"sha256","is":true,"tn":"__jsl_clearance_s","vt":"3600","wt":"1500"})</script>'
    )
    return _text(521, body)


def _cookie302(portal: Portal, req: Request, conf: dict[str, Any]) -> Response | None:
    if req.cookies.get("CT6T"):
        return None
    token = hashlib.md5(req.raw_path.encode()).hexdigest()[:16]
    return Response(
        302, b"", "text/html", [("Location", req.raw_path), ("Set-Cookie", f"CT6T={token}; Path=/")]
    )


# ---------------------------------------------------------------------------------- after
SOFT_BLOCK_PAGE = "<h2>访问异常</h2><p>您的访问出现异常，请稍后再试。</p>" + "<!-- " + "x" * 9800 + " -->"


def after(portal: Portal, req: Request, resp: Response) -> Response:
    if (
        (sb := _conf(portal, "soft_block")) is not None
        and resp.status == 200
        and _is_detail(portal, req.path)
    ):
        key = f"{req.client} {req.raw_path}"
        with portal.state.lock:
            first = key not in portal.state.soft_seen
            portal.state.soft_seen.add(key)
        if first or sb.get("always"):
            return portal.html(pages.shell(portal, title="访问异常", body=SOFT_BLOCK_PAGE, chrome=False))
    encoded = any(k.lower() == "content-encoding" for k, _ in resp.headers)
    if portal.knobs.get("gzip_forced") and isinstance(resp.body, bytes) and resp.body and not encoded:
        resp.body = gzip.compress(resp.body)
        resp.headers.append(("Content-Encoding", "gzip"))
    return resp


def _is_detail(portal: Portal, path: str) -> bool:
    return path in portal.extra_truth.get("detail_paths", ())


# ---------------------------------------------------------------------------------- routes
ROBOTS = {
    "cms_default": "User-agent: *\nDisallow: /e/\nDisallow: /admin/\nDisallow: /d/\n",
    "disallow_all": "User-agent: *\nDisallow: /\n",
    "allow": "User-agent: *\nDisallow:\n",
}


def install_routes(portal: Portal) -> None:
    robots = portal.knobs.get("robots", "none")
    if robots in ROBOTS:
        text = ROBOTS[robots].encode()
        portal.route("/robots.txt", lambda req: Response(200, text, "text/plain"))
    if portal.knobs.get("redirect_loop"):
        portal.route("/loop/a.html", lambda req: Response(302, b"", None, [("Location", "/loop/b.html")]))
        portal.route("/loop/b.html", lambda req: Response(302, b"", None, [("Location", "/loop/a.html")]))
    portal.extra_truth["detail_paths"] = {
        _path(portal, i.detail_url) for i in portal.plan.reports if i.detail_url
    } | {_path(portal, d.detail_url) for d in portal.plan.decoys if d.detail_url}


def _path(portal: Portal, url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path


def knob_links(portal: Portal) -> list[tuple[str, str]]:
    """Extra links the area page carries for knobs that need one."""
    links: list[tuple[str, str]] = []
    if portal.knobs.get("redirect_loop"):
        links.append(("政务服务事项目录", "/loop/a.html"))
    return links


def attachment_response(portal: Portal, item: ReportItem, fmt: str) -> Response:
    data = renderers.attachment(item.served_record(portal.switches["revised"]), fmt)
    return Response(200, data, pages.CONTENT_TYPES.get(pages.ext_of(fmt), "application/octet-stream"))


def oversize_response(size: int) -> Response:
    head = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    block = b"0" * 65536

    def chunks():  # streamed: never held in memory
        yield head
        left = size - len(head)
        while left > 0:
            yield block[: min(left, len(block))]
            left -= len(block)

    return Response(200, chunks, "application/pdf", length=size)


_bomb_lock = threading.Lock()
_bomb: bytes | None = None


def zipbomb_docx(inflated: int = 200 * 1024 * 1024) -> bytes:
    """A DOCX whose document.xml inflates to `inflated` bytes (about 1000:1)."""
    global _bomb
    with _bomb_lock:
        if _bomb is None:
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
                zf.writestr(
                    "[Content_Types].xml",
                    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
                )
                with zf.open("word/document.xml", "w", force_zip64=True) as fh:
                    fh.write(
                        b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
                    )
                    chunk = b" " * (1024 * 1024)
                    for _ in range(inflated // len(chunk)):
                        fh.write(chunk)
                    fh.write(b"</w:t></w:r></w:p></w:body></w:document>")
            _bomb = buf.getvalue()
        return _bomb
