"""Proactive messages (human handoff) through the WeChat channel's output channel
(bot/rasa_ext/channels/wechat/push.py).

The service's ``bot`` events go the way Rasa's HTTP API sends them with
``output_channel=latest&execute_side_effects=true``: Rasa's own ``_get_output_channel`` picks
the channel from the tracker and ``MessageProcessor._send_bot_messages`` hands it each
``BotUttered.message()``. The customer-service API is the local fake.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from rasa.core.processor import MessageProcessor
from rasa.server import _get_output_channel
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_ext.channels.wechat.push import WeChatPushOutput, render_push
from bot.rasa_ext.channels.wechat.security import openid_hash
from tests.bot.rasa_ext.channels.wechat.harness import (
    OPENID,
    PHONE,
    Harness,
    answer_to,
    reply_text,
    wait_until,
)
from tests.support.fake_wechat import FakeWeChatAPI

OTHER_OPENID = "oJd0Yt-user-0002"
AGENT_TEXT = "您好，我是12345热线的工作人员，正在为您查询。"
NOTICE_TEXT = "工作人员暂时没有回复，您可以："
NOTICE_BUTTONS = [
    {"title": "继续等待", "payload": "/handoff_wait"},
    {"title": "返回智能助手", "payload": "/handoff_end"},
]
NOTICE_REPLY = f"{NOTICE_TEXT}\n\n回复数字选择：\n1. 继续等待\n2. 返回智能助手"


def agent_event(text: str) -> dict[str, Any]:
    return {"event": "bot", "text": text, "metadata": {"from": "agent"}}


def notice_event(text: str, buttons: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"event": "bot", "text": text, "data": {"buttons": buttons} if buttons else {}}


def push(harness: Harness, openid: str, *events: dict[str, Any]) -> None:
    """Append ``events`` as Rasa's tracker-events endpoint with execute_side_effects does."""
    tracker = DialogueStateTracker.from_events(
        openid, [UserUttered("转人工", input_channel="wechat")]
    )
    request = SimpleNamespace(args={"output_channel": "latest"}, app=harness.app)
    bot_events = [Event.from_parameters(event) for event in events]

    async def send() -> None:
        output = _get_output_channel(request, tracker)  # type: ignore[arg-type]
        assert isinstance(output, WeChatPushOutput)
        await MessageProcessor._send_bot_messages(bot_events, tracker, output)

    harness.run(send())


def contents(fake: FakeWeChatAPI, what: str = "sent") -> list[tuple[str, str]]:
    return [(body["touser"], body["text"]["content"]) for body in getattr(fake, what)]


def test_the_channel_provides_a_wechat_output_channel(wechat: Harness) -> None:
    output = wechat.channel.get_output_channel()
    assert isinstance(output, WeChatPushOutput)
    assert output.name() == "wechat"


def test_agent_message_is_sent_with_the_label_to_its_user(
    wechat: Harness,
    fake_api: FakeWeChatAPI,
) -> None:
    push(wechat, OTHER_OPENID, agent_event(AGENT_TEXT))
    assert contents(fake_api) == [(OTHER_OPENID, f"【工作人员】{AGENT_TEXT}")]
    assert fake_api.refused == []


def test_bot_notice_buttons_become_options_answered_with_a_digit(
    wechat: Harness,
    fake_api: FakeWeChatAPI,
) -> None:
    push(wechat, OPENID, notice_event(NOTICE_TEXT, NOTICE_BUTTONS))
    assert contents(fake_api) == [(OPENID, NOTICE_REPLY)]  # a notice has no label
    reply = reply_text(wechat.say("1", 11001))
    message = wechat.bot.received[-1]
    assert (message.text, message.metadata["wechat_option"]) == ("/handoff_wait", "1")
    assert reply == answer_to("/handoff_wait")
    # The options belong to the user they were sent to.
    push(wechat, OTHER_OPENID, notice_event(NOTICE_TEXT, NOTICE_BUTTONS))
    wechat.say("2", 11002)
    assert wechat.bot.received[-1].text == "2"
    # A later message without buttons (an agent's) ends the options: "1" is just "1".
    push(wechat, OPENID, notice_event(NOTICE_TEXT, NOTICE_BUTTONS), agent_event(AGENT_TEXT))
    wechat.say("1", 11003)
    assert wechat.bot.received[-1].text == "1"


