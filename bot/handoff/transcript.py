"""Turn a conversation's Rasa events into the transcript an agent reads (numbers masked)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from bot.appeals.masking import mask_text

EXTERNAL_PREFIX = "EXTERNAL: "  # intents triggered by Rasa's API, not typed by anyone
MAX_LINES = 200
PREVIEW_CHARS = 60


def _at(timestamp: Any) -> str | None:
    try:
        return datetime.fromtimestamp(float(timestamp), timezone.utc).isoformat()
    except (TypeError, ValueError, OverflowError):
        return None


def _line(event: dict[str, Any]) -> dict[str, Any] | None:
    kind = event.get("event")
    text = str(event.get("text") or "").strip()
    if kind not in ("user", "bot") or not text or text.startswith(EXTERNAL_PREFIX):
        return None
    if kind == "user":
        sender = "user"
    else:
        sender = "agent" if (event.get("metadata") or {}).get("from") == "agent" else "bot"
    return {"from": sender, "text": mask_text(text), "at": _at(event.get("timestamp"))}


def transcript(events: Iterable[dict[str, Any]], limit: int = MAX_LINES) -> list[dict[str, Any]]:
    """Return the user's, the bot's and the agents' messages, oldest first (last ``limit``)."""
    lines = [line for line in map(_line, events) if line is not None]
    return lines[-limit:]


def preview(lines: list[dict[str, Any]], limit: int = PREVIEW_CHARS) -> str:
    """Return the user's latest message, shortened, for the inbox list."""
    for line in reversed(lines):
        if line["from"] == "user":
            text = str(line["text"])
            return text if len(text) <= limit else text[:limit] + "…"
    return ""
