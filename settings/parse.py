"""Parsing limits. A document beyond them is refused with an error line, never half-read."""

# Largest document `govreports parse` reads (bytes). Real reports stay well under 30 MB,
# scanned ones included; anything larger is refused before it is read into memory.
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024

# Seconds one URL fetch by `govreports parse URL` may take.
FETCH_TIMEOUT_S = 30

# --- Attachments (parsers/formats) ---------------------------------------------------------
# Zip containers (DOCX, XLSX, OFD) are checked from their central directory BEFORE anything is
# inflated: a zip bomb claims little and expands to gigabytes.
ZIP_MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024  # sum of all members' uncompressed sizes
ZIP_MAX_RATIO = 100  # uncompressed / compressed, per member larger than ZIP_RATIO_MIN_BYTES
ZIP_RATIO_MIN_BYTES = 2 * 1024 * 1024  # small members compress well legitimately (XML ~10-30x)
ZIP_MAX_MEMBERS = 10_000

# A real annual report has 5–40 pages; a PDF above this is refused, not half-read.
PDF_MAX_PAGES = 120
# Below this many text characters per page on average a PDF is treated as scanned (OCR).
PDF_MIN_TEXT_CHARS_PER_PAGE = 20

# LibreOffice conversions (DOC/WPS -> DOCX): seconds before the process group is killed.
# $GOVREPORTS_SOFFICE overrides the soffice binary (tests use a fake one that hangs).
SOFFICE_TIMEOUT_S = 90
SOFFICE_LOCK_TIMEOUT_S = 300  # waiting for another conversion to finish

# OCR (scanned PDFs, images): resolution, per-cell confidence below which a cell is not trusted.
OCR_DPI = 200
OCR_MIN_CELL_CONFIDENCE = 60
OCR_MAX_PAGES = 40
