"""The simulated portal farm: government portals of five CMS styles served on 127.0.0.x.

`from farm import Farm` (see farm.core); `python -m farm serve --profile demo`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Farm"]


def __getattr__(name: str) -> Any:
    # Lazy: farm.render and farm.corpus are imported on their own without loading the servers.
    if name == "Farm":
        from farm.core import Farm

        return Farm
    raise AttributeError(name)
