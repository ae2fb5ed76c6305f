"""Answers that miss the passive reply: deferred turns, pushes and kept answers.

An answer not ready within ``passive_timeout_s`` (or whose request WeChat hung up on) gets
``success`` and follows through the customer-service message API. When that API refuses
(48-hour window, unverified account) the answer is kept and prepended to the user's next
answer. Messages Rasa sends outside a turn (human handoff) take the same way.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

from bot.rasa_ext.channels.wechat.cache import MAX_TRACKED, TTLCache
from bot.rasa_ext.channels.wechat.customer_service import CustomerServiceClient, DeliveryError

logger = logging.getLogger(__name__)

# Refused answers wait this long for the user's next message.
KEPT_TTL_S = 7 * 24 * 3600.0
MAX_KEPT_PER_USER = 3


@dataclass
class Turn:
    """One user message's run through Rasa, shared by WeChat's retries of that message."""

    task: asyncio.Future[str]
    # Some request answered "success": the answer goes through the API, retries get success.
    deferred: bool = False


class Deliveries:
    """Send what the passive reply cannot carry; keep what WeChat refuses for later."""

    def __init__(self, api: CustomerServiceClient) -> None:
        """Send through ``api``; kept answers and running deliveries live in memory."""
        self.api = api
        self._kept: TTLCache[str, list[str]] = TTLCache(KEPT_TTL_S, MAX_TRACKED)
        self._background: set[asyncio.Future[None]] = set()

    async def passive_or_deferred(self, turn: Turn, timeout_s: float, ref: str, openid: str) -> str:
        """Return the turn's answer if ready within ``timeout_s``; else "" and defer it."""
        try:
            reply = await asyncio.wait_for(asyncio.shield(turn.task), timeout_s)
        except asyncio.TimeoutError:
            if not turn.task.done():
                self._defer(turn, ref, openid)
                return ""
            reply = turn.task.result()
        except asyncio.CancelledError:  # WeChat hung up: the answer must still reach the user
            if not turn.task.done():
                self._defer(turn, ref, openid)
            raise
        return "" if turn.deferred else reply

    def _defer(self, turn: Turn, ref: str, openid: str) -> None:
        if turn.deferred:
            return
        turn.deferred = True
        logger.info("WeChat %s: slow answer, it follows through the API", ref)
        self._spawn(self._deliver_later(turn, ref, openid))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Future[None]:
        """Run ``coro`` as a task that outlives its caller's cancellation."""
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    async def _deliver_later(self, turn: Turn, ref: str, openid: str) -> None:
        reply = await turn.task
        if reply:
            await self.send_or_keep(openid, reply, ref)

    async def push(self, openid: str, text: str, ref: str) -> None:
        """Send or keep a message Rasa sends outside a turn."""
        # Shielded: if the HTTP API's caller hangs up, the message is still sent or kept.
        await asyncio.shield(self._spawn(self.send_or_keep(openid, text, ref)))

    async def send_or_keep(self, openid: str, text: str, ref: str) -> None:
        """Send ``text`` through the customer-service API; if that fails, keep it for later."""
        try:
            await self.api.send_text(openid, text)
        except Exception as exc:  # refused (DeliveryError) or anything unforeseen: keep it
            kept = (self._kept.get(openid) or []) + [text]
            self._kept.put(openid, kept[-MAX_KEPT_PER_USER:])
            logger.warning(
                "WeChat %s: customer-service message refused (errcode %s); kept for the "
                "user's next message",
                ref,
                exc.errcode if isinstance(exc, DeliveryError) else type(exc).__name__,
            )
        else:
            logger.info("WeChat %s: sent through the customer-service API", ref)

    def with_kept(self, openid: str, reply: str) -> str:
        """Prepend the answers the API refused earlier to ``reply`` (and forget them)."""
        kept = self._kept.pop(openid) or []
        return "\n\n".join(part for part in [*kept, reply] if part)
