"""The socket.io channel (web widget) over a real connection, with session persistence."""

from __future__ import annotations

import queue
import re
import uuid

import pytest
import requests
import socketio

from bot.stack import Stack
from tests.support.widget import TIMEOUT_S, collect, widget_session

pytestmark = pytest.mark.integration


def test_session_persistence_and_custom_payloads(stack: Stack) -> None:
    with widget_session(stack) as (client, session, replies):
        client.emit("user_uttered", {"message": "你好", "session_id": session})
        greeting = replies.get(timeout=TIMEOUT_S)
        assert "嘉定企业服务助手" in greeting["text"]
        assert [b["title"] for b in greeting["quick_replies"]][:2] == ["政策咨询", "政策匹配"]
        # A policy answer: text, then the payload wrapped as {"custom": ...} (no crash).
        client.emit("user_uttered", {"message": "人才金卡能提供哪些服务", "session_id": session})
        text, custom = collect(client, replies, 2)
        assert text["text"].endswith("第二十九条）")
        assert custom["custom"]["type"] == "policy_answer"


def tracker_events(stack: Stack, sender: str) -> list[dict[str, object]]:
    url = f"{stack.url('Rasa server')}/conversations/{sender}/tracker"
    answer = requests.get(url, params={"token": stack.settings.rasa_auth_token}, timeout=30)
    answer.raise_for_status()
    return list(answer.json()["events"])


def test_a_socket_speaks_only_in_the_session_confirmed_to_it(stack: Stack) -> None:
    with widget_session(stack) as (owner, victim, owner_replies):
        owner.emit("user_uttered", {"message": "你好", "session_id": victim})
        assert "嘉定企业服务助手" in owner_replies.get(timeout=TIMEOUT_S)["text"]
        with widget_session(stack) as (intruder, own_session, replies):
            # A message naming someone else's session is handled in the sender's own one.
            intruder.emit("user_uttered", {"message": "谢谢", "session_id": victim})
            replies.get(timeout=TIMEOUT_S)
        victim_texts = [
            e.get("text") for e in tracker_events(stack, victim) if e["event"] == "user"
        ]
        assert victim_texts == ["你好"]
        own_texts = [
            e.get("text") for e in tracker_events(stack, own_session) if e["event"] == "user"
        ]
        assert own_texts == ["谢谢"]


def test_a_weak_or_missing_session_id_gets_a_fresh_random_one(stack: Stack) -> None:
    confirmed: queue.Queue[str] = queue.Queue()
    replies: queue.Queue[dict[str, object]] = queue.Queue()
    client = socketio.Client(reconnection=False)
    client.on("session_confirm", confirmed.put)
    client.on("bot_uttered", replies.put)
    client.connect(stack.url("Rasa server"), transports=["polling"], wait_timeout=20)
    try:
        for weak in ("1", "admin", "A" * 32, None):
            client.emit("session_request", {"session_id": weak})
            issued = confirmed.get(timeout=TIMEOUT_S)
            assert re.fullmatch(r"[0-9a-f]{32}", issued) and issued != weak
        client.emit("session_request", {"session_id": issued})
        assert confirmed.get(timeout=TIMEOUT_S) == issued  # an id issued here is kept
        client.emit("user_uttered", {"message": "你好"})
        assert "嘉定企业服务助手" in str(replies.get(timeout=TIMEOUT_S)["text"])
    finally:
        client.disconnect()
    assert all(e["event"] != "user" for e in tracker_events(stack, "1"))


def test_a_message_sent_before_the_session_request_takes_the_session_it_names(
    stack: Stack,
) -> None:
    """socket.io-client flushes what was typed offline before the widget asks for its session."""
    replies: queue.Queue[dict[str, object]] = queue.Queue()
    client = socketio.Client(reconnection=False)
    client.on("bot_uttered", replies.put)
    client.connect(stack.url("Rasa server"), transports=["polling"], wait_timeout=20)
    session = uuid.uuid4().hex
    try:
        client.emit("user_uttered", {"message": "你好", "session_id": session})
        assert "嘉定企业服务助手" in str(replies.get(timeout=TIMEOUT_S)["text"])
        # Tied now: a later message naming another session still speaks in this one.
        client.emit("user_uttered", {"message": "谢谢", "session_id": uuid.uuid4().hex})
        replies.get(timeout=TIMEOUT_S)
    finally:
        client.disconnect()
    texts = [e.get("text") for e in tracker_events(stack, session) if e["event"] == "user"]
    assert texts == ["你好", "谢谢"]
