"""The REST channel (testing and internal use) with input limits: Rasa's, guarded.

- A body larger than ``MAX_BODY_BYTES`` is 413; a body that is not a JSON object with a
  ``sender`` and a text ``message`` is 400 (Rasa's own channel answers such requests 500).
- Each sender gets ``RATE_LIMIT_BURST`` messages at once and ``RATE_LIMIT_PER_MINUTE`` a minute
  after that; past it, 429 with Retry-After — other senders keep being answered.
- The channel is always ``rest``: Rasa's takes ``input_channel`` from the body, so a caller
  could pose as a widget or WeChat conversation.
- Failures are logged without the message text (Rasa's logs the text).

Streaming (``?stream=true``) is not offered. Registered in credentials.yml as
``bot.rasa_ext.channels.rest.LimitedRestInput``; its name() stays ``rest`` (URL
/webhooks/rest/webhook).
"""

from __future__ import annotations

import logging
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.limits.rate import RateLimiter
from bot.rasa_ext.channels.embed_ahead import embedding_first
from bot.settings import get_settings

logger = logging.getLogger(__name__)
MAX_SENDER_CHARS = 255


class LimitedRestInput(RestInput):
    """Rasa's REST channel with body, shape and per-sender rate limits."""

    @classmethod
    def name(cls) -> str:
        """Keep Rasa's name (and so its URL)."""
        return "rest"

    def __init__(self) -> None:
        """Read the limits from the settings."""
        settings = get_settings()
        self.max_body_bytes = settings.max_body_bytes
        self.limiter = RateLimiter.from_settings(settings)

    def _refusal(self, request: Request) -> tuple[HTTPResponse | None, dict[str, Any]]:
        if len(request.body or b"") > self.max_body_bytes:
            return response.json({"error": "body too large"}, status=413), {}
        try:
            body = request.json
        except Exception:  # Sanic raises on malformed JSON
            body = None
        if not isinstance(body, dict):
            return response.json({"error": "a JSON object is expected"}, status=400), {}
        sender, text = body.get("sender"), body.get("message")
        if not isinstance(sender, str) or not sender or len(sender) > MAX_SENDER_CHARS:
            return response.json({"error": "sender: 1-255 characters"}, status=400), {}
        if not isinstance(text, str):
            return response.json({"error": "message: a text"}, status=400), {}
        if not self.limiter.allow(sender):
            headers = {"Retry-After": str(self.limiter.retry_after())}
            return response.json({"error": "too many messages"}, status=429, headers=headers), {}
        return None, body

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Define the health check and the webhook."""
        on_new_message = embedding_first(on_new_message)  # the encoder off the event loop
        webhook = Blueprint("limited_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            refused, body = self._refusal(request)
            if refused is not None:
                return refused
            collector = CollectingOutputChannel()
            metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else None
            try:
                await on_new_message(
                    UserMessage(
                        body["message"],
                        collector,
                        body["sender"],
                        input_channel=self.name(),
                        metadata=metadata,
                    )
                )
            except CancelledError:
                logger.error("REST message: the client went away before the answer")
            except Exception as exc:  # the text may hold personal data: type only
                logger.error("REST message failed (%s)", type(exc).__name__)
            return response.json(collector.messages)

        return webhook
