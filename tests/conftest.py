"""Shared fixtures; every test (and every process a test starts) runs with telemetry off."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.appeals.service.backend import Backend, open_backend
from bot.settings import PROJECT_ROOT
from tests.bot.appeals.service.conftest import FakeClock
from tests.support.postgres import PostgresServer, postgres_server

os.environ["RASA_TELEMETRY_ENABLED"] = "false"
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# The repository keeps its own copy of the source document (see policies_kb/source/).
POLICY_SOURCE = PROJECT_ROOT / "policies_kb" / "source" / "jiading-2020-8.txt"


@pytest.fixture(scope="session")
def policy_source() -> str:
    """Return the full text of 嘉府规〔2020〕8号."""
    return Path(POLICY_SOURCE).read_text(encoding="utf-8")


# -- the appeal database on SQLite and PostgreSQL, and a clock (backend and tools tests) --


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def pg() -> Iterator[PostgresServer]:
    """One temporary PostgreSQL server for the session (Debian's binaries)."""
    with postgres_server() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same tests on SQLite (the default) and PostgreSQL (DATABASE_URL), no code change."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'appeals.db'}"
    server: PostgresServer = request.getfixturevalue("pg")
    return server.database()


@pytest.fixture
def backend(database_url: str, clock: FakeClock) -> Iterator[Backend]:
    opened = open_backend(database_url, clock=clock)
    yield opened
    opened.engine.dispose()
