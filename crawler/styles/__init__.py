"""Per-CMS knowledge, one small module per portal style (portals.md §3–§7).

Every style exposes the same interface (`crawler.styles.base.Style`): `detect(response)` and
`listing(response)`, which yields list entries and the follow-up listing requests (pagination,
list APIs). Detection runs in the order of portals.md §2 step 3; adding a CMS = one new module
plus one line in `STYLES`.
"""

from __future__ import annotations

from scrapy.http import Response

from crawler.styles.base import Style
from crawler.styles.generic import Generic
from crawler.styles.gkmlpt import Gkmlpt
from crawler.styles.hanweb import Hanweb
from crawler.styles.jpaas import JPaaS
from crawler.styles.trs import TRS

# Order matters: several markers may co-occur on one page (§2 step 3); Generic accepts anything.
STYLES: tuple[Style, ...] = (Gkmlpt(), JPaaS(), Hanweb(), TRS(), Generic())
BY_NAME: dict[str, Style] = {s.name: s for s in STYLES}


def detect(response: Response) -> Style:
    for style in STYLES:
        if style.detect(response):
            return style
    return STYLES[-1]


def by_name(name: str | None) -> Style:
    return BY_NAME.get(name or "", STYLES[-1])


__all__ = ["BY_NAME", "STYLES", "Style", "by_name", "detect"]
