"""The small HTTP layer of the dashboard: request parameters with clear 400s, responses, errors."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlencode

from govreports import spec

YEAR_MIN, YEAR_MAX = 1990, 2100

STATUS_TEXT = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    500: "Internal Server Error",
    503: "Service Unavailable",
}

# No scripts at all, styles only inline: a hostile title that slipped through escaping still could
# not run anything.
SECURITY_HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    ),
    ("Referrer-Policy", "no-referrer"),
]


class HTTPError(Exception):
    """An answer other than 200, with a message meant for the user."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def bad_request(message: str) -> HTTPError:
    return HTTPError(400, message)


def not_found(message: str) -> HTTPError:
    return HTTPError(404, message)


@dataclass
class Response:
    body: bytes | Iterable[bytes] = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)

    def status_line(self) -> str:
        return f"{self.status} {STATUS_TEXT.get(self.status, 'Unknown')}"

    def header_list(self) -> list[tuple[str, str]]:
        out = [("Content-Type", self.content_type), *SECURITY_HEADERS, *self.headers]
        if isinstance(self.body, bytes):
            out.append(("Content-Length", str(len(self.body))))
        return out

    def close(self) -> None:
        """Release a streamed body that will not be read (HEAD)."""
        close = getattr(self.body, "close", None)
        if close is not None and not isinstance(self.body, bytes):
            close()

    def chunks(self) -> Iterator[bytes]:
        if isinstance(self.body, bytes):
            yield self.body
        else:
            yield from self.body


def _decode_wsgi(value: str) -> str:
    """WSGI hands over raw bytes as latin-1 text; a browser may send unescaped UTF-8 (curl does)."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


class Query:
    """The query string, read with validation: every bad value is a 400 naming the parameter."""

    def __init__(self, query_string: str) -> None:
        self._values = parse_qs(_decode_wsgi(query_string), keep_blank_values=True)

    def text(self, name: str, *, required: bool = False) -> str | None:
        values = self._values.get(name)
        value = values[0].strip() if values else ""
        if not value:
            if required:
                raise bad_request(f"缺少参数 {name}（missing parameter {name!r}）")
            return None
        if len(value) > 300:
            raise bad_request(f"参数 {name} 过长（parameter {name!r} is longer than 300 characters）")
        return value

    def year(self, name: str = "year", *, required: bool = False) -> int | None:
        raw = self.text(name, required=required)
        if raw is None:
            return None
        if not re.fullmatch(r"\d{4}", raw) or not YEAR_MIN <= int(raw) <= YEAR_MAX:
            raise bad_request(
                f"参数 {name} 无效：{raw!r} 不是年份（{name} must be a year {YEAR_MIN}–{YEAR_MAX}, e.g. 2023）"
            )
        return int(raw)

    def number(self, name: str, *, minimum: int = 1) -> int | None:
        raw = self.text(name)
        if raw is None:
            return None
        if not raw.isdigit() or int(raw) < minimum:
            raise bad_request(
                f"参数 {name} 无效：{raw!r} 不是正整数（{name} must be a whole number ≥ {minimum}）"
            )
        return int(raw)

    def date(self, name: str) -> date | None:
        raw = self.text(name)
        if raw is None:
            return None
        message = f"参数 {name} 无效：{raw!r} 不是日期（{name} must be an ISO date YYYY-MM-DD）"
        # fromisoformat alone also takes "20240101" and week dates; users mean YYYY-MM-DD.
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            raise bad_request(message)
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise bad_request(message) from None

    def body_kind(self, name: str = "body_kind") -> str | None:
        raw = self.text(name)
        if raw is not None and raw not in spec.BODY_KINDS:
            raise bad_request(
                f"参数 {name} 无效：{raw!r}（{name} must be one of {', '.join(spec.BODY_KINDS)}）"
            )
        return raw

    def flag(self, name: str) -> bool:
        raw = self.text(name)
        if raw is None:
            return False
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise bad_request(f"参数 {name} 无效：{raw!r}（{name} must be 1 or 0）")


def url(path: str, **params: Any) -> str:
    """A link within the dashboard; parameters that are None or empty are left out."""
    kept = {k.rstrip("_"): v for k, v in params.items() if v not in (None, "", False)}
    kept = {k: (1 if v is True else v) for k, v in kept.items()}
    return f"{path}?{urlencode(kept)}" if kept else path
