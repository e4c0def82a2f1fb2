"""What makes two records "the same report" and "the same document".

- A body is identified on its portal by its normalised name: NFKC, no whitespace, the formal suffix
  人民政府/政府 of a people's government dropped (seeds/truth/README.md: "智仁乡" and "智仁乡人民政府" are
  the same body).
- A version is identified by the sha256 of the normalised document: the record's content fields in
  canonical JSON, whitespace removed from texts. Source (URL, path, raw sha256) and findings are
  left out: the same report at another URL or with a counter in the page chrome is not a new
  version, and a parser upgrade that adds a finding is not a revision by the publisher.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from archive.models import YEAR_BASE, YEAR_MAX
from govreports import spec
from govreports.errors import ArchiveError
from govreports.text import drop_spaces, nfkc

_GOV_SUFFIX = re.compile(r"^(.+[省市县区旗乡镇])(?:人民政府|政府)$")
_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
CONTENT_FIELDS = ("title", "agency", "year", "template", "body_kind", "dates", "cells", "sections", "legacy")


def norm_name(name: str) -> str:
    text = drop_spaces(nfkc(name))
    if m := _GOV_SUFFIX.match(text):
        text = m.group(1)
    return text


def norm_text(text: str | None) -> str | None:
    if text is None:
        return None
    return drop_spaces(nfkc(text))


def content_hash(record: dict[str, Any]) -> str:
    doc: dict[str, Any] = {}
    for field in CONTENT_FIELDS:
        value = record.get(field)
        if field == "sections" and isinstance(value, dict):
            value = {k: norm_text(v) for k, v in value.items()}
        elif field in ("title", "agency") and isinstance(value, str):
            value = norm_text(value)
        doc[field] = value
    canonical = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def validate_record(record: dict[str, Any]) -> None:
    """Refuse what the archive cannot file or would file wrongly, before anything is written."""
    if not isinstance(record, dict):
        raise ArchiveError(f"record must be a JSON object, got {type(record).__name__}")
    if "error" in record:
        raise ArchiveError(
            f"cannot store an error record ({record.get('error')}); report it with record_error() instead"
        )
    agency = record.get("agency")
    if not isinstance(agency, str) or not norm_name(agency):
        raise ArchiveError("record has no agency: cannot tell which body published it")
    year = record.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not YEAR_BASE <= year <= YEAR_MAX:
        raise ArchiveError(f"record of {agency} has no usable report year (year={year!r})")
    kind = record.get("body_kind")
    if kind is not None and kind not in spec.BODY_KINDS:
        raise ArchiveError(f"record of {agency} {year}: unknown body_kind {kind!r}")
    template = record.get("template")
    cells = record.get("cells") or {}
    if not isinstance(cells, dict):
        raise ArchiveError(f"record of {agency} {year}: cells must be an object")
    known = _known_keys(template if template in spec.TEMPLATES else None)
    if not cells.keys() <= known:
        where = f"template {template}" if template in spec.TEMPLATES else "any template"
        unknown = sorted(k for k in cells if k not in known)
        shown = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
        raise ArchiveError(f"record of {agency} {year} has cell keys unknown to {where}: {shown}")
    types = _key_types()
    decimal = _decimal_keys()
    for key, value in cells.items():
        # Nearly every cell is None or a plain in-range integer of an integer key: settled here
        # without a call; anything else gets the full check (and its error message).
        if value is None or (type(value) is int and key not in decimal and -_INT64 < value < _INT64):
            continue
        _check_cell(agency, year, key, value, types.get(key, "int"))
    dates = record.get("dates") or {}
    if not isinstance(dates, dict):
        raise ArchiveError(f"record of {agency} {year}: dates must be an object")
    for field in ("published", "signed", "period_start", "period_end"):
        parse_date(dates.get(field), f"record of {agency} {year}: dates.{field}")


def _check_cell(agency: str, year: int, key: str, value: Any, kind: str) -> None:
    if value is None:
        return
    bad = f"record of {agency} {year}: cell {key} = {value!r} is not "
    if kind == "decimal":
        if not (isinstance(value, str) and _DECIMAL.match(value)):
            raise ArchiveError(bad + "a decimal string")
        return
    if not isinstance(value, int) or isinstance(value, bool):
        raise ArchiveError(bad + "an integer")
    if abs(value) >= _INT64:
        raise ArchiveError(bad + "a 64-bit integer")


_INT64 = 2**63


@cache
def _known_keys(template: str | None) -> frozenset[str]:
    """The cell keys of `template`, or of any template when None."""
    return frozenset(spec.key_names(template)) if template is not None else spec.all_key_names()


@cache
def _decimal_keys() -> frozenset[str]:
    return frozenset(k for k, kind in _key_types().items() if kind == "decimal")


@cache
def _key_types() -> dict[str, str]:
    return {k.key: k.type for t in spec.TEMPLATES for k in spec.keys(t)}


def cell_rows(version_id: int, cells: dict[str, Any]) -> list[tuple[int, str, int | None, str | None]]:
    """(version_id, key, value_int, value_text) per cell: integers in value_int, decimal strings
    kept verbatim in value_text."""
    return [
        (version_id, key, value, None)
        if value is None or isinstance(value, int)
        else (version_id, key, None, str(value))
        for key, value in cells.items()
    ]


def cell_number(value: Any) -> Decimal | int | None:
    if value is None or isinstance(value, int):
        return value
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def parse_date(value: Any, what: str = "date") -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError as err:
            raise ArchiveError(f"{what}: {value!r} is not an ISO date") from err
    raise ArchiveError(f"{what}: {value!r} is not an ISO date")


def utc_naive(value: datetime | date | str | None) -> datetime:
    """A timestamp as naive UTC (the archive's convention); naive input is taken as UTC."""
    if value is None:
        return datetime.now(UTC).replace(tzinfo=None)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as err:
            raise ArchiveError(f"{value!r} is not an ISO timestamp") from err
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def iso(ts: datetime | None) -> str | None:
    return None if ts is None else ts.replace(microsecond=0).isoformat() + "Z"