def test_refused_push_is_kept_and_prepended_to_the_next_reply(
    wechat: Harness,
    fake_api: FakeWeChatAPI,
) -> None:
    fake_api.refuse_errcode = 45015  # the user wrote more than 48 hours ago
    push(wechat, OPENID, notice_event("工作人员已接入"), agent_event(AGENT_TEXT))
    assert [text for _, text in contents(fake_api, "refused")] == [
        "工作人员已接入",
        f"【工作人员】{AGENT_TEXT}",
    ]
    fake_api.refuse_errcode = None
    reply = reply_text(wechat.say("还在吗？", 11101))
    assert reply == f"工作人员已接入\n\n【工作人员】{AGENT_TEXT}\n\n{answer_to('还在吗？')}"
    assert reply_text(wechat.say("谢谢", 11102)) == answer_to("谢谢")
    assert fake_api.sent == []


def test_push_failing_with_any_error_is_kept(
    make_harness: Callable[..., Harness],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    harness = make_harness()

    async def broken(openid: str, content: str) -> None:
        raise RuntimeError("unforeseen")

    monkeypatch.setattr(harness.channel._api, "send_text", broken)
    push(harness, OPENID, agent_event(AGENT_TEXT))
    assert reply_text(harness.say("你好", 11201)).startswith(f"【工作人员】{AGENT_TEXT}\n\n")


def test_push_is_sent_even_when_the_caller_hangs_up(
    wechat: Harness,
    fake_api: FakeWeChatAPI,
) -> None:
    fake_api.delay_s = 0.5  # the caller hangs up while the access token is fetched
    output = wechat.channel.get_output_channel()

    async def hang_up() -> None:
        task = asyncio.ensure_future(
            output.send_text_message(OPENID, AGENT_TEXT, **{"from": "agent"})
        )
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    wechat.run(hang_up())
    fake_api.wait_for("sent", 1)
    assert contents(fake_api) == [(OPENID, f"【工作人员】{AGENT_TEXT}")]


def test_output_channel_methods_route_through_send_response(
    wechat: Harness,
    fake_api: FakeWeChatAPI,
) -> None:
    output = wechat.channel.get_output_channel()

    async def send_all() -> None:
        await output.send_text_message(OPENID, "请稍候")
        await output.send_text_message(OPENID, AGENT_TEXT, **{"from": "agent"})
        await output.send_custom_json(OPENID, {"type": "policy_answer"})  # nothing to show
        await output.send_quick_replies(OPENID, NOTICE_TEXT, NOTICE_BUTTONS)

    wechat.run(send_all())
    assert [text for _, text in contents(fake_api)] == [
        "请稍候",
        f"【工作人员】{AGENT_TEXT}",
        NOTICE_REPLY,
    ]
    wechat.say("２", 11301)
    assert wechat.bot.received[-1].text == "/handoff_end"


def test_render_push() -> None:
    assert render_push({"text": "a", "from": "agent", "timestamp": 1.0}) == ("【工作人员】a", [])
    assert render_push({"text": None, "from": "agent", "custom": {"x": 1}}) == ("", [])
    text, options = render_push({"text": "b", "buttons": NOTICE_BUTTONS[:1]})
    assert (text, options) == ("b\n\n回复数字选择：\n1. 继续等待", ["/handoff_wait"])


def test_push_logs_carry_openid_hashes_and_errcodes_only(
    wechat: Harness,
    fake_api: FakeWeChatAPI,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.rasa_ext.channels")
    secret = f"请拨打{PHONE}联系我"
    push(wechat, OPENID, agent_event(secret))
    fake_api.refuse_errcode = 45015
    push(wechat, OPENID, agent_event(secret), notice_event(secret, NOTICE_BUTTONS))
    push(wechat, OPENID, {"event": "bot", "text": None, "data": {"custom": {"phone": PHONE}}})
    fake_api.refuse_errcode = None
    wechat.say("好的", 11401)
    wait_until(lambda: caplog.text.count("kept for the user's next message") == 2)
    assert "errcode 45015" in caplog.text
    assert f"push to {openid_hash(OPENID)}" in caplog.text
    assert PHONE not in caplog.text
    assert OPENID not in caplog.text
