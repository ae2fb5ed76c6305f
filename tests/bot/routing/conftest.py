"""A routing backend on a temporary SQLite database with a clock the test controls."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.routing.backend import Backend, open_backend
from bot.settings import Settings
from tests.support.postgres import PostgresServer, postgres_server


class FakeClock:
    """Shanghai Tuesday 2026-03-10 09:00 (a working day) unless moved."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 10, 1, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


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


BODY: dict[str, Any] = {
    "enterprise_name": "上海嘉定某某汽车零部件有限公司",
    "credit_code": "91310114MA1GY5BM3N",
    "contact_name": "王经理",
    "phone": "+8613812345678",
    "town": "安亭镇",
    "category": "construction",
    "description": "厂区外面的路灯坏了半年，工人夜里下班不安全",
    "channel": "chat",
}


def body(**changes: Any) -> dict[str, Any]:
    return {**BODY, **changes}


@contextmanager
def api_client(database_url: str, clock: FakeClock | None = None) -> Iterator[TestClient]:
    """The service app on ``database_url`` (supervision job off), optionally on a fake clock."""
    app = create_app(
        Settings(rasa_auth_token="t", database_url=database_url, supervise_interval_s=0)
    )
    if clock is not None:
        app.state.appeals.clock = clock
    with TestClient(app) as test_client:
        test_client.app_state = app.state  # type: ignore[attr-defined]
        yield test_client


def staff_token(client: TestClient, department: str) -> dict[str, str]:
    """Issue a token for ``department`` and return its Authorization header."""
    issued = client.app_state.tokens.create(department, f"test-{department}")  # type: ignore[attr-defined]
    return {"Authorization": f"Bearer {issued}"}
