"""Why a document could not be read at all. The message goes verbatim into the record's `error`."""

from __future__ import annotations


class UnreadableDocument(Exception):
    """The input yields no record (empty, junk, encrypted, too large, not a report format, ...)."""
