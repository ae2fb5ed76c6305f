"""Statistics per department."""

from __future__ import annotations

from bot.appeals.service.backend import Backend
from tests.bot.appeals.service.conftest import BUILD, JW, file


def test_count_on_time_rate_and_rating_per_department(backend: Backend) -> None:
    assert backend.appeals.stats() == []
    replied = file(backend)
    file(backend, "key-0002")
    file(backend, "key-0003", category="tax")
    backend.appeals.act(JW, replied, "triage", lead_department="construction")
    backend.appeals.act(JW, replied, "dispatch")
    backend.appeals.act(BUILD, replied, "accept")
    backend.appeals.act(BUILD, replied, "reply", reply="已处理")
    rows = {row["code"]: row for row in backend.appeals.stats()}
    assert rows["construction"] == {
        "department": "区建设管理委",
        "code": "construction",
        "count": 2,
        "replied": 1,
        "on_time_rate": 1.0,
        "average_rating": None,
    }
    assert rows["tax"]["count"] == 1 and rows["tax"]["on_time_rate"] is None
