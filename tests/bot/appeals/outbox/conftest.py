"""Fixtures of the outbox tests: the fake service, an outbox file and a client for it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from bot.appeals.client import ServiceClient
from bot.appeals.outbox.delivery import Outbox
from tests.support.fake_appeal_service import FakeAppealService

PHONE = "13912345678"
CONTACT = "张三丰"
TIMEOUT_S = 0.3


def appeal_body(n: int = 1) -> dict[str, Any]:
    return {
        "enterprise_name": f"嘉定测试企业{n}有限公司",
        "credit_code": "91310114MA1GT12345",
        "contact_name": CONTACT,
        "phone": PHONE,
        "town": "安亭镇",
        "category": "政策咨询",
        "description": "申请人才补贴的材料要求不清楚。",
        "channel": "chat",
    }


def later(minutes: int = 10) -> datetime:
    return datetime.now(timezone.utc) + timedelta(minutes=minutes)


def wait_for(condition: Callable[[], bool], timeout_s: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.fixture
def fake() -> Iterator[FakeAppealService]:
    service = FakeAppealService()
    service.start()
    yield service
    service.stop()


@pytest.fixture
def client(fake: FakeAppealService) -> ServiceClient:
    """A client of the fake with the tests' short timeout (the port survives restarts)."""
    return ServiceClient(fake.url, timeout_s=TIMEOUT_S)


@pytest.fixture
def outbox(tmp_path: Path) -> Outbox:
    return Outbox(tmp_path / "var" / "outbox" / "appeals.sqlite3")
