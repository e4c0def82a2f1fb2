"""The crawl's Scrapy settings as Scrapy resolves them."""

from __future__ import annotations

import json
import subprocess
import sys

from govreports.paths import PROJECT_ROOT

_PROBE = """
import json, sys
from scrapy.settings import Settings
settings = Settings()
settings.setmodule("settings.crawl", priority="project")
extensions = sorted(settings.get_component_priority_dict_with_base("EXTENSIONS"))
consoles = ("aiohttp", "twisted.conch.telnet", "scrapy.extensions.remote_control")
print(json.dumps([extensions, [m for m in consoles if m in sys.modules]]))
"""


def test_no_console_extension_and_no_import_of_one() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout
    extensions, imported = json.loads(out.splitlines()[-1])
    assert "crawler.extensions.CrawlSummary" in extensions
    assert "scrapy.extensions.corestats.CoreStats" in extensions  # the rest of Scrapy's base stays
    assert not [e for e in extensions if "telnet" in e or "remote_control" in e]
    # Resolving the settings imported neither console (aiohttp alone cost ~0.5 s a crawl).
    assert imported == []
