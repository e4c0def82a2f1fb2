"""`javascript:` pagers of legacy sites (portals.md §7): `href="javascript:goPage(3)"`,
`javascript:next()`, `javascript:next(N)` whose function, in an inline script, either builds the
page URL (`location.href = "list.asp?cid=12&page=" + n`) or asks a list API by POST
(`$.post(url, {cid: 12, page: n})`, `$.ajax({type: 'POST', data: JSON.stringify({…})})`,
`fetch(url, {method: 'POST', body: …})`).

Not a JS engine: a small evaluator for what such pagers are made of — string and number literals,
`+ - * /`, parentheses, object and array literals, the function's parameters, page-level
`var x = …;` values, calls of other functions of the page and a few built-ins
(`JSON.stringify`, `encodeURIComponent`, `parseInt`, `String`, `Number`). Anything else (a DOM
lookup, a condition) makes the expression unknown and the link is skipped, never guessed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from crawler.jsobj import js_string

_MAX_DEPTH = 4  # calls through other page functions (next() -> goPage(n) -> …)
_MAX_TOKENS = 400
_JS_HREF = re.compile(
    r"^\s*javascript\s*:\s*(?:void\s*\(\s*0\s*\)\s*;\s*)?([A-Za-z_$][\w$.]*)\s*\((.*)\)\s*;?\s*$", re.S
)
_FUNC = re.compile(
    r"function\s+([A-Za-z_$][\w$]*)\s*\(([^)]*)\)\s*\{"
    r"|(?:var\s+|let\s+|const\s+|window\.)?([A-Za-z_$][\w$]*)\s*=\s*function\s*\(([^)]*)\)\s*\{"
)
_VAR = re.compile(r"(?:\bvar|\blet|\bconst)\s+([A-Za-z_$][\w$]*)\s*=")
_NAV = re.compile(
    r"(?:(?:window|document|self|top|parent)\s*\.\s*)?location(?:\s*\.\s*href)?\s*=(?!=)"
    r"|(?:(?:window|document|self|top|parent)\s*\.\s*)?location\s*\.\s*(?:assign|replace)\s*\("
    r"|window\s*\.\s*(?:open|navigate)\s*\("
)
POSTS = re.compile(r"(?:\$|jQuery)\s*\.\s*(post|ajax|get|getJSON)\s*\(|\bfetch\s*\(")


class Unknown(Exception):
    """The expression needs something the page's scripts do not give (DOM, user input)."""


@dataclass(frozen=True, slots=True)
class Nav:
    """What a pager call does: open a page (GET) or ask the list API."""

    method: str  # "GET" | "POST"
    url: str
    body: str | None = None
    content_type: str | None = None


@dataclass(slots=True)
class Program:
    """The functions and page-level values of a page's inline scripts. Plain data (picklable: it
    travels in request meta to evaluate the API's next page)."""

    functions: dict[str, tuple[list[str], str]] = field(default_factory=dict)
    globals: dict[str, Any] = field(default_factory=dict)

    def to_meta(self) -> dict[str, Any]:
        return {"functions": {k: [p, b] for k, (p, b) in self.functions.items()}, "globals": self.globals}

    @classmethod
    def from_meta(cls, data: dict[str, Any]) -> Program:
        return cls({k: (list(p), b) for k, (p, b) in data["functions"].items()}, dict(data["globals"]))


# -- tokens and expressions ---------------------------------------------------------------------

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<str>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')
      | (?P<num>\d+(?:\.\d+)?)
      | (?P<name>[A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*)
      | (?P<op>===|!==|==|!=|&&|\|\||[-+*/%(){}\[\],:;=?<>!])
    )""",
    re.X,
)


def tokens(text: str, pos: int = 0) -> list[tuple[str, Any]]:
    """Tokens from `pos` up to the end of the statement's depth (stops at a lone `;` at depth 0)."""
    out: list[tuple[str, Any]] = []
    depth = 0
    # A pager statement is short; the cap keeps a long minified script from being read to its end
    # once per `var` (no statement of interest is this long).
    while pos < len(text) and len(out) < _MAX_TOKENS:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if text.startswith("//", pos):  # a comment to the end of the line
            end = text.find("\n", pos)
            pos = len(text) if end < 0 else end
            continue
        if text.startswith("/*", pos):
            end = text.find("*/", pos + 2)
            pos = len(text) if end < 0 else end + 2
            continue
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
        if m.group("str") is not None:
            out.append(("str", js_string(m.group("str")[1:-1])))
        elif m.group("num") is not None:
            num = m.group("num")
            out.append(("num", float(num) if "." in num else int(num)))
        elif m.group("name") is not None:
            out.append(("name", re.sub(r"\s+", "", m.group("name"))))
        else:
            op = m.group("op")
            if op in "([{":
                depth += 1
            elif op in ")]}":
                depth -= 1
                if depth < 0:
                    break
            elif op == ";" and depth == 0:
                break
            out.append(("op", op))
    return out


