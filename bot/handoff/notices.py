"""What the user is told when a handoff is taken, handed back, closed or not taken in time.

The wording lives in domain.yml with every other bot message (``utter_handoff_*``); the
service sends it as ``bot`` events, so the notices are in the transcript like the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.settings import PROJECT_ROOT

DOMAIN = PROJECT_ROOT / "domain.yml"
NOTICES = ("taken", "released", "closed", "timeout")


@dataclass(frozen=True)
class Notice:
    """One message: text and optional buttons."""

    text: str
    buttons: tuple[dict[str, str], ...] = ()

    def event(self, **metadata: Any) -> dict[str, Any]:
        """Return the Rasa ``bot`` event that says this notice."""
        data = {"buttons": [dict(b) for b in self.buttons]} if self.buttons else {}
        return {"event": "bot", "text": self.text, "data": data, "metadata": metadata}


@cache
def load_notices(domain: Path = DOMAIN) -> dict[str, Notice]:
    """Read ``utter_handoff_<notice>`` of each notice from the domain (first variant)."""
    responses = yaml.safe_load(domain.read_text(encoding="utf-8"))["responses"]
    found: dict[str, Notice] = {}
    for name in NOTICES:
        variants = responses.get(f"utter_handoff_{name}")
        if not variants:
            raise ValueError(f"domain.yml has no response utter_handoff_{name}")
        first = variants[0]
        buttons = tuple(
            {"title": str(b["title"]), "payload": str(b["payload"])}
            for b in first.get("buttons") or []
        )
        found[name] = Notice(str(first["text"]).strip(), buttons)
    return found
