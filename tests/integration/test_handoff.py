"""Human handoff over the real processes: widget session (socket.io) ↔ service ↔ Rasa.

The browser round trip is in test_handoff_browser.py; these drive the widget's socket.io
protocol directly and the console's API, and watch an unanswered handoff expire.
"""

from __future__ import annotations

import math
import queue
from collections.abc import Callable
from typing import Any

import pytest
import requests

from bot.stack import Stack
from tests.integration.conftest import HANDOFF_TIMEOUT_S
from tests.support.widget import TIMEOUT_S, collect, widget_session

pytestmark = pytest.mark.integration
Responses = dict[str, list[dict[str, Any]]]
QUIET_S = 4


def text_of(responses: Responses, name: str, **values: Any) -> str:
    return str(responses[name][0]["text"]).format(**values)


def staff(stack: Stack, token: str) -> Callable[..., requests.Response]:
    def call(method: str, path: str, **kwargs: Any) -> requests.Response:
        return requests.request(
            method,
            stack.url("service") + path,
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
            **kwargs,
        )

    return call


def handoff_of(api: Callable[..., requests.Response], reason: str) -> dict[str, Any]:
    """The newest active handoff with ``reason`` in the inbox."""
    items = api("GET", "/api/staff/handoffs").json()["items"]
    mine = [i for i in items if i["reason"] == reason]
    assert mine, items
    return dict(max(mine, key=lambda i: i["id"]))


def assert_silent(replies: queue.Queue[dict[str, Any]]) -> None:
    with pytest.raises(queue.Empty):
        replies.get(timeout=QUIET_S)


def test_agent_takes_replies_and_hands_back(
    stack: Stack, responses: Responses, issue_staff_token: Callable[[str, str], str]
) -> None:
    agent = staff(stack, issue_staff_token("qjw", "坐席A"))
    other = staff(stack, issue_staff_token("qjw", "坐席B"))
    minutes = max(1, math.ceil(HANDOFF_TIMEOUT_S / 60))
    with widget_session(stack) as (client, session, replies):
        client.emit("user_uttered", {"message": "我要转人工", "session_id": session})
        opened = replies.get(timeout=TIMEOUT_S)
        assert opened["text"] == text_of(responses, "utter_handoff_opened", minutes=minutes)
        client.emit("user_uttered", {"message": "转人工", "session_id": session})
        waiting = replies.get(timeout=TIMEOUT_S)
        assert waiting["text"] == text_of(responses, "utter_handoff_already_waiting")

        handoff = handoff_of(agent, "request")
        assert (handoff["status"], handoff["channel"]) == ("waiting", "socketio")
        url = f"/api/staff/handoffs/{handoff['id']}"
        lines = agent("GET", url).json()["transcript"]
        user_lines = [line["text"] for line in lines if line["from"] == "user"]
        assert user_lines == ["我要转人工", "转人工"]

        assert agent("POST", url + "/take").json()["mine"] is True
        assert replies.get(timeout=TIMEOUT_S)["text"] == text_of(responses, "utter_handoff_taken")
        assert other("POST", url + "/take").status_code == 409

        # While a person has the conversation the bot keeps silent; the agent sees the text.
        question = "我们是高新技术企业，想问研发投入补贴，电话13812345678"
        client.emit("user_uttered", {"message": question, "session_id": session})
        assert_silent(replies)
        said = [line["text"] for line in agent("GET", url).json()["transcript"]]
        assert said[-1] == question.replace("13812345678", "138****5678")

        reply = "您好，我是区经委的工作人员，研发投入相关政策我来为您说明。"
        assert agent("POST", url + "/messages", json={"text": reply}).json()["sent"] is True
        assert replies.get(timeout=TIMEOUT_S) == {"text": reply, "from": "agent"}
        assert other("POST", url + "/messages", json={"text": "插话"}).status_code == 409

        released = agent("POST", url + "/release").json()
        assert released["status"] == "returned"
        back = replies.get(timeout=TIMEOUT_S)
        assert back["text"] == text_of(responses, "utter_handoff_released")

        # The bot answers again.
        client.emit("user_uttered", {"message": "人才金卡能提供哪些服务", "session_id": session})
        text, custom = collect(client, replies, 2)
        assert text["text"].endswith("第二十九条）")
        assert custom["custom"]["type"] == "policy_answer"
    ended = agent("GET", "/api/staff/handoffs?status=ended").json()["items"]
    assert handoff["id"] in [i["id"] for i in ended]


