"""The domain specification as data: cell keys, checks, deadlines, labels.

Every other part of govreports reads the spec from here; nothing repeats it in code.
The YAML files beside this module are the single source (keys.yaml is a verbatim copy of
../shared/spec/keys.yaml, guarded by a test).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml

Template = Literal["v2021", "v2019"]
TEMPLATES: tuple[Template, ...] = ("v2021", "v2019")
Severity = Literal["error", "warn", "info"]
BODY_KINDS: tuple[str, ...] = ("government", "department", "township", "other")
MONEY_KEYS: frozenset[str] = frozenset({"active.admin_fees.amount_wan", "active.procurement.amount_yuan"})


@dataclass(frozen=True, slots=True)
class KeySpec:
    key: str
    table: str
    row: str
    column: str
    type: str  # int | signed_int | decimal


@dataclass(frozen=True, slots=True)
class CheckSpec:
    id: str
    severity: Severity
    scope: str
    title: str


def _load(name: str) -> Any:
    with resources.files(__package__).joinpath(name).open("rb") as fh:
        return yaml.safe_load(fh)


@cache
def keys(template: Template) -> tuple[KeySpec, ...]:
    """The canonical cell keys of one template version, in table order."""
    data = _load("keys.yaml")
    if template not in data:
        raise KeyError(f"unknown template {template!r}; known: {', '.join(TEMPLATES)}")
    return tuple(KeySpec(**entry) for entry in data[template])


@cache
def key_names(template: Template) -> tuple[str, ...]:
    return tuple(k.key for k in keys(template))


@cache
def all_key_names() -> frozenset[str]:
    return frozenset(k for t in TEMPLATES for k in key_names(t))


@cache
def checks() -> dict[str, CheckSpec]:
    return {cid: CheckSpec(id=cid, **spec) for cid, spec in _load("checks.yaml").items()}


def check(check_id: str) -> CheckSpec:
    return checks()[check_id]


@cache
def labels() -> dict[str, Any]:
    """Label variants, typo dictionary, synonyms, section headings (labels.yaml)."""
    return _load("labels.yaml")


@cache
def _deadlines() -> dict[str, Any]:
    return _load("deadlines.yaml")


def legal_deadline(body_kind: str | None, year: int, override: str | None = None) -> date:
    """Deadline for the report on `year` (published in year+1); publication on the day is on time.

    `override` is a portal's MM-DD setting and wins over the law.
    """
    spec = _deadlines()
    if override:
        mmdd = override
    elif year <= spec["legacy_until"]:
        mmdd = spec["legacy_deadline"]
    else:
        mmdd = spec["by_body_kind"].get(body_kind or "other", spec["by_body_kind"]["other"])
    month, day = (int(p) for p in mmdd.split("-"))
    return date(year + 1, month, day)


@cache
def section_headings() -> dict[str, str]:
    """Section id -> the template's canonical heading ("一、总体情况", ...), in report order."""
    return {entry["id"]: entry["heading"] for entry in labels()["sections"]}


def table3_note() -> str:
    """The 勾稽关系 note of table 3's header block, as the template prints it."""
    return labels()["table3_note"]


@dataclass(frozen=True, slots=True)
class HeadCell:
    """One printed label cell of a table-3 row head: text and how far it spans."""

    text: str
    rowspan: int = 1
    colspan: int = 1


@cache
def table3_row_heads(template: Template) -> tuple[tuple[str, tuple[HeadCell, ...]], ...]:
    """Table 3's rows as the template prints them: (row id, the label cells that row opens).

    Row labels in keys.yaml are paths ("三、本年度办理结果 / （三）不予公开 / 1.属于国家秘密");
    the template prints the shared outer parts once, spanning the rows below them, within a
    three-column head. Renderers (farm documents, the dashboard) lay the table out from this.
    """
    row_label: dict[str, str] = {}
    for k in keys(template):
        if k.key.startswith("applications."):
            row_label.setdefault(k.key.split(".")[1], k.row)
    paths = {rk: label.split(" / ") for rk, label in row_label.items()}
    in_group = [rk for rk, p in paths.items() if len(p) > 1]
    sub_counts: dict[str, int] = {}
    for rk in in_group:
        if len(paths[rk]) == 3:
            sub_counts[paths[rk][1]] = sub_counts.get(paths[rk][1], 0) + 1
    seen_group = False
    seen_sub: set[str] = set()
    rows: list[tuple[str, tuple[HeadCell, ...]]] = []
    for rk, p in paths.items():
        head: list[HeadCell] = []
        if len(p) == 1:
            head.append(HeadCell(p[0], colspan=3))
        else:
            if not seen_group:
                head.append(HeadCell(p[0], rowspan=len(in_group)))
                seen_group = True
            if len(p) == 2:
                head.append(HeadCell(p[1], colspan=2))
            else:
                if p[1] not in seen_sub:
                    head.append(HeadCell(p[1], rowspan=sub_counts[p[1]]))
                    seen_sub.add(p[1])
                head.append(HeadCell(p[2]))
        rows.append((rk, tuple(head)))
    return tuple(rows)
