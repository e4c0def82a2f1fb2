"""Farm profiles: `demo` and `knobs` as YAML beside this module, `large` generated.

A profile is `{seed: int, portals: [entry, …]}`; an entry is style + knobs as in portals.md §12.2
(see demo.yaml for every field the farm reads).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml

STYLES = ("A", "B", "C", "D", "E")


def load(profile: str | Path | dict[str, Any]) -> dict[str, Any]:
    if isinstance(profile, dict):
        data = profile
    elif isinstance(profile, Path) or str(profile).endswith((".yaml", ".yml")):
        data = yaml.safe_load(Path(profile).read_text(encoding="utf-8"))
    elif profile == "large":
        data = large_profile()
    elif profile.startswith("large:"):
        data = large_profile(int(profile.split(":", 1)[1]))
    else:
        try:
            text = resources.files(__package__).joinpath(f"{profile}.yaml").read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ValueError(
                f"unknown farm profile {profile!r}: give demo, knobs, large[:N] or a YAML path"
            ) from None
        data = yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("portals"), list):
        raise ValueError("a farm profile is a mapping with a 'portals' list")
    return {**data, "portals": [p for p in data["portals"] if p.get("enabled", True)]}


def large_profile(documents: int = 10_000, *, seed: int = 7) -> dict[str, Any]:
    """About `documents` reports for the crawler benchmark: 25 bodies × 10 years per portal,
    styles round-robin, cheap formats only (HTML mostly, some PDF/DOCX), 50 ms latency."""
    per_portal = 25 * 10
    n = max(1, round(documents / per_portal))
    portals = []
    for i in range(n):
        style = STYLES[i % len(STYLES)]
        portals.append(
            {
                "name": f"bench_{style.lower()}{i:03d}",
                "style": style,
                "years": [2015, 2024],
                "bodies": {"government": 1, "departments": 10, "townships": 13},
                "modes": {"html": 0.9, "attachment": 0.1} if style != "E" else {"attachment": 1.0},
                "formats": ["pdf", "docx"] if style != "E" else ["pdf"],
                "subcolumns": "townships" if i % 3 == 0 else "none",
                "pairs": 0,
                "knobs": {"slow": {"ms": 50}},
            }
        )
    return {"seed": seed, "portals": portals}
