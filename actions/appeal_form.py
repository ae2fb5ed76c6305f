"""The appeal form (企业诉求): Rasa glue around bot.appeals (fields, dialogue, outbox).

file_appeal → action_start_appeal (a fresh idempotency key; the opening message may already be
the description) → appeal_form (seven fields, then a confirmation where any field can be
corrected) → action_submit_appeal (POST to the routing backend, or the durable outbox).
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from functools import cache
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.buttons import label_buttons
from actions.handoff import open_handoff
from actions.policy_qa import utter_policy_reply
from bot.appeals import fields
from bot.appeals.client import service_client
from bot.appeals.dialogue import (
    is_cancel,
    load_dialogue,
    looks_like_question,
    prefill_description,
    read_confirmation,
    summary_lines,
)
from bot.appeals.fields import FIELDS
from bot.appeals.outbox.delivery import DeliveryLoop, Outbox
from bot.appeals.status import day_label
from bot.settings import get_settings

FORM = "appeal_form"
CONFIRM_SLOT = "appeal_confirm"
KEY_SLOT = "appeal_key"
CANCELLED_SLOT = "appeal_cancelled"
FAILURES_SLOT = "appeal_failures"
PRIVACY_SLOT = "appeal_privacy_shown"
REFERENCE_SLOT = "appeal_reference"
CONFIRMED = "yes"
CANCELLED = "-"
QUESTION_INTENTS = ("ask_policy", "find_policies")
QUESTION_CONFIDENCE = 0.8
CHANNEL = "chat"
PROBLEM_SEPARATOR = "；"


def slot(field: str) -> str:
    """Return the slot of a form field."""
    return f"appeal_{field}"


_outbox_lock = threading.Lock()


@cache
def _started_outbox() -> Outbox:
    box = Outbox(get_settings().outbox_path)
    DeliveryLoop(box, service_client()).start()
    return box


def outbox() -> Outbox:
    """Return the action server's durable outbox, starting its delivery loop once."""
    with _outbox_lock:
        return _started_outbox()


def resume_pending_deliveries() -> None:
    """After a restart, deliver what an earlier run left queued (the action server's start)."""
    path = get_settings().outbox_path
    if path.exists() and Outbox(path).pending_count() > 0:
        outbox()


class ActionStartAppeal(Action):
    """Start a fresh form fill; keep the opening message as the description if it is one."""

    def name(self) -> str:
        """Name used in rules and the domain."""
        return "action_start_appeal"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Reset the form's slots and set a new idempotency key."""
        text = str((tracker.latest_message or {}).get("text") or "")
        description = prefill_description(text)
        if description is not None and not isinstance(
            fields.description(description), fields.Valid
        ):
            description = None
        events = [SlotSet(slot(f), None) for f in FIELDS]
        events += [
            SlotSet(CONFIRM_SLOT, None),
            SlotSet(KEY_SLOT, f"chat-{uuid.uuid4().hex}"),
            SlotSet(CANCELLED_SLOT, False),
            SlotSet(FAILURES_SLOT, {}),
            SlotSet(PRIVACY_SLOT, False),
        ]
        if description is not None:
            events.append(SlotSet(slot("description"), description))
            dispatcher.utter_message(response="utter_appeal_intro_prefilled")
        else:
            dispatcher.utter_message(response="utter_appeal_intro")
        return events


