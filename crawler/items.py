"""What the spider hands to the pipelines: one report with every raw capture of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Capture:
    """One fetched source of a report: the detail page or an attachment, bytes as received."""

    url: str
    body: bytes
    headers: dict[str, str]
    fetched_at: str  # ISO 8601 UTC
    role: str  # "detail" | "attachment"
    encoding: str | None = None  # what the crawler decoded a text page with


@dataclass(slots=True)
class ReportItem:
    portal: str
    url: str  # the report's address: its detail page, or the document when listed directly
    title: str
    list_title: str | None = None
    list_date: str | None = None
    style: str = "generic"
    page_meta: dict[str, Any] = field(default_factory=dict)  # PageMeta fields of the detail page
    captures: list[Capture] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # attachment URLs still to fetch
    failed: dict[str, str] = field(default_factory=dict)  # attachment URL -> error kind
    # The title alone did not decide: keep the item only if a source carries the national template.
    needs_confirmation: bool = False
    body_kind: str | None = None
    # Filled by the parse pipeline.
    records: list[dict[str, Any]] = field(default_factory=list)
    chosen: int | None = None
