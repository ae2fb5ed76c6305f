"""Answers slower than the passive window (bot/rasa_ext/channels/wechat/deferred.py): success
at once, the answer through the customer-service API, or kept for the next answer."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

import pytest

from bot.rasa_ext.channels.wechat.customer_service import DeliveryError
from bot.rasa_ext.channels.wechat.deferred import MAX_KEPT_PER_USER, Deliveries, Turn
from tests.bot.rasa_ext.channels.wechat.harness import (
    OPENID,
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


class RefusingAPI:
    """A customer-service client whose every message is refused (48-hour window)."""

    def __init__(self) -> None:
        self.tried: list[tuple[str, str]] = []

    async def send_text(self, openid: str, content: str) -> None:
        self.tried.append((openid, content))
        raise DeliveryError(45015, "response out of time limit")


def test_refused_messages_are_kept_newest_last_and_given_once() -> None:
    api = RefusingAPI()
    deliveries = Deliveries(api)  # type: ignore[arg-type]

    async def refuse_all() -> None:
        for index in range(MAX_KEPT_PER_USER + 1):
            await deliveries.send_or_keep(OPENID, f"消息{index}", "test")

    asyncio.run(refuse_all())
    assert len(api.tried) == MAX_KEPT_PER_USER + 1
    kept = [f"消息{index}" for index in range(1, MAX_KEPT_PER_USER + 1)]
    assert deliveries.with_kept(OPENID, "答复") == "\n\n".join([*kept, "答复"])
    assert deliveries.with_kept(OPENID, "答复") == "答复"
    assert deliveries.with_kept("another-user", "") == ""


def test_a_turn_is_answered_passively_or_deferred_and_sent() -> None:
    sent: list[tuple[str, str]] = []

    class API:
        async def send_text(self, openid: str, content: str) -> None:
            sent.append((openid, content))

    deliveries = Deliveries(API())  # type: ignore[arg-type]

    async def answer(delay_s: float) -> str:
        await asyncio.sleep(delay_s)
        return f"{delay_s}秒的答复"

    async def run() -> tuple[str, Turn, str, Turn]:
        fast = Turn(asyncio.ensure_future(answer(0.0)))
        fast_reply = await deliveries.passive_or_deferred(fast, 1.0, "fast", OPENID)
        slow = Turn(asyncio.ensure_future(answer(0.3)))
        slow_reply = await deliveries.passive_or_deferred(slow, 0.05, "slow", OPENID)
        await slow.task
        await asyncio.sleep(0.05)  # the deferred delivery runs after the turn
        return fast_reply, fast, slow_reply, slow

    fast_reply, fast, slow_reply, slow = asyncio.run(run())
    assert (fast_reply, fast.deferred) == ("0.0秒的答复", False)
    assert (slow_reply, slow.deferred) == ("", True)
    assert sent == [(OPENID, "0.3秒的答复")]
