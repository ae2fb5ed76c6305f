"""What the public chat channels (widget, WeChat) limit, and how they tell the user.

- Messages per sender: each sender (and each widget connection) gets ``RATE_LIMIT_BURST``
  messages at once and ``RATE_LIMIT_PER_MINUTE`` a minute after that (``bot.limits.rate``).
  Past it the message is not handled and the user is asked to slow down (``slow_down`` in
  config/channel_wording.yml, ``bot.rasa_ext.channels.wording``); other senders are
  answered as usual. The REST channel answers 429 instead (``bot.rasa_ext.channels.rest``).
- Per client address (widget): ``CLIENT_FACTOR`` times as much — an office's staff share one
  address — for messages and for new connections, so that reconnecting or starting fresh
  sessions does not reset a flood's budget.
- Size: a widget message larger than ``MAX_BODY_BYTES`` closes its connection (the socket.io
  server's buffer limit); WeChat's channel refuses bodies over 64 KiB.
- Buttons: a bot message offers at most ``MAX_BUTTONS``; any past it are dropped (and
  logged), so a list that grows by mistake cannot flood a phone screen. The configured lists
  are checked against the same limit when they are loaded.

No Rasa imports: the channels and their tests share it.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.input_guard import MAX_BUTTONS
from bot.limits.rate import RateLimiter
from bot.settings import get_settings

logger = logging.getLogger(__name__)

CLIENT_FACTOR = 10


def sender_limiter() -> RateLimiter:
    """Return a limiter with the configured per-sender rate."""
    return RateLimiter.from_settings(get_settings())


def client_limiter() -> RateLimiter:
    """Return a limiter per client address: ``CLIENT_FACTOR`` times the per-sender rate."""
    return RateLimiter.from_settings(get_settings(), CLIENT_FACTOR)


def capped_buttons(message: dict[str, Any]) -> dict[str, Any]:
    """Return the message with at most ``MAX_BUTTONS`` buttons and quick replies."""
    capped = message
    for key in ("buttons", "quick_replies"):
        items = message.get(key)
        if isinstance(items, list) and len(items) > MAX_BUTTONS:
            logger.warning("bot message with %d %s: %d kept", len(items), key, MAX_BUTTONS)
            capped = {**capped, key: items[:MAX_BUTTONS]}
    return capped
