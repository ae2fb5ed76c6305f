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

import requests
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.settings import get_settings

logger = logging.getLogger(__name__)

TIMEOUT_S = 10.0
# Channels that can receive an agent's messages (Rasa sends to them outside a user turn).
PUSH_CHANNELS = frozenset({"socketio", "wechat"})


def _post_handoff(sender_id: str, channel: str, reason: str) -> requests.Response:
    settings = get_settings()
    return requests.post(
        f"{settings.service_url}/api/handoffs",
        json={"sender_id": sender_id, "channel": channel, "reason": reason},
        headers={"Authorization": f"Bearer {settings.internal_token}"},
        timeout=TIMEOUT_S,
    )


async def open_handoff(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str) -> bool:
    """Open a handoff for this conversation and tell the user; False if none could be opened.

    The user always gets one message: waiting (with the time limit), already waiting, this
    channel cannot reach a person, or the service could not be reached.
    """
    channel = tracker.get_latest_input_channel() or ""
    if channel not in PUSH_CHANNELS:
        dispatcher.utter_message(response="utter_handoff_unsupported_channel")
        return False
    try:
        # requests blocks: keep the action server's event loop free meanwhile.
        reply = await asyncio.to_thread(_post_handoff, tracker.sender_id, channel, reason)
    except requests.RequestException as exc:
        logger.warning("handoff not opened: service unreachable (%s)", type(exc).__name__)
        dispatcher.utter_message(response="utter_handoff_failed")
        return False
    if reply.status_code not in (200, 201):
        logger.warning("handoff not opened: service answered %s", reply.status_code)
        dispatcher.utter_message(response="utter_handoff_failed")
        return False
    body = reply.json()
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
