"""Read JavaScript object literals embedded in pages (`window._CONFIG = {…}`, `jpage({…})`,
`var param_1 = {…}`, `queryData="{'webId':'1'}"`): unquoted keys, single quotes, trailing commas.

Not a JS engine: values that are expressions (function calls, identifiers) come back as their
source text, which is all the style modules need.
"""

from __future__ import annotations

import json
import re
from typing import Any

_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


class JSParseError(ValueError):
    pass


class _Reader:
    def __init__(self, text: str, pos: int = 0) -> None:
        self.s = text
        self.i = pos

    def ws(self) -> None:
        s, n = self.s, len(self.s)
        while self.i < n:
            c = s[self.i]
            if c.isspace():
                self.i += 1
            elif s.startswith("//", self.i):
                j = s.find("\n", self.i)
                self.i = n if j < 0 else j
            elif s.startswith("/*", self.i):
                j = s.find("*/", self.i + 2)
                self.i = n if j < 0 else j + 2
            else:
                break

    def peek(self) -> str:
        self.ws()
        return self.s[self.i] if self.i < len(self.s) else ""

    def value(self) -> Any:
        c = self.peek()
        if c == "{":
            return self.obj()
        if c == "[":
            return self.arr()
        if c in "'\"`":
            return self.string()
        m = _NUMBER.match(self.s, self.i)
        if m:
            self.i = m.end()
            text = m.group()
            return float(text) if any(ch in text for ch in ".eE") else int(text)
        m = _IDENT.match(self.s, self.i)
        if m:
            self.i = m.end()
            word = m.group()
            consts = {"true": True, "false": False, "null": None, "undefined": None}
            if word in consts:
                return consts[word]
            return word + self.rest_of_expression()
        raise JSParseError(f"unexpected {c!r} at {self.i}")

    def rest_of_expression(self) -> str:
        # An expression value (e.g. `foo.bar(1)`): keep its text up to the next , } or ] at depth 0.
        start, depth = self.i, 0
        while self.i < len(self.s):
            c = self.s[self.i]
            if c in "([{":
                depth += 1
            elif c in ")]}":
                if depth == 0:
                    break
                depth -= 1
            elif c == "," and depth == 0:
                break
            elif c in "'\"":
                self.string()
                continue
            self.i += 1
        return self.s[start : self.i].strip()

    def string(self) -> str:
        quote = self.s[self.i]
        self.i += 1
        out: list[str] = []
        s = self.s
        while self.i < len(s):
            c = s[self.i]
            if c == quote:
                self.i += 1
                return "".join(out)
            if c == "\\" and self.i + 1 < len(s):
                nxt = s[self.i + 1]
                if nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", s[self.i + 2 : self.i + 6]):
                    out.append(chr(int(s[self.i + 2 : self.i + 6], 16)))
                    self.i += 6
                    continue
                if nxt == "x" and re.fullmatch(r"[0-9a-fA-F]{2}", s[self.i + 2 : self.i + 4]):
                    out.append(chr(int(s[self.i + 2 : self.i + 4], 16)))
                    self.i += 4
                    continue
                out.append({"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "0": "\0"}.get(nxt, nxt))
                self.i += 2
                continue
            out.append(c)
            self.i += 1
        raise JSParseError("unterminated string")

    def key(self) -> str:
        c = self.peek()
        if c in "'\"":
            return self.string()
        m = _IDENT.match(self.s, self.i) or _NUMBER.match(self.s, self.i)
        if not m:
            raise JSParseError(f"bad key at {self.i}")
        self.i = m.end()
        return m.group()

    def obj(self) -> dict[str, Any]:
        self.i += 1
        out: dict[str, Any] = {}
        while True:
            c = self.peek()
            if c == "}":
                self.i += 1
                return out
            if c == ",":
                self.i += 1
                continue
            if not c:
                raise JSParseError("unterminated object")
            k = self.key()
            if self.peek() != ":":
                raise JSParseError(f"expected ':' at {self.i}")
            self.i += 1
            out[k] = self.value()

    def arr(self) -> list[Any]:
        self.i += 1
        out: list[Any] = []
        while True:
            c = self.peek()
            if c == "]":
                self.i += 1
                return out
            if c == ",":
                self.i += 1
                continue
            if not c:
                raise JSParseError("unterminated array")
            out.append(self.value())


def parse(text: str) -> Any:
    """Parse one literal at the start of `text` (JSON first, it is faster and exact)."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    return _Reader(text).value()


def find_literal(text: str, anchor: str | re.Pattern[str]) -> Any:
    """The object/array literal that follows `anchor` (a regex match end), or None."""
    pattern = re.compile(anchor) if isinstance(anchor, str) else anchor
    m = pattern.search(text)
    if not m:
        return None
    start = m.end()
    while start < len(text) and text[start] not in "{[":
        if not text[start].isspace() and text[start] not in "=(:":
            return None
        start += 1
    try:
        return _Reader(text, start).value()
    except (JSParseError, IndexError):
        return None


def js_string(text: str) -> str:
    """Decode a JS string literal body (without quotes), e.g. the escaped `_CONFIG.DETAIL`."""
    # A quote that cannot occur in page text, so every real quote stays an ordinary character.
    return _Reader("\x00" + text + "\x00").string() if text else ""
