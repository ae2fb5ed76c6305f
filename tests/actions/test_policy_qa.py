from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.policy_qa import DISCLAIMER_SLOT, ENTRY_SLOT, ActionAnswerPolicy, choice_payload
from bot import embedding
from bot.kb.answer import answer_text
from bot.kb.holder import stored_index
from tests.support.fresh_interpreter import run_fresh

Messages = list[dict[str, Any]]


def tracker_for(
    text: str,
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    **parse: Any,
) -> Tracker:
    latest = {
        "text": text,
        "intent": {"name": "ask_policy", "confidence": 0.99},
        "entities": entities or [],
        **parse,
    }
    return Tracker("u", slots or {}, latest, [], False, None, {}, "action_listen")


def run(tracker: Tracker) -> tuple[Messages, list[Any]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionAnswerPolicy().run(dispatcher, tracker, {}))
    return dispatcher.messages, events


def test_confident_answer_with_payload_and_one_disclaimer() -> None:
    messages, events = run(tracker_for("生意做不下去了，公司怎么销户"))
    entry = next(
        e for e in stored_index().index.entries if e.id == "government-services-deregistration"
    )
    assert messages[0]["text"] == answer_text(entry)
    assert messages[1]["custom"]["type"] == "policy_answer"
    assert messages[1]["custom"]["entry_id"] == entry.id
    assert messages[2]["response"] == "utter_policy_disclaimer"
    assert SlotSet(ENTRY_SLOT, entry.id) in events and SlotSet(DISCLAIMER_SLOT, True) in events
    # Once per conversation: not again when the slot says it was shown.
    messages, events = run(tracker_for("公司注销要多久", slots={DISCLAIMER_SLOT: True}))
    assert all(m.get("response") != "utter_policy_disclaimer" for m in messages)
    assert SlotSet(DISCLAIMER_SLOT, True) not in events


def test_choice_button_answers_that_entry() -> None:
    entity = [{"entity": ENTRY_SLOT, "value": "human-resources-silver-card"}]
    messages, _ = run(
        tracker_for('/ask_policy{"kb_entry_id": "human-resources-silver-card"}', entity)
    )
    assert messages[1]["custom"]["entry_id"] == "human-resources-silver-card"


def force_thresholds(
    monkeypatch: pytest.MonkeyPatch, question: str, answer_above: float, choice_at: float
) -> None:
    """Set the thresholds relative to the top score of ``question``."""
    index = stored_index().index
    top = index.search(question)[0].score
    params = dataclasses.replace(
        index.params,
        answer_threshold=top + answer_above,
        choice_threshold=choice_at,
        strong_threshold=1.0,
        answer_similarity=0.0,
        choice_similarity=0.0,
    )
    monkeypatch.setattr(index, "params", params)


def test_unsure_offers_up_to_three_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    index = stored_index().index
    question = "有什么补贴"
    force_thresholds(monkeypatch, question, 0.01, min(0.05, index.search(question)[0].score))
    messages, events = run(tracker_for(question))
    assert messages[0]["response"] == "utter_policy_choices"
    buttons = messages[0]["buttons"]
    assert 1 <= len(buttons) <= 3
    payload = messages[1]["custom"]
    assert payload["type"] == "policy_choices"
    assert [o["title"] for o in payload["options"]] == [b["title"] for b in buttons]
    for option, button in zip(payload["options"], buttons, strict=True):
        entry = next(e for e in index.entries if e.id == option["entry_id"])
        assert button["payload"] == choice_payload(entry)
    assert events == []


def test_nothing_fits(monkeypatch: pytest.MonkeyPatch) -> None:
    question = "番茄炒蛋先放蛋还是先放番茄"
    top = stored_index().index.search(question)[0].score
    force_thresholds(monkeypatch, question, 0.02, top + 0.01)
    messages, events = run(tracker_for(question))
    assert [m["response"] for m in messages] == ["utter_policy_no_match"]
    assert events == [SlotSet(ENTRY_SLOT, None)]


def test_menu_button_asks_for_the_question() -> None:
    messages, _ = run(tracker_for("/ask_policy"))
    assert [m["response"] for m in messages] == ["utter_ask_policy_question"]


def test_choice_payload_is_rasa_intent_syntax(make_tracker: Callable[..., Tracker]) -> None:
    entry = stored_index().index.entries[0]
    assert choice_payload(entry) == f'/ask_policy{{"kb_entry_id": "{entry.id}"}}'


def test_entries_of_one_article_are_answered_with_related_buttons(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    question = "我们想上市"
    force_thresholds(
        monkeypatch, question, 0.01, min(0.05, stored_index().index.search(question)[0].score)
    )
    messages, _ = run(tracker_for(question))
    answered = messages[1]["custom"]["entry_id"]
    related = next(m for m in messages if m.get("response") == "utter_policy_related")
    entries = {e.id: e for e in stored_index().index.entries}
    assert related["buttons"] and all(
        b["payload"] != choice_payload(entries[answered]) for b in related["buttons"]
    )
    articles = {entries[answered].articles[0]}
    for button in related["buttons"]:
        entry = next(e for e in entries.values() if choice_payload(e) == button["payload"])
        assert entry.articles[0] in articles


def test_the_ranking_carried_with_the_message_is_used() -> None:
    """The action decides from the parse data's ranking: it does not rank the text again."""
    entry = next(e for e in stored_index().index.entries if e.id == "human-resources-gold-card")
    carried = {
        "hits": [
            {"entry_id": entry.id, "score": 0.99, "learned": 0.99, "lexical": 9.0, "semantic": 0.99}
        ],
        "named": [],
        "similarity": 0.99,
    }
    before = embedding.encoded()
    messages, _ = run(tracker_for("生意做不下去了，公司怎么销户，顺便问一句", kb=carried))
    assert messages[1]["custom"]["entry_id"] == entry.id
    assert embedding.encoded() == before  # the action server embedded nothing


def test_a_grievance_with_a_policy_answer_offers_an_appeal() -> None:
    route = {"reason": "kb_answer", "offer_appeal": True}
    messages, _ = run(tracker_for("第一次轻微违法就被罚款，这合理吗", route=route))
    offer = next(m for m in messages if m.get("response") == "utter_policy_offer_appeal")
    assert offer is not None
    messages, _ = run(tracker_for("生意做不下去了，公司怎么销户"))
    assert all(m.get("response") != "utter_policy_offer_appeal" for m in messages)


def test_importing_the_action_does_not_load_the_index() -> None:
    """The KB loads when the action server starts (or on the first question), not on import."""
    code = """
import json
from bot.kb import store

loads = []
store.load_index = lambda *a, **k: loads.append(1)
import actions.policy_qa
from bot.kb.holder import KB

print(json.dumps({"loaded": KB.loaded, "loads": len(loads)}))
"""
    assert run_fresh(code) == {"loaded": False, "loads": 0}
