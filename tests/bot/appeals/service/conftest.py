"""An appeal backend on a temporary SQLite database with a clock the test controls."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

from fastapi.testclient import TestClient

from bot.app import create_app
from bot.appeals.service.backend import Backend
from bot.servicedb.tokens import Actor
from bot.settings import Settings


class FakeClock:
    """Shanghai Tuesday 2026-03-10 09:00 (a working day) unless moved."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 10, 1, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


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


JW, BUILD, TAX, ANTING = Actor("qjw"), Actor("construction"), Actor("tax"), Actor("anting")


def body(**changes: Any) -> dict[str, Any]:
    return {**BODY, **changes}


def file(backend: Backend, key: str = "key-0001", **changes: object) -> str:
    response, created = backend.appeals.create(key, body(**changes))
    assert created
    return str(response["tracking_no"])


@contextmanager
def api_client(database_url: str, clock: FakeClock | None = None) -> Iterator[TestClient]:
    """The service app on ``database_url`` (supervision job off), optionally on a fake clock."""
    app = create_app(
        Settings(
            rasa_auth_token="t",
            internal_token="internal-test-token",
            database_url=database_url,
            supervise_interval_s=0,
            handoff_check_interval_s=0,
            rate_limit_per_minute=0,  # many requests from one test client (test_limits.py)
        )
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
