"""`govreports serve`: a read-only web dashboard over the archive (CONTRACT.md §2).

Pure WSGI: `make_app(archive)` returns the application; the serve command runs it under wsgiref.
Every page reads through archive.api.Archive; nothing here writes.
"""

from __future__ import annotations

from govreports.web.app import App, make_app

__all__ = ["App", "make_app"]
