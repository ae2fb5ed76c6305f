"""Hold the process's one copy of the stored KB index, loaded on first use.

Everything in a process that reads the knowledge base (the answer and finder actions, the
console, the NLU router) shares this copy: one load, one cache. Loading takes seconds (the
pickled index, and spaCy with TensorFlow imported behind it), so nothing loads it at import
time; a server warms it when it starts, or it loads on the first question.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.kb.schema import Entry
    from bot.kb.store import StoredIndex

WARM_THREAD = "kb-warm"


def _load() -> StoredIndex:
    # Imported here: importing bot.kb.store pulls in spaCy (and with it TensorFlow), seconds
    # that processes which never search should not spend.
    from bot.kb.store import load_index

    return load_index()


class IndexHolder:
    """Load the stored index once, however many threads ask for it at the same time."""

    def __init__(self, load: Callable[[], StoredIndex] = _load) -> None:
        """Hold nothing yet; ``load`` is called on the first :meth:`get`."""
        self._load = load
        self._lock = threading.Lock()
        self._stored: StoredIndex | None = None
        self._entries: dict[str, Entry] = {}

    @property
    def loaded(self) -> bool:
        """Whether the index is loaded already."""
        return self._stored is not None

    def get(self) -> StoredIndex:
        """Return the stored index, loading it on the first call (concurrent callers wait)."""
        stored = self._stored
        if stored is None:
            with self._lock:
                stored = self._stored
                if stored is None:
                    stored = self._load()
                    self._entries = {e.id: e for e in stored.index.entries}
                    self._stored = stored
        return stored

    def entries(self) -> dict[str, Entry]:
        """Map entry ids to the index's entries."""
        self.get()
        return self._entries

    def warm(self) -> None:
        """Start loading in the background, so the first question does not wait for it."""
        if self._stored is None and not self._lock.locked():
            threading.Thread(target=self.get, name=WARM_THREAD, daemon=True).start()


KB = IndexHolder()


def stored_index() -> StoredIndex:
    """Return the process's stored KB index (loaded on first use)."""
    return KB.get()
