"""Jinja2 templates of the dashboard (a package so that the wheel ships them as package data)."""
