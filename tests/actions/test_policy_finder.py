from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.policy_finder import (
    ASK_ACTIONS,
    CANCELLED_SLOT,
    PAST_SLOT,
    SKIPPED,
    ActionListMatchingPolicies,
    ActionStartPolicyFinder,
    ValidatePolicyFinderForm,
    config,
    slot_name,
)


def tracker(text: str = "", slots: dict[str, Any] | None = None) -> Tracker:
    latest = {"text": text, "intent": {"name": "find_policies", "confidence": 0.9}, "entities": []}
    return Tracker("u", slots or {}, latest, [], False, None, {}, "action_listen")


def slots_set(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def test_the_domain_asks_the_steps_of_finder_yml(domain: dict[str, Any]) -> None:
    required = domain["forms"]["policy_finder_form"]["required_slots"]
    assert required == [slot_name(s) for s in config().steps]
    names = {a().name() for a in ASK_ACTIONS}
    assert names == {f"action_ask_{slot}" for slot in required}
    assert names <= set(domain["actions"])


def test_start_keeps_what_the_question_says() -> None:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(
        ActionStartPolicyFinder().run(dispatcher, tracker("我们是外资的汽车零部件厂，要出口"), {})
    )
    filled = slots_set(events)
    assert filled["finder_industry"] == "manufacturing"
    assert filled["finder_ownership"] == "foreign"
    assert filled["finder_activities"] == "exporting"
    assert filled["finder_size"] is None and filled[CANCELLED_SLOT] is False
    assert dispatcher.messages[0]["response"] == "utter_finder_intro"


def test_start_from_the_menu_button_fills_nothing() -> None:
    events = asyncio.run(
        ActionStartPolicyFinder().run(CollectingDispatcher(), tracker("/find_policies"), {})
    )
    filled = slots_set(events)
    assert filled[PAST_SLOT] is False
    assert all(v is None for k, v in filled.items() if k not in (CANCELLED_SLOT, PAST_SLOT))


def test_start_notes_a_question_for_past_measures() -> None:
    events = asyncio.run(
        ActionStartPolicyFinder().run(CollectingDispatcher(), tracker("往年的疫情政策有哪些"), {})
    )
    assert slots_set(events)[PAST_SLOT] is True


def test_the_list_leaves_past_measures_out_unless_asked() -> None:
    slots = {"finder_industry": "hard_hit"}
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionListMatchingPolicies().run(dispatcher, tracker(slots=slots), {}))
    text, payload = dispatcher.messages
    listed = [o["entry_id"] for o in payload["custom"]["options"]]
    assert "tax-and-funds-loss-carryforward" not in listed
    assert "属于往年的政策，没有列出" in text["text"]
    past = text["buttons"][-1]
    assert past["title"] == "往年的政策"
    assert past["payload"] == '/find_policies{"finder_past": "industry=hard_hit"}'
    asked = CollectingDispatcher()
    asyncio.run(
        ActionListMatchingPolicies().run(asked, tracker(slots={**slots, PAST_SLOT: True}), {})
    )
    text, payload = asked.messages
    listed = [o["entry_id"] for o in payload["custom"]["options"]]
    assert "tax-and-funds-loss-carryforward" in listed
    assert "没有列出" not in text["text"]
    assert all(b["title"] != "往年的政策" for b in text["buttons"])


def test_the_past_button_lists_again_with_the_same_answers() -> None:
    pressed = tracker('/find_policies{"finder_past": "industry=hard_hit;activities=none"}')
    pressed.latest_message["entities"] = [
        {"entity": "finder_past", "value": "industry=hard_hit;activities=none"}
    ]
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionStartPolicyFinder().run(dispatcher, pressed, {}))
    filled = slots_set(events)
    assert filled[PAST_SLOT] is True
    assert filled["finder_industry"] == "hard_hit" and filled["finder_activities"] == "none"
    assert filled["finder_size"] == SKIPPED  # not asked again
    assert dispatcher.messages == []


def test_validation_reads_skips_and_rejects() -> None:
    form = ValidatePolicyFinderForm()
    dispatcher = CollectingDispatcher()
    read = asyncio.run(form.validate_finder_activities("招人、研发", dispatcher, tracker(), {}))
    assert read == {"finder_activities": "hiring,rnd"}
    kept = asyncio.run(form.validate_finder_industry("logistics", dispatcher, tracker(), {}))
    assert kept == {"finder_industry": "logistics"}  # a value the start action stored
    skipped = asyncio.run(form.validate_finder_stage("不知道", dispatcher, tracker(), {}))
    assert skipped == {"finder_stage": SKIPPED}
    assert dispatcher.messages == []
    reset = asyncio.run(form.validate_finder_size(None, dispatcher, tracker(), {}))
    assert reset == {"finder_size": None} and dispatcher.messages == []  # silent
    rejected = asyncio.run(form.validate_finder_size("你好啊", dispatcher, tracker(), {}))
    assert rejected == {"finder_size": None}
    assert dispatcher.messages[0]["response"] == "utter_finder_unclear"


def test_cancel_fills_the_open_steps_and_flags_it() -> None:
    form = ValidatePolicyFinderForm()
    done = tracker(slots={"finder_industry": "manufacturing"})
    result = asyncio.run(form.validate_finder_size("取消", CollectingDispatcher(), done, {}))
    assert result[CANCELLED_SLOT] is True
    assert "finder_industry" not in result
    assert all(result[slot_name(s)] == SKIPPED for s in config().steps[1:])


def test_list_sends_text_buttons_payload_and_resets() -> None:
    slots = {"finder_industry": "logistics", "finder_size": SKIPPED, "finder_activities": "none"}
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionListMatchingPolicies().run(dispatcher, tracker(slots=slots), {}))
    text, payload = dispatcher.messages
    assert "tax-and-funds-logistics-land" in [o["entry_id"] for o in payload["custom"]["options"]]
    assert text["buttons"][0]["payload"].startswith('/ask_policy{"kb_entry_id": ')
    assert all(v in (None, False) for v in slots_set(events).values())


def test_list_after_cancel_says_so() -> None:
    dispatcher = CollectingDispatcher()
    asyncio.run(
        ActionListMatchingPolicies().run(dispatcher, tracker(slots={CANCELLED_SLOT: True}), {})
    )
    assert [m["response"] for m in dispatcher.messages] == ["utter_finder_cancelled"]
