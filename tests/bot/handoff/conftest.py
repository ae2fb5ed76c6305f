"""A handoff service over a temporary database, with a stand-in for Rasa's HTTP API.

The stand-in keeps each conversation's events like Rasa's tracker store does and can be made
to fail; the real Rasa server is exercised in tests/integration/test_handoff.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from bot.appeals.service.backend import Backend
from bot.handoff.notices import load_notices
from bot.handoff.rasa_api import RasaUnavailable
from bot.handoff.service import HandoffService
from tests.bot.appeals.service.conftest import FakeClock


class FakeRasa:
    """Conversations as lists of events; ``down`` makes every call fail."""

    def __init__(self) -> None:
        self.conversations: dict[str, list[dict[str, Any]]] = {}
        self.down = False

    def say(self, sender_id: str, text: str, kind: str = "user") -> None:
        event = {"event": kind, "text": text, "timestamp": 1773104400.0}
        self.conversations.setdefault(sender_id, []).append(event)

    def events(self, sender_id: str) -> list[dict[str, Any]]:
        if self.down:
            raise RasaUnavailable("down")
        return list(self.conversations.get(sender_id, []))

    def append(self, sender_id: str, events: Sequence[dict[str, Any]]) -> None:
        if self.down:
            raise RasaUnavailable("down")
        self.conversations.setdefault(sender_id, []).extend(events)

    def paused(self, sender_id: str) -> bool:
        state = False
        for event in self.conversations.get(sender_id, []):
            if event["event"] in ("pause", "resume"):
                state = event["event"] == "pause"
        return state

    def bot_texts(self, sender_id: str) -> list[str]:
        return [e["text"] for e in self.conversations.get(sender_id, []) if e["event"] == "bot"]


@pytest.fixture
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
def handoffs(backend: Backend, rasa: FakeRasa, clock: FakeClock) -> HandoffService:
    return HandoffService(
        backend.appeals.factory,
        rasa,  # type: ignore[arg-type]
        load_notices(),
        clock,
        timeout_s=300,
        department_names={"qjw": "区经委"},
    )
