"""The customer-service message API client (bot/rasa_ext/channels/wechat/customer_service.py)
against the local fake of WeChat's API."""

from __future__ import annotations

from collections.abc import Callable

from tests.bot.rasa_ext.channels.wechat.harness import (
    OPENID,
    Harness,
    answer_to,
)
from tests.support.fake_wechat import FakeWeChatAPI


def test_slow_answer_arrives_through_the_customer_service_api(
    make_harness: Callable[..., Harness], fake_api: FakeWeChatAPI
) -> None:
    harness = make_harness(passive_timeout_s=0.3)
    harness.bot.delay = 1.0
    assert harness.say("慢问题一", 8001).text == "success"
    [sent] = fake_api.wait_for("sent", 1)
    assert sent == {"touser": OPENID, "msgtype": "text", "text": {"content": answer_to("慢问题一")}}
    assert "慢问题一".encode() in fake_api.raw_bodies[-1]  # UTF-8, not \\u escapes

    assert harness.say("慢问题二", 8002).text == "success"
    fake_api.wait_for("sent", 2)
    assert fake_api.token_requests == 1  # the access token is cached
