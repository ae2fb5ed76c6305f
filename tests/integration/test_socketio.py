"""The socket.io channel (web widget) over a real connection, with session persistence."""

from __future__ import annotations

import queue
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests
import socketio

from bot.stack import Stack

pytestmark = pytest.mark.integration
TIMEOUT_S = 60


def _collect(
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


def test_session_persistence_and_custom_payloads(stack: Stack) -> None:
    with widget_session(stack) as (client, session, replies):
        client.emit("user_uttered", {"message": "你好", "session_id": session})
        greeting = replies.get(timeout=TIMEOUT_S)
        assert "嘉定企业服务助手" in greeting["text"]
        assert [b["title"] for b in greeting["quick_replies"]][:2] == ["政策咨询", "政策匹配"]
        # A policy answer: text, then the payload wrapped as {"custom": ...} (no crash).
        client.emit("user_uttered", {"message": "人才金卡能提供哪些服务", "session_id": session})
        text, custom = _collect(client, replies, 2)
        assert text["text"].endswith("第二十九条）")
        assert custom["custom"]["type"] == "policy_answer"


def test_a_person_s_message_is_pushed_to_the_widget_session(stack: Stack) -> None:
    push = stack.url("Rasa server") + "/webhooks/socketio/push"
    auth = {"Authorization": f"Bearer {stack.settings.rasa_auth_token}"}
    with widget_session(stack) as (_client, session, replies):
        body = {"session_id": session, "text": "您好，我是区经委的工作人员，请问有什么可以帮您？"}
        assert requests.post(push, json=body, timeout=10).status_code == 401
        wrong = {"Authorization": "Bearer wrong"}
        assert requests.post(push, json=body, headers=wrong, timeout=10).status_code == 401
        incomplete = requests.post(push, json={"session_id": session}, headers=auth, timeout=10)
        assert incomplete.status_code == 422
        sent = requests.post(push, json=body, headers=auth, timeout=10)
        assert sent.json() == {"delivered": True}
        assert replies.get(timeout=TIMEOUT_S) == {"text": body["text"], "from": "agent"}
        gone = requests.post(push, json={**body, "session_id": "nobody"}, headers=auth, timeout=10)
        assert gone.json() == {"delivered": False}
