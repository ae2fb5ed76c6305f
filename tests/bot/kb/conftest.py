"""A KB index built once per test session from the real knowledge base."""

from __future__ import annotations

import pytest

from bot.kb.glossary import KB_DIR
from bot.kb.schema import Entry, load_entries
from bot.kb.store import StoredIndex, load_index


@pytest.fixture(scope="session")
def kb_entries() -> dict[str, Entry]:
    return {e.id: e for e in load_entries(KB_DIR)}


@pytest.fixture(scope="session")
def stored() -> StoredIndex:
    return load_index()
