"""Input limits of the REST channel over the real Rasa server (bot/channels/rest.py)."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from bot.stack import Stack

pytestmark = pytest.mark.integration


def test_a_flooding_sender_gets_429_while_others_are_answered(stack: Stack) -> None:
    url = stack.url("Rasa server") + "/webhooks/rest/webhook"
    flood = "flood-" + uuid.uuid4().hex[:8]

    def send(i: int) -> int:
        body = {"sender": flood, "message": f"你好{i}"}
        return requests.post(url, json=body, timeout=60).status_code

    with ThreadPoolExecutor(8) as pool:
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
