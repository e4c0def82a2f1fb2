"""On-disk cache of rendered attachments (LibreOffice and OCR-sized work is slow; the farm and the
tests ask for the same files again and again).

Location: $GOVREPORTS_CACHE, else <data folder>/render-cache. Key: record digest + format +
renderer version, so changing a renderer (bump RENDER_VERSION) never serves a stale file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from farm.render.layout import record_digest

RENDER_VERSION = "1"


def cache_dir() -> Path:
    env = os.environ.get("GOVREPORTS_CACHE")
    if env:
        path = Path(env)
    else:
        from govreports.paths import data_dir

        path = data_dir() / "render-cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def cached(record: Mapping[str, Any], fmt: str, build: Callable[[], bytes]) -> bytes:
    """The cached bytes of `record` rendered as `fmt`, building (and storing) them when missing."""
    path = cache_dir() / f"{record_digest(record)}-v{RENDER_VERSION}.{fmt}"
    if path.exists():
        return path.read_bytes()
    data = build()
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)  # atomic: parallel test workers never read half a file
    return data
