"""Embed a user's message on a worker thread before the Rasa server handles it.

The Rasa server runs its NLU graph on its event loop: while one message is embedded by the
e5 featurizer (bot/embedding.py, ~15-25 ms of CPU), no other request moves. The encoder is a C
engine called through ctypes, which releases the GIL, so the same work on a thread runs beside
the event loop on the second core. Each input channel wraps the ``on_new_message`` callback
Rasa gives it with :func:`embedding_first`: the message's embedding is computed on the worker
first (bot.embedding remembers it per text), and the featurizer and the KB router then find it
instead of computing it on the loop. What the bot answers does not change: the same function
computes the same vector, only on another thread and earlier.

Every message with text is embedded, ``/intent`` payloads too: Rasa 3.6 runs the whole NLU
graph on a payload (its regex handler sets the intent at the end), so the featurizer embeds it
as well. Blank text is not: it has no tokens, and the featurizer skips it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeGuard, TypeVar

from bot import embedding

logger = logging.getLogger(__name__)

Message = TypeVar("Message")  # rasa's UserMessage; only its ``text`` is read

# One worker: the encoder serialises its calls anyway (one model, one lock).
_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embed-ahead")


def wanted(text: object) -> TypeGuard[str]:
    """Return whether the NLU graph will embed ``text`` (any text but blank text)."""
    return isinstance(text, str) and bool(text.strip())


async def embed_ahead(text: object) -> None:
    """Embed ``text`` on the worker thread, if the NLU graph will ask for its embedding."""
    if not wanted(text):
        return
    try:
        await asyncio.get_running_loop().run_in_executor(_worker, embedding.embed, text)
    except Exception as exc:  # the featurizer will try again, and report, on the loop
        logger.warning("embedding ahead failed (%s)", type(exc).__name__)


def embedding_first(
    on_new_message: Callable[[Message], Awaitable[Any]],
) -> Callable[[Message], Awaitable[Any]]:
    """Wrap a channel's ``on_new_message``: embed the message's text first, off the loop."""

    async def handle(message: Message) -> Any:
        await embed_ahead(getattr(message, "text", None))
        return await on_new_message(message)

    return handle
