"""The channel (bot/rasa_ext/channels/wechat/channel.py): passive replies, retries joining
their turn, non-text messages and events, failures, logs and registration."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from bot.rasa_ext.channels.wechat.channel import WeChatInput
from bot.rasa_ext.channels.wechat.security import openid_hash
from bot.rasa_ext.channels.wording import channel_wording
from bot.settings import PROJECT_ROOT, get_settings
from tests.bot.rasa_ext.channels.wechat.harness import (
    APP_ID,
    ERROR_TEXT,
    GREETING,
    KEY,
    OPENID,
    PHONE,
    Harness,
    answer_to,
    event_xml,
    other_xml,
    reply_text,
    text_xml,
    wait_until,
)
from tests.support.fake_wechat import FakeWeChatAPI


def test_plaintext_message_gets_a_passive_reply(wechat: Harness) -> None:
    resp = wechat.say("安亭镇有什么人才政策？", 3001)
    assert resp.headers["content-type"].startswith("application/xml")
    # One text (the policy payload is not shown on WeChat).
    assert reply_text(resp) == answer_to("安亭镇有什么人才政策？")
    [message] = wechat.bot.received
    assert (message.sender_id, message.input_channel) == (OPENID, "wechat")
    assert message.text == "安亭镇有什么人才政策？"
    assert message.message_id == "3001"
    assert message.metadata == {"msg_id": "3001", "msg_type": "text"}
    assert message.output_channel.name() == "wechat"


def test_reply_text_cannot_break_out_of_cdata(wechat: Harness) -> None:
    assert reply_text(wechat.say("a]]></Content>b", 3101)) == answer_to("a]]></Content>b")


def test_retries_of_one_message_run_through_rasa_once(wechat: Harness) -> None:
    wechat.bot.delay = 0.6
    xml, params = text_xml("重复的问题", 5001), wechat.query()

    def send(delay: float) -> requests.Response:
        time.sleep(delay)
        return wechat.post(xml, params=params)

    with ThreadPoolExecutor(3) as pool:
        responses = list(pool.map(send, [0.0, 0.15, 0.3]))
    assert [reply_text(resp) for resp in responses] == [answer_to("重复的问题")] * 3
    # A late retry gets the same answer again, still without a second run.
    assert reply_text(wechat.post(xml, params=params)) == answer_to("重复的问题")
    assert wechat.bot.texts == ["重复的问题"]


@pytest.mark.parametrize(
    ("msg_type", "fields"),
    [
        ("image", "<PicUrl><![CDATA[http://x/p.jpg]]></PicUrl><MediaId><![CDATA[m]]></MediaId>"),
        ("voice", "<MediaId><![CDATA[m]]></MediaId><Format><![CDATA[amr]]></Format>"),
        ("video", "<MediaId><![CDATA[m]]></MediaId><ThumbMediaId>t</ThumbMediaId>"),
        ("location", "<Location_X>31.38</Location_X><Location_Y>121.25</Location_Y>"),
        ("link", "<Title><![CDATA[t]]></Title><Url><![CDATA[http://x]]></Url>"),
    ],
)
def test_non_text_messages_get_the_please_type_reply(
    wechat: Harness, msg_type: str, fields: str
) -> None:
    resp = wechat.post(other_xml(msg_type, 7001, fields))
    assert (
        reply_text(resp)
        == channel_wording().non_text
        == "目前只能处理文字消息，请直接输入您的问题。"
    )
    assert wechat.bot.received == []


def test_subscribe_reaches_rasa_as_nihao(wechat: Harness) -> None:
    created = int(time.time())
    resp = wechat.post(event_xml("subscribe", created))
    assert reply_text(resp) == GREETING
    # The same event again (a retry: same FromUserName and CreateTime) is not run again.
    assert reply_text(wechat.post(event_xml("subscribe", created))) == GREETING
    [message] = wechat.bot.received
    assert (message.text, message.sender_id) == ("你好", OPENID)
    assert message.metadata == {"msg_id": None, "msg_type": "event"}


def test_unsubscribe_and_other_events_get_success(wechat: Harness) -> None:
    assert wechat.post(event_xml("unsubscribe", int(time.time()))).text == "success"
    assert wechat.post(event_xml("VIEW", int(time.time()))).text == "success"
    # An event wechatpy does not know is still an event, not a "non-text message".
    assert wechat.post(event_xml("some_future_event", int(time.time()))).text == "success"
    assert wechat.bot.received == []


def test_a_failing_turn_still_answers(wechat: Harness) -> None:
    assert reply_text(wechat.say("boom", 7101)) == ERROR_TEXT


def test_logs_carry_ids_and_openid_hashes_only(
    make_harness: Callable[..., Harness],
    fake_api: FakeWeChatAPI,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.rasa_ext.channels")
    harness = make_harness(passive_timeout_s=0.3)
    harness.say(f"我的电话是{PHONE}", 9001)
    harness.say(f"boom {PHONE}", 9002)
    harness.bot.delay = 1.0
    fake_api.refuse_errcode = 48001
    harness.say(f"慢：电话{PHONE}", 9003)
    fake_api.wait_for("refused", 1)
    wait_until(lambda: "kept for the user's next message" in caplog.text)
    assert "9001" in caplog.text and openid_hash(OPENID) in caplog.text
    assert PHONE not in caplog.text
    assert OPENID not in caplog.text


def test_credentials_yml_registers_the_channel(monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.core.run import create_http_input_channels

    monkeypatch.setenv("WECHAT_TOKEN", "token-from-env")
    monkeypatch.setenv("WECHAT_APP_ID", APP_ID)
    monkeypatch.setenv("WECHAT_ENCODING_AES_KEY", KEY)
    monkeypatch.setenv("WECHAT_PASSIVE_TIMEOUT_S", "2.5")
    get_settings.cache_clear()
    try:
        channels = create_http_input_channels(None, str(PROJECT_ROOT / "credentials.yml"))
    finally:
        get_settings.cache_clear()
    by_name = {channel.name(): channel for channel in channels}
    assert {"rest", "socketio", "wechat"} <= set(by_name)
    wechat = by_name["wechat"]
    assert isinstance(wechat, WeChatInput)
    assert wechat.url_prefix() == "wechat"
    assert (wechat.config.token, wechat.config.app_id) == ("token-from-env", APP_ID)
    assert wechat.config.passive_timeout_s == 2.5
    assert wechat.config.api_base == "https://api.weixin.qq.com"
