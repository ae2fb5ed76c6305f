from __future__ import annotations

import asyncio
from pathlib import Path

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, text

from bot.retention import CONVERSATIONS, purge_conversations
from bot.settings import PROJECT_ROOT

NOW = 1_790_000_000.0  # 2026-09-21 UTC
DAY = 86_400


def conversation(store: SQLTrackerStore, sender: str, at: float, *texts: str) -> None:
    tracker = DialogueStateTracker(sender, store.domain.slots)
    for i, said in enumerate(texts):
        stamp = at + i
        tracker.update(
            UserUttered(said, {"name": "ask_policy", "confidence": 1.0}, timestamp=stamp)
        )
        tracker.update(ActionExecuted("action_answer_policy", timestamp=stamp))
        tracker.update(BotUttered("好的", timestamp=stamp))
    asyncio.run(store.save(tracker))


def test_old_conversations_go_and_their_figures_stay(tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    store = SQLTrackerStore(domain=domain, dialect="sqlite", db=str(db))
    conversation(store, "old-1", NOW - 200 * DAY, "我电话13812345678", "人才金卡怎么办")
    conversation(store, "old-2", NOW - 200 * DAY + 60, "增值税")
    conversation(store, "recent", NOW - 10 * DAY, "你好")
    engine = create_engine(f"sqlite:///{db}", future=True)

    result = purge_conversations(engine, older_than_days=180, now=NOW)
    assert result["conversations"] == 2 and result["events"] > 0
    with engine.connect() as connection:
        senders = {r[0] for r in connection.execute(text("SELECT DISTINCT sender_id FROM events"))}
        stats = dict(
            (r.intent, r.count)
            for r in connection.execute(text("SELECT * FROM conversation_stats"))
        )
        kept_texts = connection.execute(text("SELECT data FROM events")).all()
    assert senders == {"recent"}
    assert stats == {CONVERSATIONS: 2, "ask_policy": 3}
    assert not any("13812345678" in row.data for row in kept_texts)
    # Nothing left to purge: the figures do not change; the recent one is never touched.
    assert purge_conversations(engine, older_than_days=180, now=NOW)["conversations"] == 0
    assert asyncio.run(store.retrieve("recent")) is not None
    # A later purge adds to the same day's figures.
    conversation(store, "old-3", NOW - 200 * DAY + 120, "社保补贴")
    purge_conversations(engine, older_than_days=180, now=NOW)
    with engine.connect() as connection:
        total = connection.execute(
            text("SELECT count FROM conversation_stats WHERE intent = :i"), {"i": CONVERSATIONS}
        ).scalar()
    assert total == 3
