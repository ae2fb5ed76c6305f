from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.handoff.notices import load_notices
from bot.handoff.rasa_api import RasaUnavailable
from bot.handoff.service import (
    HandoffConflict,
    HandoffNotFound,
    HandoffService,
    UnsupportedChannel,
)
from bot.servicedb.tokens import Actor
from tests.bot.appeals.service.conftest import FakeClock
from tests.bot.handoff.conftest import FakeRasa

AGENT = Actor("qjw", "坐席01")
OTHER = Actor("qjw", "坐席02")
SENDER = "0f3c2a9e8b7d4c1a9e8b7d4c1a9e8b7d"
NOTICES = load_notices()


def opened(handoffs: HandoffService, rasa: FakeRasa, sender: str = SENDER) -> int:
    rasa.say(sender, "转人工")
    item, created = handoffs.open(sender, "socketio", "request")
    assert created
    return int(item["id"])


def test_a_handoff_goes_from_waiting_to_taken_and_back_to_the_bot(
    handoffs: HandoffService, rasa: FakeRasa
) -> None:
    handoff = opened(handoffs, rasa)
    [item] = handoffs.inbox(AGENT)
    assert (item["id"], item["status"], item["channel_label"]) == (
        handoff,
        "waiting",
        "网页在线咨询",
    )
    assert item["preview"] == "转人工"

    taken = handoffs.take(AGENT, handoff)
    assert taken["mine"] and taken["taken_by"] == {
        "department": "qjw",
        "name": "区经委",
        "label": "坐席01",
    }
    assert rasa.paused(SENDER)
    assert rasa.bot_texts(SENDER) == [NOTICES["taken"].text]

    rasa.say(SENDER, "我的电话是13812345678，想问高新企业认定")
    handoffs.say(AGENT, handoff, "您好，我来为您解答。")
    agent_event = rasa.conversations[SENDER][-1]
    assert agent_event["metadata"]["from"] == "agent"
    lines = handoffs.detail(AGENT, handoff)["transcript"]
    assert [line["from"] for line in lines] == ["user", "bot", "user", "agent"]
    assert "13812345678" not in lines[2]["text"] and "138****5678" in lines[2]["text"]

    ended = handoffs.end(AGENT, handoff, close=False)
    assert ended["status"] == "returned" and not ended["mine"]
    assert not rasa.paused(SENDER)
    assert rasa.bot_texts(SENDER)[-1] == NOTICES["released"].text
    assert handoffs.inbox(AGENT) == []
    assert [i["id"] for i in handoffs.inbox(AGENT, "ended")] == [handoff]


def test_one_open_handoff_per_conversation(handoffs: HandoffService, rasa: FakeRasa) -> None:
    first = opened(handoffs, rasa)
    again, created = handoffs.open(SENDER, "socketio", "fallback")
    assert not created and again["id"] == first
    handoffs.end(AGENT, first, close=True)
    later, created = handoffs.open(SENDER, "socketio", "request")
    assert created and later["id"] != first


def test_concurrent_opens_make_one_handoff(handoffs: HandoffService) -> None:
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: handoffs.open(SENDER, "wechat", "request"), range(16)))
    assert len({item["id"] for item, _ in results}) == 1
    assert sum(created for _, created in results) == 1


def test_only_one_agent_takes_it_and_only_that_agent_writes(
    handoffs: HandoffService, rasa: FakeRasa
) -> None:
    handoff = opened(handoffs, rasa)
    with pytest.raises(HandoffConflict, match="请先接入"):
        handoffs.say(AGENT, handoff, "你好")
    handoffs.take(AGENT, handoff)
    for step in (
        lambda: handoffs.take(OTHER, handoff),
        lambda: handoffs.say(OTHER, handoff, "我也来"),
        lambda: handoffs.end(OTHER, handoff, close=False),
        lambda: handoffs.end(OTHER, handoff, close=True),
    ):
        with pytest.raises(HandoffConflict, match="其他工作人员"):
            step()
    assert not handoffs.detail(OTHER, handoff)["mine"]
    assert rasa.bot_texts(SENDER) == [NOTICES["taken"].text]


def test_a_failed_rasa_call_changes_nothing(handoffs: HandoffService, rasa: FakeRasa) -> None:
    handoff = opened(handoffs, rasa)
    rasa.down = True
    with pytest.raises(RasaUnavailable):
        handoffs.take(AGENT, handoff)
    rasa.down = False
    assert handoffs.detail(AGENT, handoff)["status"] == "waiting"
    handoffs.take(AGENT, handoff)
    rasa.down = True
    with pytest.raises(RasaUnavailable):
        handoffs.end(AGENT, handoff, close=False)
    with pytest.raises(RasaUnavailable):
        handoffs.say(AGENT, handoff, "在吗")
    # The transcript is missing, the handoff is still listed and still the agent's.
    [item] = handoffs.inbox(AGENT)
    assert item["status"] == "taken" and item["preview"] == ""
    assert handoffs.detail(AGENT, handoff)["transcript_available"] is False


def test_unanswered_handoffs_expire_and_the_user_is_offered_an_appeal(
    handoffs: HandoffService, rasa: FakeRasa, clock: FakeClock
) -> None:
    waiting = opened(handoffs, rasa)
    taken = opened(handoffs, rasa, "wechat-user-1")
    handoffs.take(AGENT, taken)
    clock.advance(seconds=299)
    assert handoffs.expire_waiting() == []
    clock.advance(seconds=2)
    assert handoffs.expire_waiting() == [waiting]
    assert handoffs.expire_waiting() == []
    timeout = rasa.conversations[SENDER][-1]
    assert timeout["text"] == NOTICES["timeout"].text
    assert {"title": "提交诉求", "payload": "/file_appeal"} in timeout["data"]["buttons"]
    assert handoffs.detail(AGENT, waiting)["status"] == "expired"
    assert handoffs.detail(AGENT, taken)["status"] == "taken"
    with pytest.raises(HandoffConflict, match="超时未接入"):
        handoffs.take(AGENT, waiting)


def test_a_waiting_handoff_can_be_closed_by_any_agent(
    handoffs: HandoffService, rasa: FakeRasa
) -> None:
    handoff = opened(handoffs, rasa)
    assert handoffs.end(OTHER, handoff, close=True)["status"] == "closed"
    assert rasa.bot_texts(SENDER)[-1] == NOTICES["closed"].text


def test_channels_that_cannot_be_reached_and_unknown_ids(handoffs: HandoffService) -> None:
    for channel in ("rest", "cmdline", ""):
        with pytest.raises(UnsupportedChannel):
            handoffs.open(SENDER, channel, "request")
    with pytest.raises(HandoffNotFound):
        handoffs.detail(AGENT, 404)
