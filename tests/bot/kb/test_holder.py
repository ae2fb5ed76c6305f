"""The process's one copy of the stored index (bot.kb.holder)."""

from __future__ import annotations

import threading
import time
from typing import Any

from bot.kb.holder import KB, WARM_THREAD, IndexHolder, stored_index


class FakeStored:
    """Stands in for a StoredIndex: an index with entries."""

    def __init__(self) -> None:
        entry = type("Entry", (), {"id": "one"})()
        self.index = type("Index", (), {"entries": [entry]})()


def slow_loader(calls: list[int], delay_s: float = 0.2) -> Any:
    def load() -> Any:
        calls.append(1)
        time.sleep(delay_s)
        return FakeStored()

    return load


def test_concurrent_callers_share_one_load() -> None:
    calls: list[int] = []
    holder = IndexHolder(slow_loader(calls))
    assert not holder.loaded
    got: list[Any] = []
    threads = [threading.Thread(target=lambda: got.append(holder.get())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1] and holder.loaded
    assert len({id(g) for g in got}) == 1
    assert list(holder.entries()) == ["one"]


def test_warming_loads_in_the_background_once() -> None:
    calls: list[int] = []
    holder = IndexHolder(slow_loader(calls))
    holder.warm()
    holder.warm()  # already loading: no second thread
    assert [t for t in threading.enumerate() if t.name == WARM_THREAD]
    holder.get()
    assert calls == [1]
    holder.warm()  # loaded: nothing to do
    assert calls == [1]


def test_the_process_holder_is_the_one_every_reader_gets() -> None:
    assert stored_index() is KB.get() is stored_index()
