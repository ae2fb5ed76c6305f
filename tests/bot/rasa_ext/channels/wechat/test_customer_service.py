"""The customer-service message API client (bot/rasa_ext/channels/wechat/customer_service.py)
against the local fake of WeChat's API."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from bot.rasa_ext.channels.wechat.customer_service import CustomerServiceClient, DeliveryError
from tests.bot.rasa_ext.channels.wechat.harness import (
    APP_ID,
    APP_SECRET,
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


def test_a_refused_or_unreachable_api_raises_delivery_error(fake_api: FakeWeChatAPI) -> None:
    client = CustomerServiceClient(fake_api.base_url, APP_ID, APP_SECRET)
    fake_api.refuse_errcode = 45015
    with pytest.raises(DeliveryError) as refused:
        asyncio.run(client.send_text(OPENID, "答复"))
    assert refused.value.errcode == 45015
    unreachable = CustomerServiceClient("http://127.0.0.1:9", APP_ID, APP_SECRET, timeout_s=2.0)
    with pytest.raises(DeliveryError) as failed:
        asyncio.run(unreachable.send_text(OPENID, "答复"))
    assert failed.value.errcode == -1
    no_secret = CustomerServiceClient(fake_api.base_url, APP_ID, "")
    with pytest.raises(DeliveryError, match="WECHAT_APP_SECRET"):
        asyncio.run(no_secret.send_text(OPENID, "答复"))
