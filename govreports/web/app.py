"""The WSGI application: routing, templates, error pages. One App per opened Archive, no globals."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from archive.api import Archive
from govreports import spec
from govreports.errors import ArchiveError
from govreports.web.http import HTTPError, Query, Response, not_found, url

log = logging.getLogger(__name__)

BODY_KIND_LABELS = {
    "government": "人民政府",
    "department": "部门",
    "township": "乡镇（街道）",
    "other": "其他",
}
SEVERITY_LABELS = {"error": "错误", "warn": "警告", "info": "提示"}
RUN_STATUS_LABELS = {
    "ok": "正常",
    "partial": "部分完成",
    "blocked": "被拦截",
    "failed": "失败",
    "running": "运行中",
}
TEMPLATE_LABELS = {"v2021": "2021版模板", "v2019": "2019版模板", "legacy": "旧版（2018年及以前）"}

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class Request:
    """What a view gets: the app (archive, templates), the path and the validated query."""

    def __init__(self, app: App, environ: dict[str, Any]) -> None:
        self.app = app
        self.archive = app.archive
        self.environ = environ
        self.path: str = environ.get("PATH_INFO") or "/"
        self.query = Query(environ.get("QUERY_STRING", ""))

    def today(self) -> date:
        return self.app.today()

    def render(self, template: str, http_status: int = 200, **context: Any) -> Response:
        html = self.app.env.get_template(template).render(request=self, **context)
        return Response(html.encode("utf-8"), status=http_status)


View = Callable[[Request], Response]


class App:
    """`App(archive)` is a WSGI application over that archive (read-only)."""

    def __init__(self, archive: Archive, *, today: Callable[[], date] | None = None) -> None:
        from govreports.web.views import body, diff, export, lists, overview, report

        self.archive = archive
        # Injected for tests; the dashboard otherwise judges "as of today" like the commands.
        self.today = today or (lambda: datetime.now(UTC).date())
        self.env = Environment(
            loader=PackageLoader("govreports.web", "templates"),
            autoescape=True,  # every value a crawl brought in (titles, names, URLs) is hostile
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(
            url=url,
            body_kind_label=lambda k: BODY_KIND_LABELS.get(k or "", k or "未知"),
            severity_label=lambda s: SEVERITY_LABELS.get(s or "", s or ""),
            run_status_label=lambda s: RUN_STATUS_LABELS.get(s or "", s or ""),
            template_label=lambda t: TEMPLATE_LABELS.get(t or "", t or "未识别"),
            check_title=_check_title,
            body_kinds=spec.BODY_KINDS,
        )
        self.env.filters["href"] = _safe_href
        self.routes: dict[str, View] = {
            "/": overview.page,
            "/missing": lists.missing_page,
            "/missing.json": lists.missing_json,
            "/missing.csv": lists.missing_csv,
            "/late": lists.late_page,
            "/late.json": lists.late_json,
            "/late.csv": lists.late_csv,
            "/bodies": body.list_page,
            "/body": body.page,
            "/report": report.page,
            "/diff": diff.page,
            "/diff.json": diff.json_page,
            "/export.csv": export.csv_file,
            "/export.jsonl": export.jsonl_file,
            "/export.xlsx": export.xlsx_file,
        }

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        request = Request(self, environ)
        try:
            if method not in ("GET", "HEAD"):
                raise HTTPError(405, f"只读服务，不接受 {method} 请求（read-only: GET and HEAD only）")
            view = self.routes.get(request.path if request.path == "/" else request.path.rstrip("/"))
            if view is None:
                raise not_found(f"没有这个页面：{request.path}（no such page）")
            response = view(request)
        except HTTPError as err:
            response = self.error_page(request, err.status, err.message)
        except ArchiveError as err:
            # The database is unreachable or locked: the user can retry; the message says why.
            log.warning("archive error on %s: %s", request.path, err)
            response = self.error_page(request, 503, f"档案库暂时无法读取（archive unavailable）：{err}")
        except Exception:
            log.exception("error on %s", request.path)
            response = self.error_page(request, 500, "内部错误（internal error）；详情见服务日志")
        headers = response.header_list()
        start_response(response.status_line(), headers)
        if method == "HEAD":
            response.close()
            return [b""]
        return response.chunks()

    def error_page(self, request: Request, status: int, message: str) -> Response:
        headers = [("Allow", "GET, HEAD")] if status == 405 else []
        if request.path.endswith(".json"):
            import json

            body = json.dumps({"error": message, "status": status}, ensure_ascii=False) + "\n"
            return Response(body.encode("utf-8"), status, "application/json; charset=utf-8", headers)
        try:
            response = request.render("error.html", http_status=status, status=status, message=message)
        except Exception:  # a broken template must not hide the original error
            log.exception("error page failed")
            response = Response(message.encode("utf-8"), status, "text/plain; charset=utf-8")
        response.headers += headers
        return response


def make_app(archive: Archive, *, today: Callable[[], date] | None = None) -> App:
    return App(archive, today=today)


def _check_title(check_id: str | None) -> str:
    try:
        return spec.check(check_id or "").title
    except KeyError:
        return ""


def _safe_href(value: str | None) -> str | None:
    """Only http(s) links leave the dashboard: a crawled `javascript:` URL is shown, not linked."""
    if value and value.lower().startswith(("http://", "https://")):
        return value
    return None
