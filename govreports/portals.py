"""The portals file of CONTRACT.md §3: which portals to crawl and what to expect from them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from govreports import spec
from govreports.errors import ConfigError

_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
_MMDD = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


@dataclass(frozen=True, slots=True)
class PortalConfig:
    name: str
    start_urls: tuple[str, ...]
    body_kind: str | None = None
    deadline: str | None = None  # MM-DD of year+1, overrides the legal deadline
    expected_bodies: tuple[str, ...] = ()
    extra: dict[str, object] = field(default_factory=dict)  # further keys (e.g. cron, allowed_hosts)


def load_portals(path: str | Path) -> list[PortalConfig]:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"portals file not found: {path}") from exc
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read portals file {path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("portals"), list):
        raise ConfigError(f"{path}: expected a mapping with a 'portals' list")
    portals: list[PortalConfig] = []
    seen: set[str] = set()
    for i, entry in enumerate(data["portals"]):
        where = f"{path}: portals[{i}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: expected a mapping")
        name = entry.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise ConfigError(f"{where}: 'name' must be an ASCII identifier")
        if name in seen:
            raise ConfigError(f"{where}: duplicate portal name {name!r}")
        seen.add(name)
        urls = entry.get("start_urls")
        if isinstance(urls, str):
            urls = [urls]
        if not urls or not all(isinstance(u, str) and u.startswith(("http://", "https://")) for u in urls):
            raise ConfigError(f"{where} ({name}): 'start_urls' must list http(s) URLs")
        kind = entry.get("body_kind")
        if kind is not None and kind not in spec.BODY_KINDS:
            raise ConfigError(f"{where} ({name}): body_kind must be one of {', '.join(spec.BODY_KINDS)}")
        deadline = entry.get("deadline")
        if deadline is not None and not (isinstance(deadline, str) and _MMDD.match(deadline)):
            raise ConfigError(f'{where} ({name}): deadline must be "MM-DD"')
        expected = entry.get("expected_bodies") or []
        if not isinstance(expected, list) or not all(isinstance(b, str) for b in expected):
            raise ConfigError(f"{where} ({name}): expected_bodies must be a list of names")
        known = {"name", "start_urls", "body_kind", "deadline", "expected_bodies"}
        portals.append(
            PortalConfig(
                name=name,
                start_urls=tuple(urls),
                body_kind=kind,
                deadline=deadline,
                expected_bodies=tuple(expected),
                extra={k: v for k, v in entry.items() if k not in known},
            )
        )
    return portals


def select(portals: list[PortalConfig], names: list[str] | None) -> list[PortalConfig]:
    """The named portals (all when `names` is empty); unknown names are an error."""
    if not names:
        return portals
    by_name = {p.name: p for p in portals}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise ConfigError(f"unknown portal(s): {', '.join(unknown)}; known: {', '.join(by_name)}")
    return [by_name[n] for n in names]
