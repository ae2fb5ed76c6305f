"""A KB index built once per test session from the real knowledge base."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bot.kb.glossary import KB_DIR
from bot.kb.schema import STATUS_FILE, Entry, load_entries
from bot.kb.status import DocumentStatus, Status, current_status, write_status
from bot.kb.store import StoredIndex, load_index
from bot.settings import get_settings


@pytest.fixture(scope="session")
def kb_entries() -> dict[str, Entry]:
    return {e.id: e for e in load_entries(KB_DIR)}


@pytest.fixture(scope="session")
def stored() -> StoredIndex:
    return load_index()


@pytest.fixture()
def expired_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DocumentStatus]:
    """Record the source document as expired (in a copy of status.yml the settings point at)."""
    path = tmp_path / "status.yml"
    shutil.copy(KB_DIR / STATUS_FILE, path)
    record = DocumentStatus(
        "嘉府规〔2020〕8号",
        Status.EXPIRED,
        expired_on=date(2025, 10, 25),
        verified_on=date(2026, 12, 1),
        verified_where="区政府网站",
    )
    write_status(path, record)
    monkeypatch.setenv("KB_STATUS_FILE", str(path))
    get_settings.cache_clear()
    current_status.cache_clear()
    yield record
    get_settings.cache_clear()
    current_status.cache_clear()
