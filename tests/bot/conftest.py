"""Fixtures shared by the backend tests: the database (SQLite and PostgreSQL) and a clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.routing.backend import Backend, open_backend
from tests.bot.routing.conftest import FakeClock
from tests.support.postgres import PostgresServer, postgres_server


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