def test_the_bot_failing_twice_hands_over_and_an_unanswered_handoff_offers_an_appeal(
    stack: Stack, responses: Responses, issue_staff_token: Callable[[str, str], str]
) -> None:
    agent = staff(stack, issue_staff_token("qjw", "坐席C"))
    with widget_session(stack) as (client, session, replies):
        client.emit("user_uttered", {"message": "/nlu_fallback", "session_id": session})
        first = replies.get(timeout=TIMEOUT_S)
        assert first["text"] == text_of(responses, "utter_ask_rephrase_with_options")
        client.emit("user_uttered", {"message": "/nlu_fallback", "session_id": session})
        sorry, opened = collect(client, replies, 2)
        assert sorry["text"] == text_of(responses, "utter_default_handoff")
        assert opened["text"].startswith("已为您转接人工服务")
        handoff = handoff_of(agent, "fallback")
        assert handoff["status"] == "waiting"

        # Nobody takes it: the user is told and offered an appeal (buttons).
        timeout = replies.get(timeout=HANDOFF_TIMEOUT_S + TIMEOUT_S)
        assert timeout["text"] == text_of(responses, "utter_handoff_timeout")
        offered = [b["payload"] for b in timeout["quick_replies"]]
        assert offered == ["/file_appeal", "/request_human"]
        shown = agent("GET", f"/api/staff/handoffs/{handoff['id']}").json()
        assert shown["status"] == "expired"

        # The conversation goes on: the appeal button starts the appeal form.
        client.emit("user_uttered", {"message": "/file_appeal", "session_id": session})
        intro = replies.get(timeout=TIMEOUT_S)
        assert intro["text"] == text_of(responses, "utter_appeal_intro")


def test_only_the_action_server_opens_handoffs(stack: Stack) -> None:
    url = stack.url("service") + "/api/handoffs"
    body = {"sender_id": "someone", "channel": "socketio"}
    assert requests.post(url, json=body, timeout=10).status_code == 401
    # The REST channel (testing) cannot receive an agent's messages.
    internal = {"Authorization": f"Bearer {stack.settings.internal_token}"}
    rest = requests.post(url, json={**body, "channel": "rest"}, headers=internal, timeout=10)
    assert rest.status_code == 422


def test_asking_for_a_person_in_the_appeal_form(
    stack: Stack, responses: Responses, issue_staff_token: Callable[[str, str], str]
) -> None:
    agent = staff(stack, issue_staff_token("qjw", "坐席D"))
    with widget_session(stack) as (client, session, replies):
        client.emit("user_uttered", {"message": "/file_appeal", "session_id": session})
        intro, ask = collect(client, replies, 2)
        assert intro["text"] == text_of(responses, "utter_appeal_intro")
        client.emit("user_uttered", {"message": "转人工", "session_id": session})
        opened, resume, ask_again = collect(client, replies, 3)
        assert opened["text"].startswith("已为您转接人工服务")
        assert resume["text"] == text_of(responses, "utter_appeal_resume")
        assert ask_again["text"] == ask["text"]
        handoff = handoff_of(agent, "request")
        assert handoff["preview"] == "转人工"
        agent("POST", f"/api/staff/handoffs/{handoff['id']}/close").raise_for_status()
        closed = replies.get(timeout=TIMEOUT_S)
        assert closed["text"] == text_of(responses, "utter_handoff_closed")
