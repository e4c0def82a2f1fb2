"""Per-portal crawl state: which hosts are the portal's own, whether it is blocked, and the counts
the end-of-crawl summary reports (pages, reports, new versions, decoys, errors by kind)."""

from __future__ import annotations

import ipaddress
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from govreports.portals import PortalConfig

# Second-level public suffixes whose registrable domain has three labels (gov.cn, com.cn, …).
_SECOND_LEVEL = {"gov", "com", "net", "org", "edu", "ac"}


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").rstrip(".").lower()


def registrable(host: str) -> str:
    """The portal's organisation domain: `xxgk.county.gov.cn` -> `county.gov.cn`; IPs stay whole."""
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


# Recorded, but they do not make a crawl partial (nothing below them was a report column).
HARMLESS_ERRORS = frozenset({"broken_link"})


@dataclass
class PortalState:
    config: PortalConfig
    hosts: set[str] = field(default_factory=set)
    domains: set[str] = field(default_factory=set)
    site_name: str | None = None
    blocked: str | None = None  # reason, e.g. "js_challenge (Ruishu 412)"
    pages: int = 0
    ok_pages: int = 0
    reports_found: int = 0
    new_reports: int = 0
    new_versions: int = 0
    unchanged: int = 0
    decoys: dict[str, str] = field(default_factory=dict)  # url -> reason
    errors: Counter[str] = field(default_factory=Counter)
    http_403: int = 0
    columns: set[str] = field(default_factory=set)
    seen_reports: set[str] = field(default_factory=set)

    @property
    def name(self) -> str:
        return self.config.name

    def __post_init__(self) -> None:
        for url in self.config.start_urls:
            self.add_host(host_of(url))
        extra = self.config.extra.get("allowed_hosts") or []
        for host in extra if isinstance(extra, list) else [extra]:
            # Entries may carry a port ("127.0.0.16:8080"); hosts are compared without it.
            host = str(host).lower()
            host = host_of(host if "://" in host else f"http://{host}/")
            self.hosts.add(host)

    def add_host(self, host: str) -> None:
        if host:
            self.hosts.add(host)
            self.domains.add(registrable(host))

    def allows(self, url: str) -> bool:
        """The portal's own hosts and their sibling subdomains (xxgk.<county>.gov.cn); nothing else."""
        if not url.startswith(("http://", "https://")):
            return False
        host = host_of(url)
        return host in self.hosts or registrable(host) in self.domains

    @property
    def blocked_reason(self) -> str | None:
        if self.blocked:
            return self.blocked
        if not self.ok_pages and self.http_403:
            return "HTTP 403 on every request (a browser-only or geo-fenced site)"
        return None

    def status(self, finished: bool) -> str:
        if self.blocked_reason:
            return "blocked"
        if not self.ok_pages:
            return "failed"
        if not finished or any(n for kind, n in self.errors.items() if kind not in HARMLESS_ERRORS):
            return "partial"
        return "ok"

    def summary(self) -> dict[str, object]:
        return {
            "pages": self.pages,
            "reports_found": self.reports_found,
            "new_reports": self.new_reports,
            "new_versions": self.new_versions,
            "unchanged": self.unchanged,
            "decoys_skipped": len(self.decoys),
            "errors": dict(sorted(self.errors.items())),
            "blocked": bool(self.blocked_reason),
            "blocked_reason": self.blocked_reason,
            "columns": sorted(self.columns),
        }


class Registry:
    """All portals of one crawl, by name."""

    def __init__(self, portals: list[PortalConfig]) -> None:
        self.portals = {p.name: PortalState(p) for p in portals}

    def __getitem__(self, name: str) -> PortalState:
        return self.portals[name]

    def __iter__(self):
        return iter(self.portals.values())

    def get(self, name: str | None) -> PortalState | None:
        return self.portals.get(name) if name else None
