"""Alembic migrations of the archive; configured in code by archive.migrate (no alembic.ini)."""
