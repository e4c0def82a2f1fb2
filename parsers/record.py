"""The record of CONTRACT.md §1 and its findings, as plain data.

`Record.to_dict()` is the JSON object `govreports parse` prints; key order follows the contract.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from govreports import spec

SCHEMA = "govreports/annual-report@1"
SECTION_IDS: tuple[str, ...] = (
    "overview",
    "proactive",
    "applications",
    "review_litigation",
    "problems",
    "other",
)

CellValue = int | str | None  # int cells as int, money cells as decimal strings, unreadable as None


@dataclass(frozen=True, slots=True)
class Finding:
    check: str
    severity: str
    message: str
    keys: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "severity": self.severity,
            "message": self.message,
            "keys": list(self.keys),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(data["check"], data["severity"], data["message"], tuple(data.get("keys") or ()))


def finding(check_id: str, message: str, keys: Iterable[str] = ()) -> Finding:
    """A finding of check `check_id`, with the severity the spec fixes for it."""
    return Finding(check_id, spec.check(check_id).severity, message, tuple(keys))


@dataclass(slots=True)
class Source:
    path: str | None = None
    url: str | None = None
    format: str | None = None
    sha256: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "url": self.url, "format": self.format, "sha256": self.sha256}


@dataclass(slots=True)
class Dates:
    published: str | None = None
    signed: str | None = None
    period_start: str | None = None
    period_end: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {
            "published": self.published,
            "signed": self.signed,
            "period_start": self.period_start,
            "period_end": self.period_end,
        }


@dataclass(slots=True)
class Record:
    source: Source
    title: str | None = None
    agency: str | None = None
    year: int | None = None
    template: str | None = None
    body_kind: str | None = None
    dates: Dates = field(default_factory=Dates)
    cells: dict[str, CellValue] = field(default_factory=dict)
    sections: dict[str, str | None] = field(default_factory=lambda: dict.fromkeys(SECTION_IDS))
    legacy: dict[str, Any] | None = None
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema": SCHEMA,
            "title": self.title,
            "agency": self.agency,
            "year": self.year,
            "template": self.template,
            "body_kind": self.body_kind,
            "dates": self.dates.to_dict(),
            "source": self.source.to_dict(),
            "cells": dict(self.cells),
            "sections": dict(self.sections),
        }
        if self.template == "legacy":
            out["legacy"] = dict(self.legacy or {})
        out["findings"] = [f.to_dict() for f in self.findings]
        return out


def error_record(source: Source, reason: str) -> dict[str, Any]:
    """The one line a document that cannot be read at all still yields."""
    return {"schema": SCHEMA, "source": source.to_dict(), "error": reason}
