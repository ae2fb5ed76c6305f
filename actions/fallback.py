"""The two-stage fallback in Chinese: ask to rephrase with likely intents, then offer 12345.

Unusable input (empty, too long, markup, emoji only, English) gets its specific reply at
either stage, so a user who sends two such messages is told each time what to change.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.handoff import PUSH_CHANNELS, open_handoff
from bot.fallback import likely_intents, problem_response
from bot.input_guard import MAX_MESSAGE_CHARS, assess

OPTION_PREFIX = "utter_option_"
TWO_STAGE_FALLBACK = "action_two_stage_fallback"


def _option_labels(domain: DomainDict) -> dict[str, str]:
    """Map intent -> button label, from the domain's ``utter_option_<intent>`` responses."""
    labels: dict[str, str] = {}
    for name, variants in domain.get("responses", {}).items():
        if name.startswith(OPTION_PREFIX) and variants:
            labels[name[len(OPTION_PREFIX) :]] = variants[0].get("text", "")
    return labels


def _reply_to_unusable_input(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Send the specific reply if the latest message is unusable; True if it was."""
    problem = assess((tracker.latest_message or {}).get("text"))
    if problem is None:
        return False
    dispatcher.utter_message(response=problem_response(problem), max_chars=MAX_MESSAGE_CHARS)
    return True


class ActionAskRephraseWithOptions(Action):
    """First stage: ask to rephrase in Chinese, offering the likely intents as buttons.

    Replaces Rasa's English "Did you mean ...?".
    """

    def name(self) -> str:
        """Override Rasa's built-in affirmation step of the two-stage fallback."""
        return "action_default_ask_affirmation"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[dict[str, Any]]:
        """Send the rephrase request with buttons, or the reply for unusable input."""
        if _reply_to_unusable_input(dispatcher, tracker):
            return []
        labels = _option_labels(domain)
        ranking = (tracker.latest_message or {}).get("intent_ranking") or []
        options = likely_intents(ranking, labels)
        buttons = [{"title": labels[name], "payload": f"/{name}"} for name in options]
        dispatcher.utter_message(response="utter_ask_rephrase_with_options", buttons=buttons)
        return []


class ActionGiveUp(Action):
    """Second stage: hand the conversation to a person; core fallback: offer 12345.

    After two messages the bot could not place (the two-stage fallback gives up), a person
    is asked to take over where the channel can reach the user; elsewhere (REST, the shell)
    and for the core fallback the reply offers the 12345 hotline.
    """

    def name(self) -> str:
        """Override Rasa's built-in default fallback."""
        return "action_default_fallback"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[dict[str, Any]]:
        """Hand over (or send utter_default, or the unusable-input reply); forget the message."""
        if _reply_to_unusable_input(dispatcher, tracker):
            return [UserUtteranceReverted()]
        gave_up = (tracker.active_loop or {}).get("name") == TWO_STAGE_FALLBACK
        if gave_up and tracker.get_latest_input_channel() in PUSH_CHANNELS:
            dispatcher.utter_message(response="utter_default_handoff")
            await open_handoff(dispatcher, tracker, "fallback")
        else:
            dispatcher.utter_message(response="utter_default")
        return [UserUtteranceReverted()]
