"""Retention of conversations: delete old ones from the tracker store, keep anonymous figures.

The tracker store keeps raw texts and slots (phone numbers, ID numbers, names) for as long as
it keeps a conversation. This deletes conversations whose last event is older than a
configurable age, after adding their anonymous figures (per day: conversations, user
messages per intent) to a statistics table beside them.

``python -m bot.retention --older-than-days N`` (default ``CONVERSATION_RETENTION_DAYS``) on the
tracker store of the profile: SQLite ``TRACKER_DB`` (embedded) or ``TRACKER_URL`` (prod).
Rasa's table is read with SQLAlchemy only (its columns: sender_id, type_name, timestamp,
intent_name); nothing here imports Rasa. A conversation a Rasa process still holds in memory
(bot/rasa_ext/stores/tracker_store.py) is re-read from the database on its next message and
found empty, so it starts afresh.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    create_engine,
    delete,
    func,
    select,
)
from sqlalchemy.engine import Engine

from bot.settings import Settings, get_settings

DAY_S = 86_400
CONVERSATIONS = "*conversations"  # the intent column's row for the number of conversations
_metadata = MetaData()
EVENTS = Table(
    "events",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("type_name", String(255)),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
)
STATS = Table(
    "conversation_stats",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("day", Date, nullable=False),
    Column("intent", String(255), nullable=False),
    Column("count", Integer, nullable=False),
    UniqueConstraint("day", "intent", name="uq_conversation_stats_day_intent"),
)


def tracker_engine(settings: Settings) -> Engine:
    """Return an engine on the profile's tracker store."""
    url = settings.tracker_url if settings.profile == "prod" else f"sqlite:///{settings.tracker_db}"
    return create_engine(url, future=True)


def purge_conversations(
    engine: Engine, older_than_days: float, now: float | None = None
) -> dict[str, Any]:
    """Delete conversations idle for ``older_than_days``; keep their anonymous figures."""
    cutoff = (now if now is not None else time.time()) - older_than_days * DAY_S
    STATS.create(engine, checkfirst=True)
    with engine.begin() as connection:
        last = (
            select(EVENTS.c.sender_id, func.max(EVENTS.c.timestamp).label("last"))
            .group_by(EVENTS.c.sender_id)
            .subquery()
        )
        old = [
            row.sender_id
            for row in connection.execute(select(last.c.sender_id).where(last.c.last < cutoff))
        ]
        if not old:
            return {"conversations": 0, "events": 0}
        counts: Counter[tuple[Any, str]] = Counter()
        firsts: dict[str, float] = {}
        rows = connection.execute(
            select(
                EVENTS.c.sender_id, EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.intent_name
            ).where(EVENTS.c.sender_id.in_(old))
        )
        for sender, kind, stamp, intent in rows:
            firsts[sender] = min(firsts.get(sender, stamp or 0.0), stamp or 0.0)
            if kind == "user":
                day = datetime.fromtimestamp(stamp or 0.0, timezone.utc).date()
                counts[(day, intent or "unknown")] += 1
        for first in firsts.values():
            counts[(datetime.fromtimestamp(first, timezone.utc).date(), CONVERSATIONS)] += 1
        for (day, intent), count in counts.items():
            existing = connection.execute(
                select(STATS.c.id, STATS.c.count).where(
                    STATS.c.day == day, STATS.c.intent == intent
                )
            ).first()
            if existing is None:
                connection.execute(STATS.insert().values(day=day, intent=intent, count=count))
            else:
                connection.execute(
                    STATS.update()
                    .where(STATS.c.id == existing.id)
                    .values(count=existing.count + count)
                )
        deleted = connection.execute(delete(EVENTS).where(EVENTS.c.sender_id.in_(old))).rowcount
    return {"conversations": len(old), "events": int(deleted or 0)}


def main(argv: list[str] | None = None) -> int:
    """Purge old conversations from the tracker store and print what was done."""
    settings = get_settings()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--older-than-days", type=float, default=settings.conversation_retention_days
    )
    args = parser.parse_args(argv)
    result = purge_conversations(tracker_engine(settings), args.older_than_days)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
