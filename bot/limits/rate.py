"""Per-sender (or per-client) rate limits for the public endpoints: a token bucket per key.

Written here rather than taken from the ``limits`` package (the usual choice): every release
of it needs ``packaging`` ≥ 21, and Rasa 3.6 pins 20.9. A bucket holds ``burst`` tokens and
refills ``per_minute`` of them a minute; a request takes one or is refused. The table of keys
is bounded (least recently seen keys go first). In-process: with several processes each
keeps its own buckets (a sender's limit then applies per process).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings

MAX_KEYS = 100_000
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def client_address(peer: str, forwarded: str) -> str | None:
    """Return the address a request is limited under, or None for our own processes.

    Behind our nginx (the peer is loopback) the client is the last X-Forwarded-For entry,
    the one nginx added; a loopback peer without the header is one of our own processes
    (or a test). Otherwise the peer itself: a client cannot choose it by sending the header.
    """
    if peer in LOOPBACK:
        return (forwarded.split(",")[-1].strip() or None) if forwarded else None
    return peer or None


class RateLimiter:
    """Token buckets keyed by sender id or client address; thread-safe."""

    def __init__(
        self,
        per_minute: float,
        burst: int,
        *,
        max_keys: int = MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Allow ``burst`` requests at once and ``per_minute`` a minute after that."""
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, factor: int = 1) -> RateLimiter:
        """Return a limiter of ``factor`` times ``RATE_LIMIT_BURST`` and ``_PER_MINUTE``."""
        return cls(settings.rate_limit_per_minute * factor, settings.rate_limit_burst * factor)

    @property
    def enabled(self) -> bool:
        """Return whether the limiter limits anything (a rate of 0 turns it off)."""
        return self.rate > 0

    def allow(self, key: str) -> bool:
        """Take one token from ``key``'s bucket; False when it is empty."""
        if not self.enabled:
            return True
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            allowed = tokens >= 1.0
            self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            return allowed

    def retry_after(self) -> int:
        """Return the seconds until one token is back (for the Retry-After header)."""
        return max(1, int(1 / self.rate + 0.999)) if self.enabled else 0
