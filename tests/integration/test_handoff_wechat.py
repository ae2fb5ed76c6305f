"""Human handoff for a WeChat user, over the real processes and a local fake of WeChat's API.

The user writes to the real webhook (signed as WeChat signs); what Rasa sends outside a user
turn — the notices and the agent's replies — arrives at the fake customer-service API.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import pytest
import requests

from bot.stack import Stack
from tests.integration.conftest import WECHAT_TOKEN
from tests.support.fake_wechat import FakeWeChatAPI
from tools.wechat_try import try_message

pytestmark = pytest.mark.integration
Responses = dict[str, list[dict[str, Any]]]


def test_a_wechat_user_reaches_an_agent_and_comes_back_to_the_bot(
    stack: Stack,
    wechat_api: FakeWeChatAPI,
    responses: Responses,
    issue_staff_token: Callable[[str, str], str],
) -> None:
    webhook = stack.url("Rasa server") + "/webhooks/wechat/webhook"
    openid = "oWx" + secrets.token_hex(12)

    def user(text: str) -> str:
        return try_message(webhook, WECHAT_TOKEN, text, openid=openid)

    token = issue_staff_token("qjw", "坐席-微信")

    def agent(method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"}
        url = stack.url("service") + path
        return requests.request(method, url, headers=headers, timeout=30, **kwargs)

    assert user("我要找人工客服").startswith("已为您转接人工服务")
    [handoff] = [
        i for i in agent("GET", "/api/staff/handoffs").json()["items"] if i["channel"] == "wechat"
    ]
    url = f"/api/staff/handoffs/{handoff['id']}"
    before = len(wechat_api.sent)
    agent("POST", url + "/take").raise_for_status()
    [taken] = [m for m in wechat_api.wait_for("sent", before + 1) if m["touser"] == openid]
    assert taken["text"]["content"] == responses["utter_handoff_taken"][0]["text"]

    # While the agent has it, the bot stays silent: WeChat gets "success", no passive reply.
    assert user("我们厂房扩建的规划许可卡住了") == "success"
    said = [line["text"] for line in agent("GET", url).json()["transcript"]]
    assert said[-1] == "我们厂房扩建的规划许可卡住了"

    reply = "您好，规划许可的进度我帮您问一下建设管理委。"
    agent("POST", url + "/messages", json={"text": reply}).raise_for_status()
    messages = wechat_api.wait_for("sent", before + 2)
    assert messages[-1] == {**messages[-1], "touser": openid, "msgtype": "text"}
    assert messages[-1]["text"]["content"] == f"【工作人员】{reply}"

    agent("POST", url + "/release").raise_for_status()
    released = wechat_api.wait_for("sent", before + 3)[-1]
    assert released["text"]["content"] == responses["utter_handoff_released"][0]["text"]
    assert "（依据：嘉府规〔2020〕8号 第二十九条）" in user("人才金卡能提供哪些服务")
