"""Proactive messages to a WeChat user: what Rasa sends outside a user turn (human handoff).

The service adds ``bot`` events through Rasa's HTTP API
(``POST /conversations/{openid}/tracker/events?output_channel=latest&execute_side_effects=true``).
Rasa asks the channel the user last wrote through (``wechat``) for its output channel, a
:class:`WeChatPushOutput`, and hands it each message. A message renders as a turn does
(buttons become numbered options the user answers with a digit); a person's message
(``"from": "agent"`` in its metadata) is labelled (``agent_label`` in
config/channel_wording.yml). It goes through the customer-service message API; a refused one
is kept for the user's next answer (``bot.rasa_ext.channels.wechat.deferred``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel

from bot.rasa_ext.channels.wechat.render import render_turn
from bot.rasa_ext.channels.wechat.security import openid_hash
from bot.rasa_ext.channels.wording import channel_wording

logger = logging.getLogger(__name__)

# A person's message (12345 hotline staff, during a handoff) carries ``"from": AGENT_SENDER``
# in its metadata; it is labelled so the user tells it from the bot's.
AGENT_SENDER = "agent"

# (openid, text, log reference): send through the customer-service API or keep the text.
SendOrKeep = Callable[[str, str, str], Awaitable[None]]
# (openid, option payloads): what a digit in the user's next message stands for.
RememberOptions = Callable[[str, list[str]], None]


def render_push(message: dict[str, Any]) -> tuple[str, list[str]]:
    """Return one proactive message's WeChat text and the payloads of its numbered options."""
    message = dict(message)
    if not message.get("buttons") and message.get("quick_replies"):
        message["buttons"] = message["quick_replies"]  # as Rasa's turns treat them
    text, options = render_turn([message])
    if text and message.get("from") == AGENT_SENDER:
        text = channel_wording().agent_label + text
    return text, options


class WeChatPushOutput(OutputChannel):
    """Send each message at once through the customer-service API (or keep it)."""

    def __init__(self, send_or_keep: SendOrKeep, remember_options: RememberOptions) -> None:
        """Use the input channel's delivery and its table of numbered options."""
        self._send_or_keep = send_or_keep
        self._remember_options = remember_options

    @classmethod
    def name(cls) -> str:
        """Return the name Rasa uses to choose channel-specific responses."""
        return "wechat"

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Render ``message`` as one WeChat text and send it to the OpenID ``recipient_id``."""
        text, options = render_push(message)
        if text:
            self._remember_options(recipient_id, options)
        ref = f"push to {openid_hash(recipient_id)}"
        if not text:
            logger.info("WeChat %s: nothing to show on WeChat, not sent", ref)
            return
        await self._send_or_keep(recipient_id, text, ref)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Send a text (``kwargs`` may carry the message's metadata, e.g. ``from``)."""
        await self.send_response(recipient_id, {**kwargs, "text": text})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Send a text with its buttons as numbered options."""
        await self.send_response(recipient_id, {**kwargs, "text": text, "buttons": buttons})

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Send quick replies as numbered options."""
        await self.send_text_with_buttons(recipient_id, text, quick_replies, **kwargs)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Send an image's URL as text."""
        await self.send_response(recipient_id, {**kwargs, "image": image})

    async def send_attachment(self, recipient_id: str, attachment: str, **kwargs: Any) -> None:
        """Send an attachment's URL as text."""
        await self.send_response(recipient_id, {**kwargs, "attachment": attachment})

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """Send nothing for a custom payload, as in a turn (its text carries the content)."""
        await self.send_response(recipient_id, {**kwargs, "custom": json_message})
