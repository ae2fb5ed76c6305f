"""Talk to Rasa's socket.io channel as the web widget does (session persistence on)."""

from __future__ import annotations

import queue
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import socketio

from bot.stack import Stack

TIMEOUT_S = 60


def collect(
    client: socketio.Client, q: queue.Queue[dict[str, Any]], until: int
) -> list[dict[str, Any]]:
    return [q.get(timeout=TIMEOUT_S) for _ in range(until)]


@contextmanager
def widget_session(
    stack: Stack,
) -> Iterator[tuple[socketio.Client, str, queue.Queue[dict[str, Any]]]]:
    """Connect as the widget does and confirm a new persistent session."""
    replies: queue.Queue[dict[str, Any]] = queue.Queue()
    confirmed: queue.Queue[str] = queue.Queue()
    client = socketio.Client(reconnection=False)
    client.on("bot_uttered", replies.put)
    client.on("session_confirm", confirmed.put)
    client.connect(stack.url("Rasa server"), transports=["polling"], wait_timeout=20)
    session = uuid.uuid4().hex
    try:
        client.emit("session_request", {"session_id": session})
        assert confirmed.get(timeout=TIMEOUT_S) == session
        yield client, session, replies
    finally:
        client.disconnect()
