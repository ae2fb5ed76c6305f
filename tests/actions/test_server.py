"""The action server's start-up work (actions/server.py); its guards: tests/integration."""

from __future__ import annotations

import asyncio

import pytest
from sanic import Sanic

from actions import server


def test_the_kb_loads_and_deliveries_resume_when_the_server_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(Sanic, "test_mode", True)  # rasa-sdk names every app "rasa_sdk"
    app = server.create_app("a-token")
    # Sanic 21.12 applies listeners when the server starts; until then they wait here.
    starting = [f.listener for f in app._future_listeners if f.event == "before_server_start"]
    assert server.start_background_work in starting
    done: list[str] = []

    class FakeHolder:
        def get(self) -> None:
            done.append("kb")

    monkeypatch.setattr(server, "KB", FakeHolder())
    monkeypatch.setattr(server, "resume_pending_deliveries", lambda: done.append("outbox"))
    asyncio.run(server.start_background_work(app, None))
    assert done == ["kb", "outbox"]
