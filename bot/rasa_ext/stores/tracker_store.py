"""Rasa's SQL tracker store with the active conversations kept in memory.

Profiled under load (docs/performance.md), reading a conversation back from the SQL tracker
store for every message — all its rows, JSON-decoded, every event replayed — took about a
fifth of the Rasa server's CPU, and it grows with the conversation. This store keeps the
tracker it last saved for each of the ``cache_size`` most recent conversations and hands it
back when the database still holds exactly what it saved: the number of events of the latest
session *and* the id of the newest row are compared with one aggregate query, so a message
handled by another Rasa process (prod profile), a failed turn that saved nothing, or a new
session all make it read the database as Rasa does. Writes are unchanged: every event still
goes to the database when Rasa saves.

Registered in endpoints.yml as ``bot.rasa_ext.stores.tracker_store.CachedSQLTrackerStore`` with
the same keys as Rasa's ``SQL`` store, plus ``cache_size``.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

CACHE_SIZE = 500
# Events kept in memory at most, over all cached conversations: a stored event takes about
# 2.5 kB in memory (user messages carry their whole intent ranking), so ~50 MB.
MAX_EVENTS = 20_000


class CachedSQLTrackerStore(SQLTrackerStore):
    """SQL tracker store that skips re-reading unchanged conversations."""

    def __init__(
        self,
        *args: Any,
        cache_size: int = CACHE_SIZE,
        max_events: int = MAX_EVENTS,
        **kwargs: Any,
    ) -> None:
        """Build Rasa's SQL store; keep up to ``cache_size`` trackers, ``max_events`` events."""
        super().__init__(*args, **kwargs)
        self.cache_size = int(cache_size)
        self.max_events = int(max_events)
        self._events = 0
        self._cache: OrderedDict[str, tuple[tuple[int, int], DialogueStateTracker]] = OrderedDict()

    def _stamp(self, sender_id: str) -> tuple[int, int]:
        """Return (events in the latest session, id of the newest row) from the database."""
        with self.session_scope() as session:
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
            rows = query.order_by(None).with_entities(
                sa.func.count(self.SQLEvent.id), sa.func.max(self.SQLEvent.id)
            )
            count, newest = rows.one()
        return int(count or 0), int(newest or 0)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """Return the saved tracker if the database has not changed since; else read it."""
        cached = self._cache.get(sender_id)
        if cached is not None:
            stamp, tracker = cached
            if stamp == self._stamp(sender_id) and len(tracker.events) == stamp[0]:
                self._cache.move_to_end(sender_id)
                return tracker
            self._forget(sender_id)
        return await super().retrieve(sender_id)

    def _forget(self, sender_id: str) -> None:
        entry = self._cache.pop(sender_id, None)
        if entry is not None:
            self._events -= entry[0][0]

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the new events as Rasa does, then remember the tracker and its stamp."""
        await super().save(tracker)
        stamp = self._stamp(tracker.sender_id)
        self._forget(tracker.sender_id)
        if len(tracker.events) != stamp[0]:
            # The tracker holds more than its latest session (Rasa keeps the old session's
            # events when a new one starts): the next read must come from the database.
            return
        self._cache[tracker.sender_id] = (stamp, tracker)
        self._events += stamp[0]
        while self._cache and (
            len(self._cache) > self.cache_size or self._events > self.max_events
        ):
            self._forget(next(iter(self._cache)))  # the least recently used
