"""Retention: the personal data of long-closed appeals is purged."""

from __future__ import annotations

import pytest

from bot.appeals.service.backend import Backend
from bot.appeals.service.store import NotFound
from tests.bot.appeals.service.conftest import BUILD, JW, FakeClock, file


def test_personal_data_of_long_closed_appeals_is_purged(backend: Backend, clock: FakeClock) -> None:
    no = file(backend, description="路灯坏了，请联系我13812345678，随时可以")
    open_one = file(backend, "key-0002")
    appeals = backend.appeals
    appeals.act(JW, no, "triage", lead_department="construction")
    appeals.act(JW, no, "dispatch")
    appeals.act(BUILD, no, "accept")
    appeals.act(BUILD, no, "reply", reply="已修复")
    appeals.act(JW, no, "close")
    clock.advance(days=100)
    assert appeals.purge_personal_data(180) == []
    clock.advance(days=100)
    assert appeals.purge_personal_data(180) == [no]  # closed 200 days ago; the open one stays
    view = appeals.staff_view(JW, no)
    assert view["phone"] is None and view["contact_name"] == "（已清除）"
    assert "13812345678" not in view["description"] and "138****5678" in view["description"]
    assert view["events"][-1]["action"] == "purge" and "13812345678" not in str(view["events"])
    assert appeals.staff_view(JW, open_one)["phone"] == "+8613812345678"
    assert appeals.purge_personal_data(180) == []
    with pytest.raises(NotFound):
        appeals.public_view(no, "5678")  # nothing to match the phone against any more
