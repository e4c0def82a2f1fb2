"""Label normalisation (annual-report-format.md §9 steps 1–4) and variant matching (step 5).

Steps 1–4 make printed variants of one label identical and never raise a finding; only a match
that needed the typo dictionary, a synonym or the edit-distance fallback is reported (C24).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from govreports import spec
from govreports.text import drop_spaces, nfkc

_ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\ufeff")  # dropped like whitespace (not isspace)


_QUOTES_RE = re.compile(r"[\"'“”‘’「」『』〝〞〃＂＇`´]")
_CN_NUM = "一二三四五六七八九十"
# （一） (一) 一、 (一)、 (一). -> one form; the canonical form is "一、".
_ORDINAL_RE = re.compile(rf"^(?:\(([{_CN_NUM}]+)\)[、.]?|([{_CN_NUM}]+)[、.])")
# 1. 1． 1、 (NFKC already turned ． into .) -> "1."; "(1)" too.
_SUBITEM_RE = re.compile(r"^(?:(\d{1,2})[.、]|\((\d{1,2})\))(?!\d)")


# Pure functions of short strings called for every cell of every row, many times per report:
# memoised, bounded so a long-running crawler does not keep every label it ever saw. The table
# labels and figures recur in every report and stay in the LRU; narrative lines (up to a few KB
# each) pass through, so the bound also caps the memory: 8192 entries per cache.
CACHE_SIZE = 1 << 13


@lru_cache(maxsize=CACHE_SIZE)
def normalize(label: str | None) -> str:
    """Steps 1–4 of §9: NFKC, no whitespace, no quotes, canonical ordinal prefixes."""
    if not label:
        return ""
    text = drop_spaces(nfkc(label), _ZERO_WIDTH)
    text = _QUOTES_RE.sub("", text)
    match = _ORDINAL_RE.match(text)
    if match:
        text = f"{match.group(1) or match.group(2)}、{text[match.end() :]}"
    else:
        match = _SUBITEM_RE.match(text)
        if match:
            text = f"{match.group(1) or match.group(2)}.{text[match.end() :]}"
    return text


# A run of characters that `normalize` leaves as they are, wherever they stand: CJK ideographs
# and "、" (NFKC keeps them, nothing composes with them, the ordinal rewrite turns "一、" into
# itself), or ASCII digits (without the "、" the rewrite would turn into ".").
_INERT_PREFIX_RE = re.compile(r"[\u4e00-\u9fff、]{2,}|[0-9]{2,}")


def inert_prefix(text: str) -> str | None:
    """The opening run (2+ characters) of `text` that `normalize(text)` starts with unchanged,
    or None. If no label of a set starts with it, normalize(text) is none of them: a narrative
    line is told apart from the template's labels without normalising it."""
    m = _INERT_PREFIX_RE.match(text)
    return m.group() if m else None


def prefixes(labels: Iterable[str]) -> frozenset[str]:
    """Every prefix of every label."""
    return frozenset(label[:n] for label in labels for n in range(1, len(label) + 1))


_SPLIT_ORDINAL_RE = re.compile(rf"^(?:[{_CN_NUM}]+、|\d{{1,2}}\.)")


@lru_cache(maxsize=CACHE_SIZE)
def split_ordinal(norm: str) -> tuple[str, str]:
    """("三、", "本年度办理结果") for a normalised label; ("", label) without an ordinal."""
    match = _SPLIT_ORDINAL_RE.match(norm)
    return (match.group(), norm[match.end() :]) if match else ("", norm)


@dataclass(frozen=True, slots=True)
class Variant:
    canonical: str  # normalised canonical label (body, without ordinal)
    kind: str  # "typo" | "synonym"
    templates: tuple[str, ...] | None  # None = every version


@cache
def variants() -> dict[str, Variant]:
    """Normalised printed variant -> Variant, from labels.yaml `tables.typos` / `tables.synonyms`."""
    conf = spec.labels()["tables"]
    out: dict[str, Variant] = {}
    for printed, canonical in (conf.get("typos") or {}).items():
        out[normalize(printed)] = Variant(normalize(canonical), "typo", None)
    for entry in conf.get("synonyms") or []:
        templates = tuple(entry["templates"]) if entry.get("templates") else None
        out[normalize(entry["variant"])] = Variant(normalize(entry["canonical"]), "synonym", templates)
    return out


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance; labels are short, the quadratic table is fine."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]