class _Unreadable:
    """An object member whose value could not be read (`success: function(d){…}`): harmless
    unless the pager actually uses it."""

    def __repr__(self) -> str:
        return "<unreadable>"


UNREADABLE = _Unreadable()


def _check(value: Any) -> Any:
    """`value` for use in a request; Unknown when an unreadable member is inside."""
    if value is UNREADABLE:
        raise Unknown("unreadable value used")
    if isinstance(value, dict):
        for v in value.values():
            _check(v)
    elif isinstance(value, list):
        for v in value:
            _check(v)
    return value


def _js_str(value: Any) -> str:
    _check(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        raise Unknown("object in a string context")
    return str(value)


class _Parser:
    def __init__(
        self, toks: list[tuple[str, Any]], env: dict[str, Any], program: Program, depth: int
    ) -> None:
        self.t = toks
        self.i = 0
        self.env = env
        self.program = program
        self.depth = depth

    def peek(self) -> tuple[str, Any]:
        return self.t[self.i] if self.i < len(self.t) else ("end", None)

    def take(self, kind: str, value: Any = None) -> Any:
        k, v = self.peek()
        if k != kind or (value is not None and v != value):
            raise Unknown(f"expected {value or kind}, got {v!r}")
        self.i += 1
        return v

    def expr(self) -> Any:
        left = self.term()
        while self.peek() in (("op", "+"), ("op", "-")):
            op = self.take("op")
            right = self.term()
            if op == "+":
                if isinstance(left, str) or isinstance(right, str):
                    left = _js_str(left) + _js_str(right)
                else:
                    left = _num(left) + _num(right)
            else:
                left = _num(left) - _num(right)
        return left

    def term(self) -> Any:
        left = self.unary()
        while self.peek() in (("op", "*"), ("op", "/"), ("op", "%")):
            op = self.take("op")
            right = _num(self.unary())
            left = _num(left)
            if op == "*":
                left = left * right
            elif right == 0:
                raise Unknown("division by zero")
            elif op == "/":
                left = left / right
            else:
                left = left % right
        return left

    def unary(self) -> Any:
        if self.peek() == ("op", "-"):
            self.i += 1
            return -_num(self.unary())
        if self.peek() == ("op", "+"):
            self.i += 1
            return _num(self.unary())
        return self.primary()

    def primary(self) -> Any:
        kind, value = self.peek()
        if kind in ("str", "num"):
            self.i += 1
            return value
        if (kind, value) == ("op", "("):
            self.i += 1
            inner = self.expr()
            self.take("op", ")")
            return inner
        if (kind, value) == ("op", "{"):
            return self.obj()
        if (kind, value) == ("op", "["):
            self.i += 1
            items: list[Any] = []
            while self.peek() != ("op", "]"):
                items.append(self.expr())
                if self.peek() == ("op", ","):
                    self.i += 1
            self.i += 1
            return items
        if kind == "name":
            self.i += 1
            if self.peek() == ("op", "("):
                return self.call(value, self.args())
            return self.lookup(value)
        raise Unknown(f"unexpected {value!r}")

    def obj(self) -> dict[str, Any]:
        self.take("op", "{")
        out: dict[str, Any] = {}
        while self.peek() != ("op", "}"):
            kind, key = self.peek()
            if kind not in ("str", "num", "name"):
                raise Unknown("bad object key")
            self.i += 1
            if self.peek() == ("op", ":"):
                self.i += 1
                start = self.i
                try:
                    out[str(key)] = self.expr()
                except Unknown:
                    self.i = start
                    self.skip_value()
                    out[str(key)] = UNREADABLE
            else:  # shorthand {page}
                out[str(key)] = self.lookup(str(key))
            if self.peek() == ("op", ","):
                self.i += 1
            elif self.peek() != ("op", "}"):
                raise Unknown("bad object literal")
        self.i += 1
        return out

    def skip_value(self) -> None:
        """Past one member value (up to the `,` or `}` that ends it at this depth)."""
        depth = 0
        while self.i < len(self.t):
            kind, value = self.t[self.i]
            if kind == "op" and value in "([{":
                depth += 1
            elif kind == "op" and value in ")]}":
                if depth == 0:
                    return
                depth -= 1
            elif kind == "op" and value == "," and depth == 0:
                return
            self.i += 1

    def args(self) -> list[Any]:
        self.take("op", "(")
        out: list[Any] = []
        while self.peek() != ("op", ")"):
            if self.peek()[0] == "end":
                raise Unknown("unterminated call")
            out.append(self.expr())
            if self.peek() == ("op", ","):
                self.i += 1
        self.i += 1
        return out

    def lookup(self, name: str) -> Any:
        consts = {"true": True, "false": False, "null": None, "undefined": None}
        if name in consts:
            return consts[name]
        if name in self.env:
            return self.env[name]
        head, _, rest = name.partition(".")
        if head == "window" and rest in self.env:
            return self.env[rest]
        value = self.env.get(head)
        for part in rest.split(".") if rest else []:
            if not isinstance(value, dict) or part not in value:
                raise Unknown(name)
            value = value[part]
        if rest and value is not None:
            return value
        raise Unknown(name)

    def call(self, name: str, args: list[Any]) -> Any:
        if name == "JSON.stringify" and args:
            return json.dumps(_check(args[0]), ensure_ascii=False, separators=(",", ":"))
        if name in ("encodeURIComponent", "encodeURI", "escape") and args:
            return quote(_js_str(args[0]), safe="~()*!.'" + ("/?:@&=+$,#;" if name == "encodeURI" else ""))
        if name in ("parseInt", "Number", "Math.floor") and args:
            return int(_num(args[0]))
        if name == "String" and args:
            return _js_str(args[0])
        raise Unknown(f"call {name}")


def _num(value: Any) -> int | float:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            return float(value) if "." in value else int(value)
        except ValueError:
            raise Unknown(f"not a number: {value!r}") from None
    raise Unknown(f"not a number: {value!r}")


def evaluate(text: str, env: dict[str, Any] | None = None, program: Program | None = None) -> Any:
    """Value of one JS expression (at the start of `text`)."""
    parser = _Parser(tokens(text), env or {}, program or Program(), 0)
    value = parser.expr()
    return value


# -- scripts -------------------------------------------------------------------------------------


def _block_end(text: str, start: int) -> int:
    """Index after the `}` closing the block whose `{` is at `start - 1` (strings skipped)."""
    depth, i, n = 1, start, len(text)
    while i < n:
        c = text[i]
        if c in "'\"`":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if text.startswith("//", i) and (i == 0 or text[i - 1] != ":"):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


_IDENT = re.compile(r"[A-Za-z_$][\w$]*")


def read_program(scripts: list[str], also: list[str] | None = None) -> Program:
    """Functions and page-level `var`s of the inline scripts (values that evaluate; others left out).
    Only the `var`s some function body or `also` (link hrefs, onclicks) names are evaluated: an
    inline minified library declares thousands the pager never reads."""
    program = Program()
    top_level: list[str] = []
    for script in scripts:
        pos, outside = 0, []
        for m in _FUNC.finditer(script):
            if m.start() < pos:
                continue  # nested in a function already read
            name = m.group(1) or m.group(3)
            params = [
                p.strip() for p in (m.group(2) if m.group(1) else m.group(4) or "").split(",") if p.strip()
            ]
            end = _block_end(script, m.end())
            program.functions[name] = (params, script[m.end() : end - 1])
            outside.append(script[pos : m.start()])
            pos = end
        outside.append(script[pos:])
        top_level.append("\n".join(outside))
    used: set[str] = set()
    for _, body in program.functions.values():
        used.update(_IDENT.findall(body))
    for text in also or []:
        used.update(_IDENT.findall(text))
    for text in top_level:
        for m in _VAR.finditer(text):
            if m.group(1) not in used:
                continue
            try:
                program.globals[m.group(1)] = _Parser(
                    tokens(text, m.end()), program.globals, program, 0
                ).expr()
            except (Unknown, RecursionError):
                continue
    return program


def parse_call(text: str) -> tuple[str, str] | None:
    """(function name, argument source) of `javascript:name(args)`, or None."""
    m = _JS_HREF.match(text or "")
    if not m:
        return None
    return m.group(1), m.group(2)


def resolve(
    program: Program, name: str, args: list[Any], depth: int = 0
) -> tuple[Nav, str, list[Any]] | None:
    """What calling `name(*args)` does: (navigation, the function that navigates, its arguments).
    None when the function is not the page's or its effect cannot be read."""
    if depth > _MAX_DEPTH or name not in program.functions:
        return None
    params, body = program.functions[name]
    env = {**program.globals, **dict(zip(params, args, strict=False))}
    for p in params[len(args) :]:
        env[p] = None
    # Local values in order (`var url = base + n;`); an unreadable one is simply left out.
    actions: list[tuple[int, str, re.Match[str]]] = []
    for m in _NAV.finditer(body):
        actions.append((m.start(), "nav", m))
    for m in POSTS.finditer(body):
        actions.append((m.start(), "api", m))
    actions.sort(key=lambda a: a[0])
    local_vars = list(_VAR.finditer(body))
    for pos, kind, m in actions:
        for v in local_vars:
            if v.start() < pos and v.group(1) not in params:
                try:
                    env[v.group(1)] = _Parser(tokens(body, v.end()), env, program, depth).expr()
                except Unknown:
                    env.pop(v.group(1), None)
        try:
            if kind == "nav":
                url = _Parser(tokens(body, m.end()), env, program, depth).expr()
                if isinstance(url, str) and url and not url.lower().startswith("javascript:"):
                    return Nav("GET", url), name, args
            else:
                nav = _api_call(body, m, env, program, depth)
                if nav is not None:
                    return nav, name, args
        except Unknown:
            continue
    # No navigation of its own: follow the page functions it calls (next() -> goPage(cur + 1)).
    for m in re.finditer(r"(?<![\w$.])([A-Za-z_$][\w$]*)\s*\(", body):
        callee = m.group(1)
        if callee == name or callee not in program.functions:
            continue
        try:
            p = _Parser(tokens(body, m.end() - 1), env, program, depth)
            call_args = p.args()
        except Unknown:
            continue
        found = resolve(program, callee, call_args, depth + 1)
        if found is not None:
            return found
    return None


def _api_call(body: str, m: re.Match[str], env: dict[str, Any], program: Program, depth: int) -> Nav | None:
    p = _Parser(tokens(body, m.end() - 1), env, program, depth)
    p.take("op", "(")
    verb = (m.group(1) or "fetch").lower()
    if verb == "ajax":
        conf = p.expr()
        if not isinstance(conf, dict):
            # $.ajax(url, {settings})
            url, conf = conf, (p.expr() if p.peek() == ("op", ",") and p.take("op", ",") else {})
            conf = {**conf, "url": url} if isinstance(conf, dict) else {"url": url}
        # An unreadable `success: function…` stops the object parse; the fields before it are enough.
        return _nav_of(
            conf.get("url"),
            conf.get("type") or conf.get("method") or "GET",
            conf.get("data"),
            conf.get("contentType"),
        )
    url = p.expr()
    data = None
    options: dict[str, Any] = {}
    if p.peek() == ("op", ","):
        p.i += 1
        kind, value = p.peek()
        if not (kind == "name" and value == "function"):
            data = p.expr()
    if verb == "fetch":
        options = data if isinstance(data, dict) else {}
        headers = options.get("headers") if isinstance(options.get("headers"), dict) else {}
        ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
        return _nav_of(url, options.get("method") or "GET", options.get("body"), ctype)
    return _nav_of(url, "POST" if verb == "post" else "GET", data, None)


def _nav_of(url: Any, method: Any, data: Any, ctype: Any) -> Nav | None:
    if not isinstance(url, str) or not url:
        return None
    method = str(method or "GET").upper()
    if data is None:
        body = None
    elif isinstance(data, dict):
        body = urlencode({k: _js_str(v) for k, v in data.items()})
    else:
        body = _js_str(data)
    if method != "POST":
        if body:
            url += ("&" if "?" in url else "?") + body
        return Nav("GET", url)
    if ctype is None:
        ctype = (
            "application/json"
            if isinstance(data, str) and data.lstrip()[:1] in ("{", "[")
            else "application/x-www-form-urlencoded; charset=UTF-8"
        )
    return Nav("POST", url, body or "", str(ctype))


def calls(program: Program, sources: list[str]) -> Iterator[tuple[str, list[Any]]]:
    """(function, evaluated arguments) of each `name(args)` call of a page function in `sources`
    (`javascript:` hrefs, `onclick`s, top-level script code); calls with unreadable arguments skipped."""
    for text in sources:
        for m in re.finditer(r"(?<![\w$.])([A-Za-z_$][\w$]*)\s*\(", text):
            name = m.group(1)
            if name not in program.functions:
                continue
            if re.search(r"function\s*$", text[: m.start()]):
                continue  # the definition itself
            try:
                args = _Parser(tokens(text, m.end() - 1), program.globals, program, 0).args()
            except Unknown:
                continue
            yield name, args
