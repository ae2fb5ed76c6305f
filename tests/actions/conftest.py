"""Tracker and domain fixtures for action tests (as in rasa/financial-demo)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker

from bot.settings import PROJECT_ROOT


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    """Return the project's domain.yml as the action server receives it."""
    return dict(yaml.safe_load(Path(PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8")))


@pytest.fixture
def make_tracker() -> Callable[..., Tracker]:
    """Build a tracker whose latest message has ``text`` and an intent ranking."""

    def _make(text: str, ranking: list[dict[str, Any]] | None = None) -> Tracker:
        ranking = ranking or [{"name": "nlu_fallback", "confidence": 1.0}]
        latest = {"text": text, "intent": ranking[0], "intent_ranking": ranking, "entities": []}
        return Tracker(
            sender_id="test-user",
            slots={},
            latest_message=latest,
            events=[],
            paused=False,
            followup_action=None,
            active_loop={},
            latest_action_name="action_listen",
        )

    return _make
