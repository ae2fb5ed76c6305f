"""Hand the conversation to a person: open a handoff at the service and tell the user.

``action_request_human`` runs when the user asks for a person; the second fallback stage
(actions/fallback.py) opens one too. The service keeps the handoff; an agent takes it in the
console, and the agent's messages and the notices come back through Rasa's API.
"""

from __future__ import annotations

import asyncio
import logging
import math
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.appeals.client import Answer, service_client

logger = logging.getLogger(__name__)

# Channels that can receive an agent's messages (Rasa sends to them outside a user turn).
PUSH_CHANNELS = frozenset({"socketio", "wechat"})


async def open_handoff(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str) -> bool:
    """Open a handoff for this conversation and tell the user; False if none could be opened.

    The user always gets one message: waiting (with the time limit), already waiting, this
    channel cannot reach a person, or the service could not be reached.
    """
    channel = tracker.get_latest_input_channel() or ""
    if channel not in PUSH_CHANNELS:
        dispatcher.utter_message(response="utter_handoff_unsupported_channel")
        return False
    # The client blocks: keep the action server's event loop free meanwhile.
    outcome = await asyncio.to_thread(
        service_client().open_handoff, tracker.sender_id, channel, reason
    )
    if not isinstance(outcome, Answer):
        logger.warning("handoff not opened: %s", outcome)
        dispatcher.utter_message(response="utter_handoff_failed")
        return False
    body = outcome.body
    if not body.get("created"):
        dispatcher.utter_message(response="utter_handoff_already_waiting")
        return True
    minutes = max(1, math.ceil(float(body.get("timeout_s") or 60) / 60))
    dispatcher.utter_message(response="utter_handoff_opened", minutes=minutes)
    return True


class ActionRequestHuman(Action):
    """The user asked for a person."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_request_human"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[dict[str, Any]]:
        """Open the handoff and tell the user how it goes on."""
        await open_handoff(dispatcher, tracker, "request")
        return []
