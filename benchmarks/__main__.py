"""`python -m benchmarks [NAME…]`: run every `*_bench.py` module's `main()` (or only the named ones).

Generic on purpose: a new benchmark is a new `<name>_bench.py` with a `main()`; nothing to register.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def discover() -> list[str]:
    here = Path(__file__).resolve().parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.endswith("_bench"))


def run(names: list[str]) -> int:
    available = discover()
    wanted = [n if n.endswith("_bench") else f"{n}_bench" for n in names] or available
    unknown = [n for n in wanted if n not in available]
    if unknown:
        print(
            f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available)}", file=sys.stderr
        )
        return 2
    status = 0
    for name in wanted:
        print(f"== {name}")
        started = time.perf_counter()
        module = importlib.import_module(f"benchmarks.{name}")
        result = module.main()
        status = status or (int(result) if isinstance(result, int) else 0)
        print(f"== {name}: {time.perf_counter() - started:.1f} s\n")
    return status


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
