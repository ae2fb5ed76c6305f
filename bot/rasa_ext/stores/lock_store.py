"""Rasa's Redis lock store with its ticket updates made atomic (prod profile).

Rasa 3.6's lock store changes a conversation's ticket list by reading it, changing it and
writing it back, with nothing in between: two Rasa processes taking a message of the same
conversation at the same moment could both draw the first ticket, both run, and one
message's events were then lost when both saved (seen in tests/integration/
test_prod_profile.py: two messages at once on two processes). Here every such change holds a
short Redis mutex for that conversation (redis-py's ``Lock``), so tickets are drawn one at a
time and the messages are handled one after the other.

Registered in endpoints.prod.yml as ``bot.rasa_ext.stores.lock_store.AtomicRedisLockStore`` with
the keys of Rasa's ``redis`` lock store.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

MUTEX_TIMEOUT_S = 10.0


class AtomicRedisLockStore(RedisLockStore):
    """Redis lock store whose ticket changes are atomic across processes."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        """Connect as Rasa's ``redis`` lock store does (Rasa passes custom stores the config)."""
        super().__init__(host=endpoint_config.url, **endpoint_config.kwargs)

    @contextmanager
    def _mutex(self, conversation_id: str) -> Iterator[None]:
        with self.red.lock(
            f"{self.key_prefix}mutex:{conversation_id}",
            timeout=MUTEX_TIMEOUT_S,
            blocking_timeout=MUTEX_TIMEOUT_S,
        ):
            yield

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Draw the next ticket (atomically)."""
        with self._mutex(conversation_id):
            return int(super().issue_ticket(conversation_id, lock_lifetime))

    def update_lock(self, conversation_id: str) -> None:
        """Drop expired tickets (atomically)."""
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Hand in a ticket, removing the lock if nobody waits (atomically)."""
        with self._mutex(conversation_id):
            super().cleanup(conversation_id, ticket_number)
