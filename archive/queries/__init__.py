"""Read-side queries over the archive: missing (C01), late (C02), diff (C20–C23), export."""
