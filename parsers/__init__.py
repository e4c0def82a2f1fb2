"""Pure parsing: bytes or text in, an annual-report record out.

Nothing here does network I/O, touches the archive or knows Scrapy. Entry point:
`parsers.parse_bytes(data, source=...)` -> Record.
"""
