"""Render the service's HTML pages from `bot/web/templates/`; static files live in `static/`."""

from __future__ import annotations

from html import escape
from pathlib import Path

from bot.settings import PROJECT_ROOT

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
# socket.io-client, installed from web/package-lock.json by scripts/bootstrap.sh.
VENDOR = PROJECT_ROOT / "web" / "node_modules" / "socket.io-client" / "dist"


def render_index(socket_url: str, rasa_port: int) -> str:
    """Return the chat page; the widget connects to ``socket_url`` (or this host's Rasa port)."""
    if socket_url:
        attr = f'data-socket-url="{escape(socket_url, quote=True)}"'
    else:
        attr = f'data-rasa-port="{int(rasa_port)}"'
    page = (TEMPLATES / "index.html").read_text(encoding="utf-8")
    return page.replace("{{SOCKET_ATTR}}", attr)
