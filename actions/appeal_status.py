"""Appeal progress and rating in the chat: Rasa glue around bot.appeals.status.

check_appeal_status → action_start_status_check (takes the number from the message) →
appeal_status_form (number, phone's last four digits) → action_show_appeal_status; after a
reply it opens appeal_rating_form → action_rate_appeal.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.appeal_form import outbox
from bot.appeals.client import Answer, NotFound, Rejected, Unavailable, service_client
from bot.appeals.outbox.references import REFERENCE_PREFIX
from bot.appeals.status import (
    find_reference,
    load_status_config,
    read_last4,
    read_rating,
    status_text,
    wants_rating,
)

REFERENCE_SLOT = "status_reference"
LAST4_SLOT = "status_phone_last4"
RATING_SLOT = "appeal_rating"
RATING_FORM = "appeal_rating_form"


def rating_buttons() -> list[dict[str, str]]:
    """Return the rating question's buttons (config/appeal_status.yml): scores, then skip."""
    config = load_status_config()
    skip = config.skip_words[0]
    buttons = [{"title": t, "payload": str(score)} for score, t in config.rating_buttons.items()]
    return [*buttons, {"title": skip, "payload": skip}]


class ActionStartStatusCheck(Action):
    """Take the tracking number from the message, or the one filed in this conversation."""

    def name(self) -> str:
        """Name used in rules and the domain."""
        return "action_start_status_check"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Prefill the reference; the phone's last four digits are always asked."""
        text = str((tracker.latest_message or {}).get("text") or "")
        reference = find_reference(text) or tracker.get_slot("appeal_reference")
        return [SlotSet(REFERENCE_SLOT, reference), SlotSet(LAST4_SLOT, None)]


class ValidateAppealStatusForm(FormValidationAction):
    """Read the reference and the last four digits; explain what is expected otherwise."""

    def name(self) -> str:
        """Name Rasa derives from the form's name."""
        return "validate_appeal_status_form"

    async def validate_status_reference(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Check the tracking number (JD-YYYYMMDD-NNNN) or provisional reference (TMP-…)."""
        if value is None:
            return {REFERENCE_SLOT: None}
        reference = find_reference(str(value))
        if reference is None:
            dispatcher.utter_message(response="utter_status_reference_invalid")
        return {REFERENCE_SLOT: reference}

    async def validate_status_phone_last4(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Check the four digits."""
        if value is None:
            return {LAST4_SLOT: None}
        last4 = read_last4(str(value))
        if last4 is None:
            dispatcher.utter_message(response="utter_status_last4_invalid")
        return {LAST4_SLOT: last4}


class ActionShowAppealStatus(Action):
    """Show status, timeline and due date; a wrong pair looks like an unknown number."""

    def name(self) -> str:
        """Name used in rules and the domain."""
        return "action_show_appeal_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Look the appeal up (through the outbox for a provisional reference)."""
        reference = str(tracker.get_slot(REFERENCE_SLOT) or "")
        last4 = str(tracker.get_slot(LAST4_SLOT) or "")
        if reference.startswith(REFERENCE_PREFIX):
            entry = await asyncio.to_thread(outbox().lookup, reference)
            if entry is None:
                dispatcher.utter_message(response="utter_status_not_found")
                return []
            if entry.status == "rejected":
                dispatcher.utter_message(response="utter_status_provisional_rejected")
                return []
            if not entry.tracking_no:
                dispatcher.utter_message(response="utter_status_provisional_pending")
                return []
            reference = entry.tracking_no
        # The client blocks: keep the action server's event loop free meanwhile.
        outcome = await asyncio.to_thread(service_client().appeal_status, reference, last4)
        if isinstance(outcome, (NotFound, Rejected)):
            # Rejected: a malformed number or last4, which no appeal has.
            dispatcher.utter_message(response="utter_status_not_found")
            return []
        if not isinstance(outcome, Answer):
            dispatcher.utter_message(response="utter_status_unreachable")
            return []
        view = outcome.body
        dispatcher.utter_message(text=status_text(view))
        events: list[dict[str, Any]] = [SlotSet(REFERENCE_SLOT, view["tracking_no"])]
        if wants_rating(view):
            events += [SlotSet(RATING_SLOT, None), FollowupAction(RATING_FORM)]
        return events


class ActionAskAppealRating(Action):
    """Ask for a 1-5 rating of the reply, with buttons."""

    def name(self) -> str:
        """Name Rasa looks for before asking the slot."""
        return "action_ask_appeal_rating"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Send the question and the buttons."""
        dispatcher.utter_message(response="utter_ask_appeal_rating", buttons=rating_buttons())
        return []


class ValidateAppealRatingForm(FormValidationAction):
    """Read 「5」「满意」「2 问题没解决」 or 「跳过」."""

    def name(self) -> str:
        """Name Rasa derives from the form's name."""
        return f"validate_{RATING_FORM}"

    async def validate_appeal_rating(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Keep the raw reply once it reads as a rating or a skip."""
        if value is None:
            return {RATING_SLOT: None}
        rating = read_rating(str(value))
        if rating.score is None and not rating.skipped:
            dispatcher.utter_message(response="utter_rating_unclear")
            return {RATING_SLOT: None}
        return {RATING_SLOT: str(value)}


class ActionRateAppeal(Action):
    """Send the rating to the routing backend; 1-2 reopens the appeal for 区经委 review."""

    def name(self) -> str:
        """Name used in rules and the domain."""
        return "action_rate_appeal"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """POST the rating with the phone's last four digits."""
        rating = read_rating(str(tracker.get_slot(RATING_SLOT) or ""))
        done = [SlotSet(RATING_SLOT, None)]
        if rating.score is None:
            dispatcher.utter_message(response="utter_rating_skipped")
            return done
        outcome = await asyncio.to_thread(
            service_client().rate_appeal,
            str(tracker.get_slot(REFERENCE_SLOT) or ""),
            str(tracker.get_slot(LAST4_SLOT) or ""),
            rating.score,
            rating.comment[:500],
        )
        if isinstance(outcome, Unavailable) and not outcome.answered:
            dispatcher.utter_message(response="utter_status_unreachable")
            return done
        if not isinstance(outcome, Answer):
            # The service answered but did not take it (refused, 5xx …): sent once only.
            dispatcher.utter_message(response="utter_rating_failed")
            return done
        if rating.score <= 2:
            dispatcher.utter_message(response="utter_rating_low")
        else:
            dispatcher.utter_message(response="utter_rating_thanks")
        return done
