from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import UserUtteranceReverted

from actions import handoff
from actions.fallback import TWO_STAGE_FALLBACK, ActionGiveUp
from actions.handoff import ActionRequestHuman
from bot.appeals.client import Answer, Outcome, Rejected, Unavailable
from tests.actions.test_fallback import run


class FakeClient:
    """Stands in for the service client: records handoffs, answers with one outcome."""

    def __init__(self, outcome: Outcome, made: list[tuple[str, str, str]]) -> None:
        self.outcome = outcome
        self.made = made

    def open_handoff(self, sender_id: str, channel: str, reason: str) -> Outcome:
        self.made.append((sender_id, channel, reason))
        return self.outcome


def answering(outcome: Outcome, made: list[tuple[str, str, str]] | None = None) -> Any:
    client = FakeClient(outcome, [] if made is None else made)
    return lambda: client


def tracker(channel: str | None, *, in_fallback: bool = False) -> Tracker:
    user = {"event": "user", "text": "转人工", "input_channel": channel}
    return Tracker(
        sender_id="a1b2c3",
        slots={},
        latest_message={"text": "转人工", "intent": {"name": "request_human"}},
        events=[user],
        paused=False,
        followup_action=None,
        active_loop={"name": TWO_STAGE_FALLBACK} if in_fallback else {},
        latest_action_name="action_listen",
    )


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str]]:
    made: list[tuple[str, str, str]] = []
    opened = Answer(201, {"created": True, "timeout_s": 300})
    monkeypatch.setattr(handoff, "service_client", answering(opened, made))
    return made


def responses(messages: list[dict[str, Any]]) -> list[str]:
    return [m["response"] for m in messages]


def test_asking_for_a_person_opens_a_handoff_and_says_how_long_it_may_take(
    calls: list[tuple[str, str, str]], domain: dict[str, Any]
) -> None:
    messages, events = run(ActionRequestHuman(), tracker("socketio"), domain)
    assert calls == [("a1b2c3", "socketio", "request")]
    assert responses(messages) == ["utter_handoff_opened"]
    assert messages[0]["minutes"] == 5
    assert "{minutes}" in domain["responses"]["utter_handoff_opened"][0]["text"]
    assert events == []


def test_already_waiting_unreachable_channel_and_failures(
    calls: list[tuple[str, str, str]], monkeypatch: pytest.MonkeyPatch, domain: dict[str, Any]
) -> None:
    messages, _ = run(ActionRequestHuman(), tracker("rest"), domain)
    assert responses(messages) == ["utter_handoff_unsupported_channel"] and calls == []
    waiting = Answer(200, {"created": False})
    monkeypatch.setattr(handoff, "service_client", answering(waiting))
    messages, _ = run(ActionRequestHuman(), tracker("wechat"), domain)
    assert responses(messages) == ["utter_handoff_already_waiting"]
    monkeypatch.setattr(handoff, "service_client", answering(Unavailable("HTTP 503", 503)))
    messages, _ = run(ActionRequestHuman(), tracker("wechat"), domain)
    assert responses(messages) == ["utter_handoff_failed"]
    monkeypatch.setattr(handoff, "service_client", answering(Rejected(401)))
    messages, _ = run(ActionRequestHuman(), tracker("wechat"), domain)
    assert responses(messages) == ["utter_handoff_failed"]

    refused = Unavailable("ConnectionError: refused")
    monkeypatch.setattr(handoff, "service_client", answering(refused))
    messages, _ = run(ActionRequestHuman(), tracker("socketio"), domain)
    assert responses(messages) == ["utter_handoff_failed"]
    assert "12345" in domain["responses"]["utter_handoff_failed"][0]["text"]


def test_the_second_fallback_hands_over_where_a_person_can_answer(
    calls: list[tuple[str, str, str]], domain: dict[str, Any]
) -> None:
    messages, events = run(ActionGiveUp(), tracker("socketio", in_fallback=True), domain)
    assert responses(messages) == ["utter_default_handoff", "utter_handoff_opened"]
    assert calls == [("a1b2c3", "socketio", "fallback")]
    assert events == [UserUtteranceReverted()]
    # REST (testing) and the core fallback (no two-stage loop) offer the hotline instead.
    for case in (tracker("rest", in_fallback=True), tracker("socketio")):
        messages, _ = run(ActionGiveUp(), case, domain)
        assert responses(messages) == ["utter_default"]
    assert len(calls) == 1
