"""The socket.io channel (used by the web widget) answers over a real connection."""

from __future__ import annotations

import queue
from typing import Any

import pytest
import socketio

from bot.stack import Stack

pytestmark = pytest.mark.integration


def test_socketio_round_trip(stack: Stack) -> None:
    replies: queue.Queue[dict[str, Any]] = queue.Queue()
    client = socketio.Client(reconnection=False)
    client.on("bot_uttered", replies.put)
    client.connect(stack.url("Rasa server"), transports=["polling"], wait_timeout=20)
    try:
        client.emit("user_uttered", {"message": "你好", "session_id": client.sid})
        first = replies.get(timeout=60)
    finally:
        client.disconnect()
    assert "嘉定企业服务助手" in first["text"]
    assert [b["title"] for b in first["quick_replies"]][:2] == ["政策咨询", "提交诉求"]
