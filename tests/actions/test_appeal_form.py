from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import appeal_form
from actions.appeal_form import (
    CANCELLED,
    CONFIRMED,
    ActionAskAppealConfirm,
    ActionAskAppealContactName,
    ActionStartAppeal,
    ActionSubmitAppeal,
    ValidateAppealForm,
)
from bot.appeals.client import FieldProblem, ServiceClient
from bot.appeals.fields import FIELDS
from bot.appeals.outbox.delivery import Outbox, Submission
from tests.support.fresh_interpreter import run_fresh

OUTBOX_THREAD = "appeal-outbox"  # bot.appeals.outbox.delivery.DeliveryLoop
GOOD = {
    "enterprise_name": "上海嘉定示例智能科技有限公司",
    "credit_code": "91310114MA1GY5BM3N",
    "contact_name": "王晓明",
    "phone": "+8613812345678",
    "town": "安亭镇",
    "category": "other",
    "description": "厂区外面的路灯坏了半年，工人夜里下班不安全",
}


def tracker(
    text: str = "",
    slots: dict[str, Any] | None = None,
    intent: str = "file_appeal",
    conf: float = 0.9,
) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": conf}, "entities": []}
    return Tracker("u", slots or {}, latest, [], False, None, {}, "action_listen")


def slots_set(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def filled(**changes: Any) -> dict[str, Any]:
    return {**{f"appeal_{k}": v for k, v in GOOD.items()}, **changes}


def test_the_domain_asks_the_fields_in_order(domain: dict[str, Any]) -> None:
    required = domain["forms"]["appeal_form"]["required_slots"]
    assert required == [f"appeal_{f}" for f in FIELDS] + ["appeal_confirm"]


def test_start_keeps_a_told_matter_and_sets_a_fresh_key() -> None:
    dispatcher = CollectingDispatcher()
    first = slots_set(
        asyncio.run(ActionStartAppeal().run(dispatcher, tracker(GOOD["description"]), {}))
    )
    assert first["appeal_description"] == GOOD["description"]
    assert dispatcher.messages[0]["response"] == "utter_appeal_intro_prefilled"
    second = slots_set(
        asyncio.run(ActionStartAppeal().run(CollectingDispatcher(), tracker("我要投诉"), {}))
    )
    assert second["appeal_description"] is None
    assert first["appeal_key"] != second["appeal_key"]


@pytest.mark.parametrize(
    ("method", "text", "stored"),
    [
        ("validate_appeal_credit_code", "91310114ma1gy5bm3n", "91310114MA1GY5BM3N"),
        ("validate_appeal_phone", "+86 138-1234-5678", "+8613812345678"),
        ("validate_appeal_town", "南翔", "南翔镇"),
        ("validate_appeal_category", "税务", "tax"),
    ],
)
def test_fields_are_normalised(method: str, text: str, stored: str) -> None:
    result = asyncio.run(
        getattr(ValidateAppealForm(), method)(text, CollectingDispatcher(), tracker(text), {})
    )
    assert next(iter(result.values())) == stored


def test_two_failures_explain_again_and_offer_a_person() -> None:
    form = ValidateAppealForm()
    dispatcher = CollectingDispatcher()
    first = asyncio.run(form.validate_appeal_phone("12345", dispatcher, tracker("12345"), {}))
    assert first["appeal_phone"] is None and first["appeal_failures"] == {"phone": 1}
    assert "例如" in dispatcher.messages[0]["text"] and len(dispatcher.messages) == 1
    again = tracker("abc", slots={"appeal_failures": first["appeal_failures"]})
    second = asyncio.run(form.validate_appeal_phone("abc", dispatcher, again, {}))
    assert second["appeal_failures"] == {"phone": 2}
    assert dispatcher.messages[-1]["response"] == "utter_appeal_retry_help"


def test_a_policy_question_mid_form_is_answered_and_the_field_asked_again() -> None:
    dispatcher = CollectingDispatcher()
    question = tracker("人才金卡怎么申请？", intent="ask_policy", conf=0.95)
    result = asyncio.run(
        ValidateAppealForm().validate_appeal_town("人才金卡怎么申请？", dispatcher, question, {})
    )
    assert result == {"appeal_town": None}
    assert dispatcher.messages[0]["text"].endswith("第二十九条）")
    assert dispatcher.messages[-1]["response"] == "utter_appeal_resume"


def test_asking_for_a_person_mid_form_opens_a_handoff_and_the_form_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[str] = []

    async def open_handoff(dispatcher: CollectingDispatcher, _t: Tracker, reason: str) -> bool:
        opened.append(reason)
        dispatcher.utter_message(response="utter_handoff_opened", minutes=5)
        return True

    monkeypatch.setattr(appeal_form, "open_handoff", open_handoff)
    dispatcher = CollectingDispatcher()
    asking = tracker("转人工", intent="request_human", conf=0.97)
    result = asyncio.run(
        ValidateAppealForm().validate_appeal_town("转人工", dispatcher, asking, {})
    )
    assert result == {"appeal_town": None} and opened == ["request"]
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_handoff_opened",
        "utter_appeal_resume",
    ]
    # In the description it is the matter itself ("请派人来看看").
    described = asyncio.run(
        ValidateAppealForm().validate_appeal_description(
            "请派个工作人员来现场看看路灯", CollectingDispatcher(), asking, {}
        )
    )
    assert described["appeal_description"] == "请派个工作人员来现场看看路灯" and len(opened) == 1


