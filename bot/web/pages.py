"""Render the service's HTML pages from `bot/web/templates/`."""

from __future__ import annotations

from functools import cache
from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates"


@cache
def render_index() -> str:
    """Return the home page (static for now)."""
    return (TEMPLATES / "index.html").read_text(encoding="utf-8")
