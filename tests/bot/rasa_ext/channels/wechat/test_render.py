"""A turn as WeChat shows it (bot/rasa_ext/channels/wechat/render.py): one text, buttons as
numbered options, a digit sending the button's payload, the passive reply's XML."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import xmltodict
from wechatpy import parse_message

from bot.rasa_ext.channels.wechat.render import (
    NumberedOptions,
    chosen_option,
    escape_cdata,
    render_turn,
    reply_xml,
)
from tests.bot.rasa_ext.channels.wechat.harness import (
    ACCOUNT,
    BUTTONS,
    MENU_REPLY,
    OPENID,
    Harness,
    reply_text,
    text_xml,
)


def test_buttons_become_numbered_options_and_a_digit_sends_the_payload(wechat: Harness) -> None:
    assert reply_text(wechat.say("菜单", 6001)) == MENU_REPLY
    wechat.say("2", 6002)
    assert wechat.bot.received[-1].text == "/file_appeal"
    assert wechat.bot.received[-1].metadata["wechat_option"] == "2"
    # The options were used up by that turn: a digit is now just text.
    wechat.say("2", 6003)
    assert wechat.bot.received[-1].text == "2"
    # Full-width digits count; a number out of range does not.
    wechat.say("菜单", 6004)
    wechat.say("３", 6005)
    assert wechat.bot.received[-1].text == "/check_appeal_status"
    wechat.say("菜单", 6006)
    wechat.say("4", 6007)
    assert wechat.bot.received[-1].text == "4"


def test_options_expire(make_harness: Callable[..., Harness]) -> None:
    harness = make_harness(options_ttl_s=0.2)
    harness.say("菜单", 6101)
    time.sleep(0.4)
    harness.say("1", 6102)
    assert harness.bot.texts == ["菜单", "1"]


def test_render_turn() -> None:
    messages: list[dict[str, Any]] = [
        {"recipient_id": OPENID, "text": "第一段"},
        {"recipient_id": OPENID, "custom": {"type": "policy_answer"}},
        {"recipient_id": OPENID, "text": "第二段", "buttons": BUTTONS[:2]},
    ]
    text, options = render_turn(messages)
    assert text == "第一段\n\n第二段\n\n回复数字选择：\n1. 政策咨询\n2. 企业诉求"
    assert options == ["/ask_policy", "/file_appeal"]
    assert render_turn([{"custom": {"type": "policy_answer"}}]) == ("", [])


def test_chosen_option() -> None:
    options = ["/a", "/b"]
    assert chosen_option(" 1 ", options) == "/a"
    assert chosen_option("２", options) == "/b"
    assert chosen_option("2.", options) == "/b"
    for text in ("0", "3", "12", "一", "1 号", ""):
        assert chosen_option(text, options) is None


def test_escape_cdata() -> None:
    assert escape_cdata("a]]>b") == "a]]]]><![CDATA[>b"
    wrapped = f"<x><![CDATA[{escape_cdata('a]]>b')}]]></x>"
    assert xmltodict.parse(wrapped)["x"] == "a]]>b"


def test_numbered_options_answer_only_the_latest_message() -> None:
    options = NumberedOptions(ttl_s=60.0)
    options.remember(OPENID, ["/a", "/b"])
    assert options.take(OPENID) == ["/a", "/b"]
    assert options.take(OPENID) == []  # one message uses them up
    options.remember(OPENID, ["/a"])
    options.remember(OPENID, [])  # a message without buttons forgets the earlier ones
    assert options.take(OPENID) == []


def test_reply_xml_answers_the_sender_with_the_text() -> None:
    message = parse_message(text_xml("问题", 12001))
    doc = xmltodict.parse(reply_xml("答复]]>结束", message))["xml"]
    assert (doc["ToUserName"], doc["FromUserName"]) == (OPENID, ACCOUNT)
    assert (doc["MsgType"], doc["Content"]) == ("text", "答复]]>结束")
