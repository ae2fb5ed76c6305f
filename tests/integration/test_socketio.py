"""The socket.io channel (web widget) over a real connection, with session persistence."""

from __future__ import annotations

import pytest

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
