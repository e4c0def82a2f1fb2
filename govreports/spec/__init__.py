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