def test_confirmation_edit_and_cancel() -> None:
    form = ValidateAppealForm()
    d = CollectingDispatcher()
    assert asyncio.run(form.validate_appeal_confirm("确认提交", d, tracker(), {})) == {
        "appeal_confirm": CONFIRMED
    }
    edit = asyncio.run(form.validate_appeal_confirm("电话填错了", d, tracker(), {}))
    assert edit == {"appeal_phone": None, "appeal_confirm": None}
    cancel = asyncio.run(form.validate_appeal_confirm("取消", d, tracker(slots=filled()), {}))
    assert cancel["appeal_cancelled"] is True and cancel["appeal_confirm"] == CANCELLED
    unclear = asyncio.run(form.validate_appeal_confirm("嗯？", d, tracker(), {}))
    assert unclear == {"appeal_confirm": None}
    assert d.messages[-1]["response"] == "utter_appeal_confirm_hint"


def test_privacy_note_once_and_summary_masks_the_phone() -> None:
    d = CollectingDispatcher()
    events = asyncio.run(ActionAskAppealContactName().run(d, tracker(), {}))
    assert [m["response"] for m in d.messages] == [
        "utter_appeal_privacy",
        "utter_ask_appeal_contact_name",
    ]
    d2 = CollectingDispatcher()
    asyncio.run(ActionAskAppealContactName().run(d2, tracker(slots=slots_set(events)), {}))
    assert [m["response"] for m in d2.messages] == ["utter_ask_appeal_contact_name"]
    d3 = CollectingDispatcher()
    asyncio.run(ActionAskAppealConfirm().run(d3, tracker(slots=filled()), {}))
    summary = d3.messages[1]["text"]
    assert "138****5678" in summary and "13812345678" not in summary and "诉求类别：其他" in summary


