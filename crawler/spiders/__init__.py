"""The spiders; `annual_reports` is the only one."""
