"""For every test folder: the shared helper modules of tests/support importable by name.

Test folders are not packages (--import-mode=importlib), so helpers shared across folders live in
tests/support and are imported as top-level modules (e.g. `import archive_data`).
"""

from __future__ import annotations

import sys
from pathlib import Path

SUPPORT = str(Path(__file__).resolve().parent / "support")
if SUPPORT not in sys.path:
    sys.path.insert(0, SUPPORT)
