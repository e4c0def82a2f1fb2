"""Scheduling defaults for `govreports schedule`: cadence, crawl command, locks, alert thresholds
and alert delivery.

Every value can be overridden by an environment variable (named beside it), so a service unit
can be configured without editing code. `ScheduleSettings.from_env()` reads them at call time,
not at import time, so tests and long-lived processes see the environment they were started with.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from govreports.errors import ConfigError

# Reports for year Y appear between Jan 1 and the Mar 31 deadline of Y+1, plus stragglers;
# during that season every portal is visited daily, otherwise weekly (annual-report-format.md §1.2).
DAILY_SEASON_START = "01-01"  # GOVREPORTS_SCHEDULE_SEASON_START (MM-DD, inclusive)
DAILY_SEASON_END = "04-15"  # GOVREPORTS_SCHEDULE_SEASON_END (MM-DD, inclusive)
WEEKLY_DAY = "mon"  # GOVREPORTS_SCHEDULE_WEEKLY_DAY: mon … sun
HOUR = 3  # GOVREPORTS_SCHEDULE_HOUR: portal servers are quietest at night, China time
# Portals start spread over this many minutes after HOUR (stable per portal name), so that a
# hundred portals do not all start in the same second. GOVREPORTS_SCHEDULE_SPREAD_MINUTES
SPREAD_MINUTES = 60
TIMEZONE = "Asia/Shanghai"  # GOVREPORTS_SCHEDULE_TZ: the portals' calendar, not the server's

# The crawl of one portal, run in its own subprocess. Placeholders: {python}, {portals}, {portal},
# {db}. GOVREPORTS_CRAWL_COMMAND (shell-quoted words) replaces it, e.g. with a test double.
CRAWL_COMMAND: tuple[str, ...] = (
    "{python}", "-m", "govreports", "crawl",
    "--portals", "{portals}", "--portal", "{portal}", "--db", "{db}", "--json",
)  # fmt: skip
CRAWL_TIMEOUT_S = 6 * 3600.0  # GOVREPORTS_CRAWL_TIMEOUT_S: a crawl running longer is killed, run failed
MAX_PARALLEL_CRAWLS = 4  # GOVREPORTS_MAX_PARALLEL_CRAWLS
# On SIGTERM running crawls get this long to finish their current item before SIGKILL.
TERMINATE_GRACE_S = 20.0  # GOVREPORTS_TERMINATE_GRACE_S

# A missed run (scheduler down at the time) still runs when the scheduler comes back, once:
# coalesce=True folds all missed run times into one. None = no matter how late.
MISFIRE_GRACE_S: int | None = None  # GOVREPORTS_MISFIRE_GRACE_S ("none" for None)

# Portal lock: the scheduler renews it every LOCK_HEARTBEAT_S while a crawl runs; a lock not renewed
# for LOCK_TTL_S (or held by a dead pid on this host) is stale and is taken over.
LOCK_TTL_S = 180.0  # GOVREPORTS_LOCK_TTL_S
LOCK_HEARTBEAT_S = 30.0  # GOVREPORTS_LOCK_HEARTBEAT_S

# Alert thresholds.
# Error rate = errors / requests of a run. An alert when it rises by at least ERROR_RATE_JUMP over
# the mean of the previous ERROR_BASELINE_RUNS runs, with at least ERROR_MIN_COUNT errors (so one
# 404 on a tiny portal is not an incident).
ERROR_RATE_JUMP = 0.25  # GOVREPORTS_ALERT_ERROR_RATE_JUMP
ERROR_MIN_COUNT = 3  # GOVREPORTS_ALERT_ERROR_MIN_COUNT
ERROR_BASELINE_RUNS = 5  # GOVREPORTS_ALERT_ERROR_BASELINE_RUNS
FAILED_RUNS_ALERT = 2  # GOVREPORTS_ALERT_FAILED_RUNS: consecutive failed crawls before an alert
LATE_GRACE_DAYS = 0  # GOVREPORTS_ALERT_LATE_GRACE_DAYS: days after the deadline before "late"
LATE_CHECK_HOUR = 9  # GOVREPORTS_ALERT_LATE_CHECK_HOUR: daily late-body check

# Alert delivery. The log and the `alerts` table always; webhook and e-mail when configured.
WEBHOOK_URL = ""  # GOVREPORTS_ALERT_WEBHOOK: JSON POST per alert
WEBHOOK_TIMEOUT_S = 10.0  # GOVREPORTS_ALERT_WEBHOOK_TIMEOUT_S
SMTP_HOST = ""  # GOVREPORTS_SMTP_HOST: e-mail is off while empty
SMTP_PORT = 25  # GOVREPORTS_SMTP_PORT
SMTP_USER = ""  # GOVREPORTS_SMTP_USER
SMTP_PASSWORD = ""  # GOVREPORTS_SMTP_PASSWORD
SMTP_STARTTLS = False  # GOVREPORTS_SMTP_STARTTLS
SMTP_FROM = "govreports@localhost"  # GOVREPORTS_SMTP_FROM
SMTP_TO: tuple[str, ...] = ()  # GOVREPORTS_SMTP_TO: comma-separated addresses
SMTP_TIMEOUT_S = 20.0  # GOVREPORTS_SMTP_TIMEOUT_S
# A failed webhook or e-mail is tried again every RETRY_MINUTES while the alert is younger than
# RETRY_HOURS: a receiver down for a night still gets the alert, a dead address is not tried forever.
ALERT_RETRY_MINUTES = 10  # GOVREPORTS_ALERT_RETRY_MINUTES
ALERT_RETRY_HOURS = 24  # GOVREPORTS_ALERT_RETRY_HOURS

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class ScheduleSettings:
    season_start: str = DAILY_SEASON_START
    season_end: str = DAILY_SEASON_END
    weekly_day: str = WEEKLY_DAY
    hour: int = HOUR
    spread_minutes: int = SPREAD_MINUTES
    timezone: str = TIMEZONE
    crawl_command: tuple[str, ...] = CRAWL_COMMAND
    crawl_timeout_s: float = CRAWL_TIMEOUT_S
    max_parallel_crawls: int = MAX_PARALLEL_CRAWLS
    terminate_grace_s: float = TERMINATE_GRACE_S
    misfire_grace_s: int | None = MISFIRE_GRACE_S
    lock_ttl_s: float = LOCK_TTL_S
    lock_heartbeat_s: float = LOCK_HEARTBEAT_S
    error_rate_jump: float = ERROR_RATE_JUMP
    error_min_count: int = ERROR_MIN_COUNT
    error_baseline_runs: int = ERROR_BASELINE_RUNS
    failed_runs_alert: int = FAILED_RUNS_ALERT
    late_grace_days: int = LATE_GRACE_DAYS
    late_check_hour: int = LATE_CHECK_HOUR
    webhook_url: str = WEBHOOK_URL
    webhook_timeout_s: float = WEBHOOK_TIMEOUT_S
    smtp_host: str = SMTP_HOST
    smtp_port: int = SMTP_PORT
    smtp_user: str = SMTP_USER
    smtp_password: str = field(default=SMTP_PASSWORD, repr=False)
    smtp_starttls: bool = SMTP_STARTTLS
    smtp_from: str = SMTP_FROM
    smtp_to: tuple[str, ...] = SMTP_TO
    smtp_timeout_s: float = SMTP_TIMEOUT_S
    alert_retry_minutes: int = ALERT_RETRY_MINUTES
    alert_retry_hours: int = ALERT_RETRY_HOURS

    def __post_init__(self) -> None:
        for name in ("season_start", "season_end"):
            value = getattr(self, name)
            try:
                month, day = (int(p) for p in value.split("-"))
                if not (1 <= month <= 12 and 1 <= day <= 31):
                    raise ValueError
            except ValueError:
                raise ConfigError(f"schedule setting {name} must be MM-DD, got {value!r}") from None
        if self.weekly_day not in _WEEKDAYS:
            raise ConfigError(f"schedule setting weekly_day must be one of {', '.join(_WEEKDAYS)}")
        if not 0 <= self.hour <= 23 or not 0 <= self.late_check_hour <= 23:
            raise ConfigError("schedule hours must be 0–23")
        if not 0 <= self.spread_minutes <= 24 * 60:
            raise ConfigError("schedule setting spread_minutes must be 0–1440")
        if not self.crawl_command:
            raise ConfigError("the crawl command is empty")
        if self.alert_retry_minutes < 1 or self.alert_retry_hours < 0:
            raise ConfigError("alert_retry_minutes must be ≥ 1 and alert_retry_hours ≥ 0")
        if self.lock_heartbeat_s >= self.lock_ttl_s:
            # A heartbeat slower than the expiry would let a live crawl's lock be taken over.
            raise ConfigError("lock_heartbeat_s must be shorter than lock_ttl_s")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> ScheduleSettings:
        """Defaults, then GOVREPORTS_* environment variables, then keyword overrides."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(_ENV_NAMES[f.name])
            if raw is None or raw == "":
                continue
            values[f.name] = _convert(f.name, raw, f.default)
        values.update(overrides)
        return cls(**values)

    def with_(self, **changes: Any) -> ScheduleSettings:
        return replace(self, **changes)


