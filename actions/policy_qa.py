"""Answer policy questions from the knowledge base (Rasa glue; logic in bot.kb).

The Rasa process ranked the message already (bot.rasa_ext.nlu.kb_router): its ranking arrives
in the parse data and is decided here without embedding the message again.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.kb.answer import answer_payload, answer_text, choices_payload, followup_payload
from bot.kb.ask import ask
from bot.kb.followup import detect_aspect, followup_text, is_bare_followup
from bot.kb.quantities import quantity_lines
from bot.kb.schema import Entry
from bot.kb.search import Decision
from bot.kb.store import StoredIndex, load_index

ENTRY_SLOT = "kb_entry_id"
DISCLAIMER_SLOT = "policy_disclaimer_shown"


@cache
def kb() -> StoredIndex:
    """Load the knowledge-base index once per action server."""
    return load_index()


@cache
def entries_by_id() -> dict[str, Entry]:
    """Map entry ids to entries, once per action server."""
    return {e.id: e for e in kb().index.entries}


# Load at start-up, so the first question is not slow and a broken KB fails loudly.
entries_by_id()


def choice_payload(entry: Entry) -> str:
    """Button payload that asks for one entry."""
    return f'/ask_policy{{"{ENTRY_SLOT}": "{entry.id}"}}'


def entity_value(tracker: Tracker, name: str) -> str | None:
    """Return the value of entity `name` in the latest message (a button's payload sets it)."""
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == name and entity.get("value"):
            return str(entity["value"])
    return None


class ActionAnswerPolicy(Action):
    """Answer with the best entry, offer up to three, or say that nothing fits."""

    def name(self) -> str:
        """Name used in rules and the domain."""
        return "action_answer_policy"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[dict[str, Any]]:
        """Search the KB for the latest message (or answer the entry a button chose)."""
        stored = kb()
        entries = entries_by_id()
        chosen = entity_value(tracker, ENTRY_SLOT)
        if chosen in entries:
            return self._answer(dispatcher, tracker, entries[chosen])
        text = str((tracker.latest_message or {}).get("text") or "")
        if not text or text.startswith("/"):
            # The menu button, not a question yet.
            dispatcher.utter_message(response="utter_ask_policy_question")
            return []
        previous = entries.get(str(tracker.get_slot(ENTRY_SLOT) or ""))
        aspect = detect_aspect(text)
        if aspect is not None and is_bare_followup(text, stored.index.userdict):
            # "找哪个部门？" after an answer: about that entry.
            if previous is None:
                dispatcher.utter_message(response="utter_ask_which_policy")
                return []
            dispatcher.utter_message(text=followup_text(previous, aspect))
            # Which entry it was about, without the card again (the answer showed it).
            dispatcher.utter_message(json_message=followup_payload(previous, aspect.value))
            return [SlotSet(ENTRY_SLOT, previous.id)]
        message = tracker.latest_message or {}
        result = ask(stored.index, text, message.get("kb"))
        if result.decision is Decision.ANSWER:
            entry = result.selected[0].entry
            events = self._answer(dispatcher, tracker, entry, quantity_lines(text, entry.id))
            related = [h.entry for h in result.related]
            if related:
                buttons = [{"title": e.title, "payload": choice_payload(e)} for e in related]
                dispatcher.utter_message(response="utter_policy_related", buttons=buttons)
            if (message.get("route") or {}).get("offer_appeal"):
                dispatcher.utter_message(response="utter_policy_offer_appeal")
            return events
        if result.decision is Decision.CHOICES:
            options = [h.entry for h in result.selected]
            buttons = [{"title": e.title, "payload": choice_payload(e)} for e in options]
            dispatcher.utter_message(response="utter_policy_choices", buttons=buttons)
            dispatcher.utter_message(json_message=choices_payload(options))
            return []
        dispatcher.utter_message(response="utter_policy_no_match")
        return [SlotSet(ENTRY_SLOT, None)]

    @staticmethod
    def _answer(
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        entry: Entry,
        notes: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=answer_text(entry, notes or []))
        dispatcher.utter_message(json_message=answer_payload(entry, notes or []))
        events: list[dict[str, Any]] = [SlotSet(ENTRY_SLOT, entry.id)]
        if not tracker.get_slot(DISCLAIMER_SLOT):
            dispatcher.utter_message(response="utter_policy_disclaimer")
            events.append(SlotSet(DISCLAIMER_SLOT, True))
        return events
