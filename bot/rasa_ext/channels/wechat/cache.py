"""The bounded in-memory tables of the WeChat channel (turns, numbered options, kept answers)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

MAX_TRACKED = 10_000  # bound of each in-memory table (turns, options, kept answers)

K = TypeVar("K")
V = TypeVar("V")


class TTLCache(Generic[K, V]):
    """A dict whose entries expire after ``ttl_s`` and which keeps at most ``max_items``.

    In-process only: with several Rasa processes behind a load balancer a retry may reach
    another process, so deduplication, options and kept replies need a shared store there
    (e.g. Redis; issue 6).
    """

    def __init__(
        self, ttl_s: float, max_items: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl_s, self.max_items, self._clock = ttl_s, max_items, clock
        self._items: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def _expire(self) -> None:
        now = self._clock()
        while self._items:
            key, (expires, _) = next(iter(self._items.items()))
            if expires > now and len(self._items) <= self.max_items:
                break
            del self._items[key]

    def get(self, key: K) -> V | None:
        """Return the live value of ``key``, or None."""
        self._expire()
        item = self._items.get(key)
        return item[1] if item else None

    def put(self, key: K, value: V) -> None:
        """Store ``value`` under ``key`` for ``ttl_s`` (the oldest entries go when full)."""
        self._items.pop(key, None)
        self._items[key] = (self._clock() + self.ttl_s, value)
        self._expire()

    def pop(self, key: K) -> V | None:
        """Remove ``key`` and return its live value, or None."""
        self._expire()
        item = self._items.pop(key, None)
        return item[1] if item else None

    def __len__(self) -> int:
        self._expire()
        return len(self._items)
