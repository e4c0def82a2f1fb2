"""Parsing limits. A document beyond them is refused with an error line, never half-read."""

# Largest document `govreports parse` reads (bytes). Real reports stay well under 30 MB,
# scanned ones included; anything larger is refused before it is read into memory.
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024

# Seconds one URL fetch by `govreports parse URL` may take.
FETCH_TIMEOUT_S = 30
