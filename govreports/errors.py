"""Errors a user can act on. The CLI prints their message (no traceback unless --debug)."""

from __future__ import annotations


class GovreportsError(Exception):
    """A failure with a message meant for the user. `exit_code` is the process exit status."""

    exit_code: int = 2


class ConfigError(GovreportsError):
    """Bad settings, portals file or command-line values."""


class ArchiveError(GovreportsError):
    """The archive database cannot be reached, is locked, or refused a write."""
