from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_ext.stores.tracker_store import CachedSQLTrackerStore
from bot.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


def store(cls: type[SQLTrackerStore], db: Path, domain: Domain, **kwargs: int) -> SQLTrackerStore:
    return cls(domain=domain, dialect="sqlite", db=str(db), **kwargs)


def turn(tracker: DialogueStateTracker, text: str) -> None:
    tracker.update(UserUttered(text, {"name": "greet", "confidence": 1.0}))
    tracker.update(ActionExecuted("utter_greet"))
    tracker.update(BotUttered("您好"))
    tracker.update(ActionExecuted("action_listen"))


def texts(tracker: DialogueStateTracker | None) -> list[str]:
    assert tracker is not None
    return [e.text for e in tracker.events if isinstance(e, UserUttered)]


def test_an_unchanged_conversation_comes_from_memory(tmp_path: Path, domain: Domain) -> None:
    cached = store(CachedSQLTrackerStore, tmp_path / "t.db", domain)
    tracker = DialogueStateTracker("u1", domain.slots)
    turn(tracker, "你好")
    asyncio.run(cached.save(tracker))
    again = asyncio.run(cached.retrieve("u1"))
    assert again is tracker
    # What Rasa's own store reads from the same database is the same conversation.
    plain = asyncio.run(store(SQLTrackerStore, tmp_path / "t.db", domain).retrieve("u1"))
    assert plain is not None and list(plain.events) == list(tracker.events)


def test_another_process_s_messages_and_failed_turns_are_read_from_the_database(
    tmp_path: Path, domain: Domain
) -> None:
    first = store(CachedSQLTrackerStore, tmp_path / "t.db", domain)
    second = store(CachedSQLTrackerStore, tmp_path / "t.db", domain)
    tracker = DialogueStateTracker("u2", domain.slots)
    turn(tracker, "第一句")
    asyncio.run(first.save(tracker))
    # Another Rasa process answers the next message.
    other = asyncio.run(second.retrieve("u2"))
    assert other is not None and other is not tracker
    turn(other, "第二句")
    asyncio.run(second.save(other))
    assert texts(asyncio.run(first.retrieve("u2"))) == ["第一句", "第二句"]
    # A turn that failed before saving leaves the cached tracker ahead of the database.
    mine = asyncio.run(first.retrieve("u2"))
    assert mine is not None
    turn(mine, "没保存")
    assert texts(asyncio.run(first.retrieve("u2"))) == ["第一句", "第二句"]


def test_a_new_session_and_the_size_limit(tmp_path: Path, domain: Domain) -> None:
    cached = store(CachedSQLTrackerStore, tmp_path / "t.db", domain, cache_size=2)
    tracker = DialogueStateTracker("u3", domain.slots)
    turn(tracker, "旧会话")
    asyncio.run(cached.save(tracker))
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    turn(tracker, "新会话")
    asyncio.run(cached.save(tracker))
    # Like Rasa's store: only the latest session comes back.
    assert texts(asyncio.run(cached.retrieve("u3"))) == ["新会话"]
    for sender in ("a", "b", "c"):
        other = DialogueStateTracker(sender, domain.slots)
        turn(other, sender)
        asyncio.run(cached.save(other))
    assert list(cached._cache) == ["b", "c"]
    assert texts(asyncio.run(cached.retrieve("a"))) == ["a"]


def test_the_events_kept_in_memory_are_bounded(tmp_path: Path, domain: Domain) -> None:
    cached = store(CachedSQLTrackerStore, tmp_path / "t.db", domain, max_events=10)
    for sender in ("a", "b", "c"):
        tracker = DialogueStateTracker(sender, domain.slots)
        turn(tracker, sender)  # 4 events each
        asyncio.run(cached.save(tracker))
    assert list(cached._cache) == ["b", "c"] and cached._events == 8
    big = DialogueStateTracker("d", domain.slots)
    for i in range(3):
        turn(big, f"d{i}")  # 12 events: more than the bound, not kept
    asyncio.run(cached.save(big))
    assert "d" not in cached._cache and cached._events <= 10
    assert texts(asyncio.run(cached.retrieve("d"))) == ["d0", "d1", "d2"]