class ValidateAppealForm(FormValidationAction):
    """Check each field with bot.appeals.fields; answer policy questions; handle cancel/edit."""

    def name(self) -> str:
        """Name Rasa derives from the form's name."""
        return f"validate_{FORM}"

    async def _check(
        self,
        field: str,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if value is None:
            return {slot(field): None}  # a reset, not an answer
        text = str(value)
        if is_cancel(text):
            return self._cancel(tracker)
        if self._asks_for_a_person(field, tracker):
            # Open a handoff; the form goes on meanwhile (the agent sees what is typed).
            await open_handoff(dispatcher, tracker, "request")
            dispatcher.utter_message(response="utter_appeal_resume")
            return {slot(field): None}
        if self._is_policy_question(field, text, tracker):
            # Answer it, then ask the same field again.
            utter_policy_reply(dispatcher, tracker)
            dispatcher.utter_message(response="utter_appeal_resume")
            return {slot(field): None}
        result = fields.VALIDATORS[field](text)
        if isinstance(result, fields.Valid):
            return {slot(field): result.value}
        failures = dict(tracker.get_slot(FAILURES_SLOT) or {})
        failures[field] = int(failures.get(field, 0)) + 1
        dispatcher.utter_message(text=result.message)
        if failures[field] >= 2:
            dispatcher.utter_message(response="utter_appeal_retry_help")
        return {slot(field): None, FAILURES_SLOT: failures}

    @staticmethod
    def _asks_for_a_person(field: str, tracker: Tracker) -> bool:
        intent = (tracker.latest_message or {}).get("intent") or {}
        confident = float(intent.get("confidence") or 0) >= QUESTION_CONFIDENCE
        # A description may ask for someone to come and look: that is the matter itself.
        return intent.get("name") == "request_human" and confident and field != "description"

    def _is_policy_question(self, field: str, text: str, tracker: Tracker) -> bool:
        intent = (tracker.latest_message or {}).get("intent") or {}
        confident = float(intent.get("confidence") or 0) >= QUESTION_CONFIDENCE
        if intent.get("name") not in QUESTION_INTENTS or not confident:
            return False
        # A description may well be phrased as a question about the matter itself.
        return looks_like_question(text) and field != "description"

    def _cancel(self, tracker: Tracker) -> dict[str, Any]:
        """Fill every open slot so the form ends; the submit action sees the flag."""
        filled: dict[str, Any] = {
            slot(f): CANCELLED for f in FIELDS if tracker.get_slot(slot(f)) is None
        }
        return {**filled, CONFIRM_SLOT: CANCELLED, CANCELLED_SLOT: True}

    async def validate_appeal_confirm(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Confirm (also the user's agreement), correct a field, or cancel."""
        if value is None or value in (CONFIRMED, CANCELLED):
            return {CONFIRM_SLOT: value}
        answer = read_confirmation(str(value))
        if answer.kind == "confirm":
            return {CONFIRM_SLOT: CONFIRMED}
        if answer.kind == "cancel":
            return self._cancel(tracker)
        if answer.kind == "edit" and answer.field:
            # Ask that field again; the confirmation comes back afterwards.
            return {slot(answer.field): None, CONFIRM_SLOT: None}
        dispatcher.utter_message(response="utter_appeal_confirm_hint")
        return {CONFIRM_SLOT: None}


def _field_validator(field: str) -> Any:
    async def validate(
        self: ValidateAppealForm,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        return await self._check(field, value, dispatcher, tracker, domain)

    validate.__doc__ = f"Check the {field} field (bot.appeals.fields)."
    return validate


# rasa-sdk calls validate_<slot> for each slot the message filled: one per form field.
for _field in FIELDS:
    setattr(ValidateAppealForm, f"validate_{slot(_field)}", _field_validator(_field))


class ActionAskAppealContactName(Action):
    """Say why contact details are collected (once), then ask for the contact name."""

    def name(self) -> str:
        """Name Rasa looks for before asking the slot."""
        return "action_ask_appeal_contact_name"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Show the privacy note the first time only."""
        events: list[dict[str, Any]] = []
        if not tracker.get_slot(PRIVACY_SLOT):
            dispatcher.utter_message(
                response="utter_appeal_privacy",
                retention_days=get_settings().personal_data_retention_days,
            )
            events.append(SlotSet(PRIVACY_SLOT, True))
        dispatcher.utter_message(response="utter_ask_appeal_contact_name")
        return events


class ActionAskAppealTown(Action):
    """Ask for the town with the 12 towns/streets and 嘉定新城 as buttons."""

    def name(self) -> str:
        """Name Rasa looks for before asking the slot."""
        return "action_ask_appeal_town"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Send the question and the buttons from config/appeal_fields.yml."""
        towns = fields.load_field_config().towns
        dispatcher.utter_message(response="utter_ask_appeal_town", buttons=label_buttons(towns))
        return []


class ActionAskAppealCategory(Action):
    """Ask for the category with the categories as buttons."""

    def name(self) -> str:
        """Name Rasa looks for before asking the slot."""
        return "action_ask_appeal_category"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Send the question and the buttons from config/appeal_fields.yml."""
        labels = [c.label for c in fields.load_field_config().categories]
        dispatcher.utter_message(
            response="utter_ask_appeal_category", buttons=label_buttons(labels)
        )
        return []


class ActionAskAppealConfirm(Action):
    """Show what will be filed (phone masked) with confirm, edit and cancel buttons."""

    def name(self) -> str:
        """Name Rasa looks for before asking the slot."""
        return "action_ask_appeal_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Send the summary and the buttons."""
        values = {f: str(tracker.get_slot(slot(f)) or "") for f in FIELDS}
        labels = fields.load_field_config().fields
        # config/appeal_dialogue.yml: the first confirm word, edit marker and cancel word.
        words = load_dialogue()
        edit = words.edit_markers[0]
        titles = [
            words.confirm_words[0],
            *(f"{edit}{labels[f].label}" for f in FIELDS),
            words.cancel_words[0],
        ]
        buttons = label_buttons(titles)
        dispatcher.utter_message(response="utter_appeal_confirm_intro")
        dispatcher.utter_message(text="\n".join(summary_lines(values)), buttons=buttons)
        dispatcher.utter_message(response="utter_appeal_confirm_hint")
        return []


class ActionSubmitAppeal(Action):
    """Submit once per form fill; if the backend is unreachable, keep it in the outbox."""

    def name(self) -> str:
        """Name used in rules and the domain."""
        return "action_submit_appeal"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """POST to /api/appeals with the form's idempotency key and tell the user the truth."""
        reset = [SlotSet(slot(f), None) for f in FIELDS]
        reset += [SlotSet(CONFIRM_SLOT, None), SlotSet(FAILURES_SLOT, {})]
        if tracker.get_slot(CANCELLED_SLOT) or tracker.get_slot(CONFIRM_SLOT) != CONFIRMED:
            dispatcher.utter_message(response="utter_appeal_cancelled")
            return [*reset, SlotSet(CANCELLED_SLOT, False)]
        body = {f: str(tracker.get_slot(slot(f))) for f in FIELDS}
        body["channel"] = CHANNEL
        key = str(tracker.get_slot(KEY_SLOT) or f"chat-{uuid.uuid4().hex}")
        # The client blocks: keep the action server's event loop free meanwhile.
        submission = await asyncio.to_thread(outbox().submit, service_client(), key, body)
        if submission.delivered and submission.response:
            response = submission.response
            dispatcher.utter_message(
                response="utter_appeal_submitted",
                tracking_no=response["tracking_no"],
                department=response["proposed_department"],
                contact_due=day_label(str(response["contact_due_at"])),
                due=day_label(str(response["due_at"])),
            )
            return [*reset, SlotSet(REFERENCE_SLOT, response["tracking_no"])]
        if submission.rejected:
            problems = PROBLEM_SEPARATOR.join(p.message for p in submission.problems if p.message)
            if problems:
                dispatcher.utter_message(response="utter_appeal_rejected", problems=problems)
            else:
                dispatcher.utter_message(response="utter_appeal_rejected_unspecified")
            return reset
        dispatcher.utter_message(response="utter_appeal_queued", reference=submission.reference)
        return [*reset, SlotSet(REFERENCE_SLOT, submission.reference)]
