"""Supervision (督办) of overdue appeals."""

from __future__ import annotations

from bot.appeals.service.backend import Backend
from tests.bot.appeals.service.conftest import JW, FakeClock, file


def test_supervision_flags_overdue_appeals_once(backend: Backend, clock: FakeClock) -> None:
    no = file(backend)
    assert backend.appeals.supervise() == []
    clock.advance(days=30)
    assert backend.appeals.supervise() == [no]
    view = backend.appeals.staff_view(JW, no)
    assert view["supervised"] and view["status"] == "escalated"
    assert view["events"][-1]["action"] == "supervise" and view["events"][-1]["actor"] == "system"
    assert backend.appeals.supervise() == []
    assert [a["tracking_no"] for a in backend.appeals.list_appeals(JW, overdue=True)] == [no]
