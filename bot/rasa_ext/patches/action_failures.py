"""A custom action that cannot run gives the user an apology with the 12345 number.

Rasa 3.6 only logs a failed custom action — the action server down, too slow, or answering
500 — and the user is left with silence. Here ``RemoteAction.run`` turns such a failure into
the domain's ``utter_action_failed`` (once per user message), so the user knows, and the
conversation goes on when the action server is back. A rejection (a form's validation
saying no) is not a failure and passes through unchanged.

Applied when the Rasa server loads our tracker store (bot/rasa_ext/stores/tracker_store.py), so
``make run``, the tests and ``rasa shell`` all have it; only on the pinned Rasa version.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction, create_bot_utterance
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.exceptions import RasaException

from bot.rasa_ext.channels.wording import channel_wording
from bot.rasa_ext.patches.version import written_for_this_rasa

logger = logging.getLogger(__name__)

RESPONSE = "utter_action_failed"
MARK = "action_failed"  # metadata of the apology, so one user message gets one

_original_run = RemoteAction.run


def _apologised_this_turn(tracker: Any) -> bool:
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, BotUttered) and (event.metadata or {}).get(MARK):
            return True
    return False


async def _run(
    self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any
) -> list[Any]:
    """Run the custom action; on a failure, apologise instead of leaving the user in silence."""
    try:
        events: list[Any] = await _original_run(self, output_channel, nlg, tracker, domain)
        return events
    except ActionExecutionRejection:
        raise
    except RasaException as exc:
        cause = exc.__cause__ or exc
        logger.error(
            "custom action %s could not run (%s); the user was told",
            self.name(),
            type(cause).__name__,
        )
        if _apologised_this_turn(tracker):
            return []
        # The channels' own error reply only if the domain lacks the response (it has it).
        message = await nlg.generate(RESPONSE, tracker, output_channel.name()) or {
            "text": channel_wording().error
        }
        message["metadata"] = {**(message.get("metadata") or {}), MARK: True}
        return [create_bot_utterance(message)]


def apply() -> bool:
    """Wrap ``RemoteAction.run`` (once); False, with a warning, on another Rasa version."""
    if not written_for_this_rasa("action failure replies"):
        return False
    RemoteAction.run = _run  # type: ignore[method-assign]
    return True
