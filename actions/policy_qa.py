"""Answer policy questions from the knowledge base (Rasa glue; the reply comes from bot.kb).

The Rasa process ranked the message already (its NLU pipeline's KB router): the ranking arrives
in the parse data, and bot.kb.reply decides from it without embedding the message again. This
module only turns the reply into the bot's messages and slots.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.kb.reply import Reply, ReplyKind, reply_about, reply_to
from bot.kb.schema import Entry

ENTRY_SLOT = "kb_entry_id"
DISCLAIMER_SLOT = "policy_disclaimer_shown"


def choice_payload(entry: Entry) -> str:
    """Button payload that asks for one entry."""
    return f'/ask_policy{{"{ENTRY_SLOT}": "{entry.id}"}}'


def entity_value(tracker: Tracker, name: str) -> str | None:
    """Return the value of entity `name` in the latest message (a button's payload sets it)."""
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == name and entity.get("value"):
            return str(entity["value"])
    return None


def _buttons(entries: list[Entry]) -> list[dict[str, str]]:
    return [{"title": e.title, "payload": choice_payload(e)} for e in entries]


def _utter_answer(
    dispatcher: CollectingDispatcher, tracker: Tracker, reply: Reply
) -> list[dict[str, Any]]:
    """Say the answer and its payload, and the disclaimer once per conversation."""
    dispatcher.utter_message(text=reply.text)
    dispatcher.utter_message(json_message=reply.payload)
    events: list[dict[str, Any]] = [SlotSet(ENTRY_SLOT, reply.entry_id)]
    if not tracker.get_slot(DISCLAIMER_SLOT):
        dispatcher.utter_message(response="utter_policy_disclaimer")
        events.append(SlotSet(DISCLAIMER_SLOT, True))
    return events


def utter_policy_reply(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    """Reply to the latest message as a policy question (or answer the entry a button chose).

    Shared by the answer action and the appeal form, which answers a question asked inside it.
    """
    chosen = reply_about(entity_value(tracker, ENTRY_SLOT) or "")
    if chosen is not None:
        return _utter_answer(dispatcher, tracker, chosen)
    message = tracker.latest_message or {}
    text = str(message.get("text") or "")
    if not text or text.startswith("/"):
        # The menu button, not a question yet.
        dispatcher.utter_message(response="utter_ask_policy_question")
        return []
    reply = reply_to(text, str(tracker.get_slot(ENTRY_SLOT) or ""), message.get("kb"))
    if reply.kind is ReplyKind.WHICH_POLICY:
        dispatcher.utter_message(response="utter_ask_which_policy")
        return []
    if reply.kind is ReplyKind.FOLLOWUP:
        # "找哪个部门？" after an answer: about that entry.
        dispatcher.utter_message(text=reply.text)
        dispatcher.utter_message(json_message=reply.payload)
        return [SlotSet(ENTRY_SLOT, reply.entry_id)]
    if reply.kind is ReplyKind.ANSWER:
        events = _utter_answer(dispatcher, tracker, reply)
        if reply.related:
            dispatcher.utter_message(
                response="utter_policy_related", buttons=_buttons(reply.related)
            )
        if (message.get("route") or {}).get("offer_appeal"):
            dispatcher.utter_message(response="utter_policy_offer_appeal")
        return events
    if reply.kind is ReplyKind.CHOICES:
        dispatcher.utter_message(response="utter_policy_choices", buttons=_buttons(reply.choices))
        dispatcher.utter_message(json_message=reply.payload)
        return []
    dispatcher.utter_message(response="utter_policy_no_match")
    return [SlotSet(ENTRY_SLOT, None)]


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
        return utter_policy_reply(dispatcher, tracker)
