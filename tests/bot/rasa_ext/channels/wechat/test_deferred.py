"""Answers slower than the passive window (bot/rasa_ext/channels/wechat/deferred.py): success
at once, the answer through the customer-service API, or kept for the next answer."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import pytest

from tests.bot.rasa_ext.channels.wechat.harness import (
    Harness,
    answer_to,
    reply_text,
    text_xml,
    wait_until,
)
from tests.support.fake_wechat import FakeWeChatAPI


def test_retries_of_a_slow_message_get_success(
    make_harness: Callable[..., Harness], fake_api: FakeWeChatAPI
) -> None:
    harness = make_harness(passive_timeout_s=0.3)
    harness.bot.delay = 1.2
    xml = text_xml("慢问题", 5101)
    assert harness.post(xml).text == "success"
    assert harness.post(xml).text == "success"  # a retry while the turn runs
    [sent] = fake_api.wait_for("sent", 1)
    assert harness.post(xml).text == "success"  # and one after it was sent
    time.sleep(0.3)
    assert len(fake_api.sent) == 1
    assert sent["text"]["content"] == answer_to("慢问题")
    assert harness.bot.texts == ["慢问题"]


def test_refused_answer_is_kept_and_prepended_to_the_next_one(
    make_harness: Callable[..., Harness],
    fake_api: FakeWeChatAPI,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bot.rasa_ext.channels")
    harness = make_harness(passive_timeout_s=0.3)
    fake_api.refuse_errcode = 45015
    harness.bot.delay = 1.0
    assert harness.say("慢问题", 8101).text == "success"
    fake_api.wait_for("refused", 1)
    wait_until(lambda: "kept for the user's next message" in caplog.text)

    fake_api.refuse_errcode = None
    harness.bot.delay = 0.0
    both = reply_text(harness.say("下一个问题", 8102))
    assert both == f"{answer_to('慢问题')}\n\n{answer_to('下一个问题')}"
    assert reply_text(harness.say("第三个问题", 8103)) == answer_to("第三个问题")
    assert fake_api.sent == []