def test_submit_delivered_queued_and_cancelled(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[tuple[str, dict[str, Any]]] = []

    class FakeOutbox:
        def __init__(self, result: Submission) -> None:
            self.result = result

        def submit(self, client: ServiceClient, key: str, body: dict[str, Any]) -> Submission:
            sent.append((key, body))
            return self.result

    delivered = Submission(
        delivered=True,
        response={
            "tracking_no": "JD-20261127-0042",
            "status": "received",
            "proposed_department": "区经委",
            "contact_due_at": "2026-11-30T23:59:59+08:00",
            "due_at": "2026-12-18T23:59:59+08:00",
        },
        reference=None,
        rejected=False,
        error=None,
        problems=(),
        status_code=201,
    )
    monkeypatch.setattr(appeal_form, "outbox", lambda: FakeOutbox(delivered))
    d = CollectingDispatcher()
    slots = filled(appeal_confirm=CONFIRMED, appeal_key="chat-k1")
    events = asyncio.run(ActionSubmitAppeal().run(d, tracker(slots=slots), {}))
    assert sent == [("chat-k1", {**GOOD, "channel": "chat"})]
    message = d.messages[0]
    assert message["response"] == "utter_appeal_submitted"
    assert message["tracking_no"] == "JD-20261127-0042" and message["contact_due"] == "11月30日"
    assert slots_set(events)["appeal_reference"] == "JD-20261127-0042"

    queued = Submission(
        delivered=False,
        response=None,
        reference="TMP-ABCD2345",
        rejected=False,
        error="down",
        problems=(),
        status_code=None,
    )
    monkeypatch.setattr(appeal_form, "outbox", lambda: FakeOutbox(queued))
    d = CollectingDispatcher()
    events = asyncio.run(ActionSubmitAppeal().run(d, tracker(slots=slots), {}))
    assert (
        d.messages[0]["response"] == "utter_appeal_queued"
        and d.messages[0]["reference"] == "TMP-ABCD2345"
    )
    assert slots_set(events)["appeal_reference"] == "TMP-ABCD2345"

    d = CollectingDispatcher()
    sent.clear()
    asyncio.run(ActionSubmitAppeal().run(d, tracker(slots=filled(appeal_cancelled=True)), {}))
    assert sent == [] and d.messages[0]["response"] == "utter_appeal_cancelled"


def test_submit_rejected_says_what_the_service_found(
    monkeypatch: pytest.MonkeyPatch, domain: dict[str, Any]
) -> None:
    class RejectingOutbox:
        def __init__(self, problems: tuple[FieldProblem, ...]) -> None:
            self.problems = problems

        def submit(self, client: ServiceClient, key: str, body: dict[str, Any]) -> Submission:
            return Submission(
                delivered=False, rejected=True, error="HTTP 422", problems=self.problems
            )

    problems = (
        FieldProblem(("body", "phone"), "电话号码位数不对", "phone"),
        FieldProblem(("body", "town"), "没有这个街镇", "town"),
    )
    slots = filled(appeal_confirm=CONFIRMED, appeal_key="chat-k2")
    monkeypatch.setattr(appeal_form, "outbox", lambda: RejectingOutbox(problems))
    d = CollectingDispatcher()
    events = asyncio.run(ActionSubmitAppeal().run(d, tracker(slots=slots), {}))
    assert d.messages[0]["response"] == "utter_appeal_rejected"
    assert d.messages[0]["problems"] == "电话号码位数不对；没有这个街镇"
    assert "appeal_reference" not in slots_set(events)
    # Nothing said: the domain's own wording.
    monkeypatch.setattr(appeal_form, "outbox", lambda: RejectingOutbox(()))
    d = CollectingDispatcher()
    asyncio.run(ActionSubmitAppeal().run(d, tracker(slots=slots), {}))
    assert d.messages[0]["response"] == "utter_appeal_rejected_unspecified"
    text = domain["responses"]["utter_appeal_rejected_unspecified"][0]["text"]
    assert (
        text == "抱歉，登记系统没有接受这份诉求：内容不完整。请重新登记，或拨打12345市民服务热线。"
    )


def test_importing_the_form_does_not_start_the_outbox_thread(tmp_path: Path) -> None:
    """Deliveries left queued resume when the action server starts, not on import."""
    path = tmp_path / "outbox.db"
    queued = Outbox(path).submit(
        ServiceClient("http://127.0.0.1:9", timeout_s=0.5, retries=0), "chat-import-test", GOOD
    )
    assert queued.queued
    code = """
import json, threading
import actions.appeal_form

on_import = sorted(t.name for t in threading.enumerate())
actions.appeal_form.resume_pending_deliveries()
print(json.dumps({"on_import": on_import, "resumed": [t.name for t in threading.enumerate()]}))
"""
    threads = run_fresh(code, env={"OUTBOX_PATH": str(path)})
    assert OUTBOX_THREAD not in threads["on_import"]
    assert OUTBOX_THREAD in threads["resumed"]  # the check would see it
