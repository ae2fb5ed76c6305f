"""The status check and the rating: what the user reads for each kind of client outcome."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker

from actions import appeal_status
from actions.appeal_status import ActionRateAppeal, ActionShowAppealStatus
from bot.appeals.client import Answer, NotFound, Outcome, Rejected, Unavailable
from bot.appeals.outbox.delivery import Outbox
from tests.actions.test_fallback import run

VIEW = {
    "tracking_no": "JD-20261127-0042",
    "status": "replied",
    "department": "区经委",
    "department_confirmed": True,
    "reply": "已协调修复路灯。",
    "timeline": [{"at": "2026-11-27T10:00:00+08:00", "action": "submit"}],
}


class FakeClient:
    """Stands in for the service client: records calls, answers with one outcome."""

    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome
        self.calls: list[tuple[Any, ...]] = []

    def appeal_status(self, tracking_no: str, phone_last4: str) -> Outcome:
        self.calls.append(("status", tracking_no, phone_last4))
        return self.outcome

    def rate_appeal(self, tracking_no: str, phone_last4: str, score: int, comment: str) -> Outcome:
        self.calls.append(("rate", tracking_no, phone_last4, score, comment))
        return self.outcome


def use(monkeypatch: pytest.MonkeyPatch, outcome: Outcome) -> FakeClient:
    client = FakeClient(outcome)
    monkeypatch.setattr(appeal_status, "service_client", lambda: client)
    return client


def tracker(**slots: Any) -> Tracker:
    latest = {"text": "", "intent": {"name": "check_appeal_status"}, "entities": []}
    return Tracker("u", slots, latest, [], False, None, {}, "action_listen")


def responses(messages: list[dict[str, Any]]) -> list[str | None]:
    return [m.get("response") for m in messages]


def test_status_outcomes_map_to_what_the_user_reads(
    monkeypatch: pytest.MonkeyPatch, domain: dict[str, Any]
) -> None:
    asking = tracker(status_reference="JD-20261127-0042", status_phone_last4="5678")
    client = use(monkeypatch, Answer(200, VIEW))
    messages, events = run(ActionShowAppealStatus(), asking, domain)
    assert client.calls == [("status", "JD-20261127-0042", "5678")]
    assert "JD-20261127-0042" in messages[0]["text"]
    assert next(e.get("name") for e in events if e.get("event") == "slot") == "status_reference"
    assert {"event": "followup", "name": "appeal_rating_form"} in [
        {k: e.get(k) for k in ("event", "name")} for e in events
    ]
    cases: list[tuple[Outcome, str]] = [
        (NotFound(), "utter_status_not_found"),
        (Rejected(422), "utter_status_not_found"),
        (Unavailable("HTTP 503", 503), "utter_status_unreachable"),
        (Unavailable("ConnectionError: refused"), "utter_status_unreachable"),
    ]
    for outcome, response in cases:
        use(monkeypatch, outcome)
        messages, events = run(ActionShowAppealStatus(), asking, domain)
        assert responses(messages) == [response] and events == []


def test_a_provisional_reference_is_looked_up_in_the_outbox(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, domain: dict[str, Any]
) -> None:
    box = Outbox(tmp_path / "outbox.db")
    pending = box.enqueue("key-status-00001", {"phone": "13912345678"}, "HTTP 503")
    monkeypatch.setattr(appeal_status, "outbox", lambda: box)
    client = use(monkeypatch, Answer(200, VIEW))
    asking = tracker(status_reference=pending.reference, status_phone_last4="5678")
    messages, _ = run(ActionShowAppealStatus(), asking, domain)
    assert responses(messages) == ["utter_status_provisional_pending"] and client.calls == []
    box.mark_delivered("key-status-00001", {"tracking_no": "JD-20261127-0042"}, 0.0)
    messages, _ = run(ActionShowAppealStatus(), asking, domain)
    assert client.calls == [("status", "JD-20261127-0042", "5678")]
    unknown = tracker(status_reference="TMP-22222222", status_phone_last4="5678")
    messages, _ = run(ActionShowAppealStatus(), unknown, domain)
    assert responses(messages) == ["utter_status_not_found"]


def test_rating_outcomes_map_to_what_the_user_reads(
    monkeypatch: pytest.MonkeyPatch, domain: dict[str, Any]
) -> None:
    def rate(text: str) -> Tracker:
        return tracker(
            appeal_rating=text, status_reference="JD-20261127-0042", status_phone_last4="5678"
        )

    client = use(monkeypatch, Answer(200, {"rating": 2}))
    messages, events = run(ActionRateAppeal(), rate("2 问题没解决"), domain)
    assert client.calls == [("rate", "JD-20261127-0042", "5678", 2, "问题没解决")]
    assert responses(messages) == ["utter_rating_low"]
    assert events == [{"event": "slot", "timestamp": None, "name": "appeal_rating", "value": None}]
    use(monkeypatch, Answer(200, {"rating": 5}))
    messages, _ = run(ActionRateAppeal(), rate("5"), domain)
    assert responses(messages) == ["utter_rating_thanks"]
    cases: list[tuple[Outcome, str]] = [
        (Unavailable("ConnectionError: refused"), "utter_status_unreachable"),
        (Unavailable("HTTP 503", 503), "utter_rating_failed"),
        (Rejected(409), "utter_rating_failed"),
        (NotFound(), "utter_rating_failed"),
    ]
    for outcome, response in cases:
        use(monkeypatch, outcome)
        messages, _ = run(ActionRateAppeal(), rate("4"), domain)
        assert responses(messages) == [response]
    skipped = use(monkeypatch, Answer(200, {}))
    messages, _ = run(ActionRateAppeal(), rate("跳过"), domain)
    assert responses(messages) == ["utter_rating_skipped"] and skipped.calls == []
