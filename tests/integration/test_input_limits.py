"""Input limits of the REST channel over the real Rasa server (bot/rasa_ext/channels/rest.py)."""

from __future__ import annotations

import queue
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from bot.rasa_ext.channels.wording import channel_wording
from bot.stack import Stack
from tests.support.widget import TIMEOUT_S, widget_session

pytestmark = pytest.mark.integration


def test_a_flooding_sender_gets_429_while_others_are_answered(stack: Stack) -> None:
    url = stack.url("Rasa server") + "/webhooks/rest/webhook"
    flood = "flood-" + uuid.uuid4().hex[:8]

    def send(i: int) -> int:
        body = {"sender": flood, "message": f"你好{i}"}
        return requests.post(url, json=body, timeout=60).status_code

    # All at once: the burst is spent on arrival, however fast the bot answers (with a few in
    # flight, a slow enough bot lets the bucket refill between arrivals and refuses nothing).
    with ThreadPoolExecutor(60) as pool:
        codes = list(pool.map(send, range(60)))
    burst = stack.settings.rate_limit_burst
    assert codes.count(200) >= burst and codes.count(429) > 0
    assert set(codes) <= {200, 429}
    other = requests.post(
        url, json={"sender": "calm-" + uuid.uuid4().hex[:8], "message": "你好"}, timeout=60
    )
    assert other.status_code == 200 and "嘉定企业服务助手" in other.json()[0]["text"]


def test_malformed_oversized_and_spoofed_requests(stack: Stack) -> None:
    url = stack.url("Rasa server") + "/webhooks/rest/webhook"
    assert requests.post(url, data=b"{not json", timeout=30).status_code == 400
    assert requests.post(url, json=["a list"], timeout=30).status_code == 400
    assert requests.post(url, json={"message": "no sender"}, timeout=30).status_code == 400
    big = {"sender": "big", "message": "长" * (stack.settings.max_body_bytes // 2)}
    assert requests.post(url, json=big, timeout=30).status_code == 413
    # A caller cannot pose as a widget conversation: the channel is always "rest".
    sender = "spoof-" + uuid.uuid4().hex[:8]
    body = {"sender": sender, "message": "转人工", "input_channel": "socketio"}
    [reply] = requests.post(url, json=body, timeout=60).json()
    assert reply["text"].startswith("抱歉，当前渠道无法转接人工服务")


@pytest.mark.parametrize(
    "raw",
    [
        b"\x00\xff\xfe binary \x80\x81",
        b'{"sender": "fz", "message": "\\ud800 lone surrogate"}',
        '{"sender": "fz", "message": "零宽\\u200b字符\\u202e反向\\u0000空字符"}'.encode(),
        '{"sender": "fz", "message": "👨‍👩‍👧‍👦🇨🇳"}'.encode(),
        b'{"sender": "fz", "message": ""}',
        ('{"sender": "fz", "message": "' + "测" * 600 + '"}').encode(),
        b'{"sender": "fz", "message": null}',
        b'{"sender": ["fz"], "message": "hi"}',
    ],
)
def test_odd_input_never_breaks_the_channel(stack: Stack, raw: bytes) -> None:
    url = stack.url("Rasa server") + "/webhooks/rest/webhook"
    odd = requests.post(url, data=raw, headers={"Content-Type": "application/json"}, timeout=60)
    assert odd.status_code in (200, 400, 413), odd.text
    calm = {"sender": "after-odd-" + uuid.uuid4().hex[:8], "message": "你好"}
    assert requests.post(url, json=calm, timeout=60).status_code == 200


def test_a_flooding_widget_session_is_asked_to_slow_down_while_others_are_answered(
    stack: Stack,
) -> None:
    burst = stack.settings.rate_limit_burst
    sent = burst + 20
    with widget_session(stack) as (client, session, replies):
        for _ in range(sent):
            client.emit("user_uttered", {"message": "你好", "session_id": session})
            # One message per polling request: engine.io refuses a request of many packets
            # (and closes the socket), a limit of its own this test does not want to hit.
            time.sleep(0.03)
        with widget_session(stack) as (calm, calm_session, calm_replies):
            calm.emit("user_uttered", {"message": "你好", "session_id": calm_session})
            assert "嘉定企业服务助手" in calm_replies.get(timeout=TIMEOUT_S)["text"]
        texts = drain(replies)
    slowed = texts.count(channel_wording().slow_down)
    greeted = sum("嘉定企业服务助手" in t for t in texts)
    assert slowed >= sent - burst - 6 and greeted >= burst, texts  # refills while sending
    assert slowed + greeted == sent


def test_odd_and_oversized_widget_messages_are_ignored(stack: Stack) -> None:
    with widget_session(stack) as (client, session, replies):
        client.emit("user_uttered", ["not", "an", "object"])
        client.emit("user_uttered", {"message": 42, "session_id": session})
        client.emit("user_uttered", {"message": "你好", "session_id": session, "metadata": "{"})
        assert "嘉定企业服务助手" in replies.get(timeout=TIMEOUT_S)["text"]
        assert drain(replies, wait_s=2) == []  # the odd messages got no answer at all
    with widget_session(stack) as (client, session, replies):
        huge = "长" * stack.settings.max_body_bytes
        client.emit("user_uttered", {"message": huge, "session_id": session})
        assert drain(replies, wait_s=3) == []  # over the buffer limit: dropped unread
    with widget_session(stack) as (client, session, replies):
        client.emit("user_uttered", {"message": "你好", "session_id": session})
        assert "嘉定企业服务助手" in replies.get(timeout=TIMEOUT_S)["text"]


def drain(replies: queue.Queue[dict[str, Any]], wait_s: float = 5.0) -> list[str]:
    """Return the texts of every reply until none has come for ``wait_s`` seconds."""
    texts: list[str] = []
    while True:
        try:
            texts.append(str(replies.get(timeout=wait_s).get("text") or ""))
        except queue.Empty:
            return texts