_ENV_NAMES: dict[str, str] = {
    "season_start": "GOVREPORTS_SCHEDULE_SEASON_START",
    "season_end": "GOVREPORTS_SCHEDULE_SEASON_END",
    "weekly_day": "GOVREPORTS_SCHEDULE_WEEKLY_DAY",
    "hour": "GOVREPORTS_SCHEDULE_HOUR",
    "spread_minutes": "GOVREPORTS_SCHEDULE_SPREAD_MINUTES",
    "timezone": "GOVREPORTS_SCHEDULE_TZ",
    "crawl_command": "GOVREPORTS_CRAWL_COMMAND",
    "crawl_timeout_s": "GOVREPORTS_CRAWL_TIMEOUT_S",
    "max_parallel_crawls": "GOVREPORTS_MAX_PARALLEL_CRAWLS",
    "terminate_grace_s": "GOVREPORTS_TERMINATE_GRACE_S",
    "misfire_grace_s": "GOVREPORTS_MISFIRE_GRACE_S",
    "lock_ttl_s": "GOVREPORTS_LOCK_TTL_S",
    "lock_heartbeat_s": "GOVREPORTS_LOCK_HEARTBEAT_S",
    "error_rate_jump": "GOVREPORTS_ALERT_ERROR_RATE_JUMP",
    "error_min_count": "GOVREPORTS_ALERT_ERROR_MIN_COUNT",
    "error_baseline_runs": "GOVREPORTS_ALERT_ERROR_BASELINE_RUNS",
    "failed_runs_alert": "GOVREPORTS_ALERT_FAILED_RUNS",
    "late_grace_days": "GOVREPORTS_ALERT_LATE_GRACE_DAYS",
    "late_check_hour": "GOVREPORTS_ALERT_LATE_CHECK_HOUR",
    "webhook_url": "GOVREPORTS_ALERT_WEBHOOK",
    "webhook_timeout_s": "GOVREPORTS_ALERT_WEBHOOK_TIMEOUT_S",
    "smtp_host": "GOVREPORTS_SMTP_HOST",
    "smtp_port": "GOVREPORTS_SMTP_PORT",
    "smtp_user": "GOVREPORTS_SMTP_USER",
    "smtp_password": "GOVREPORTS_SMTP_PASSWORD",
    "smtp_starttls": "GOVREPORTS_SMTP_STARTTLS",
    "smtp_from": "GOVREPORTS_SMTP_FROM",
    "smtp_to": "GOVREPORTS_SMTP_TO",
    "smtp_timeout_s": "GOVREPORTS_SMTP_TIMEOUT_S",
    "alert_retry_minutes": "GOVREPORTS_ALERT_RETRY_MINUTES",
    "alert_retry_hours": "GOVREPORTS_ALERT_RETRY_HOURS",
}


def _convert(name: str, raw: str, default: Any) -> Any:
    env_name = _ENV_NAMES[name]
    try:
        if name == "crawl_command":
            return tuple(shlex.split(raw))
        if name == "smtp_to":
            return tuple(a.strip() for a in raw.split(",") if a.strip())
        if name == "misfire_grace_s":
            return None if raw.strip().lower() in {"none", "null", "-1"} else int(raw)
        if isinstance(default, bool):
            if raw.strip().lower() in {"1", "true", "yes", "on"}:
                return True
            if raw.strip().lower() in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        return raw.strip()
    except ValueError:
        raise ConfigError(f"{env_name}: invalid value {raw!r}") from None
