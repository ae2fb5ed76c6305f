"""Reading appeals: who sees what, the public view, lists, recorded reads."""

from __future__ import annotations

import pytest

from bot.appeals.service.backend import Backend
from bot.appeals.service.store import Forbidden, NotFound
from bot.servicedb.tokens import Actor
from tests.bot.appeals.service.conftest import BUILD, JW, TAX, FakeClock, body, file

PII = ("phone", "contact_name", "credit_code", "enterprise_name", "description")


def test_departments_see_only_their_own(backend: Backend) -> None:
    no = file(backend)
    file(backend, "key-0002", category="tax")
    assert [a["tracking_no"] for a in backend.appeals.list_appeals(BUILD)] == [no]
    assert len(backend.appeals.list_appeals(TAX)) == 1
    assert len(backend.appeals.list_appeals(JW)) == 2
    with pytest.raises(NotFound):
        backend.appeals.staff_view(TAX, no)
    # after triage to another department, the proposed one no longer sees it
    backend.appeals.act(JW, no, "triage", lead_department="environment")
    assert backend.appeals.list_appeals(BUILD) == []


def test_public_view_has_nothing_personal_and_needs_the_right_phone(backend: Backend) -> None:
    no = file(backend)
    view = backend.appeals.public_view(no, "5678")
    assert view["status"] == "received" and view["department"] == "区建设管理委"
    assert not view["department_confirmed"]
    assert not any(key in view for key in PII)
    assert "138" not in str(view) and "王经理" not in str(view)
    for wrong in ("0000", "567", "45678"):
        with pytest.raises(NotFound):
            backend.appeals.public_view(no, wrong)
    with pytest.raises(NotFound):
        backend.appeals.public_view("JD-20260310-9999", "5678")


def test_listing_appeals_takes_a_fixed_number_of_queries(backend: Backend) -> None:
    from sqlalchemy import event

    for i in range(12):
        backend.appeals.create(f"n-plus-one-{i:04d}", body(description=f"路灯坏了很久了{i}号"))
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(backend.engine, "before_cursor_execute", count)
    try:
        listed = backend.appeals.list_appeals(JW)
    finally:
        event.remove(backend.engine, "before_cursor_execute", count)
    assert len(listed) == 12 and all(a["events"] for a in listed)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2, selects  # the appeals, then the events of all of them


def test_reads_of_contact_details_are_recorded(backend: Backend, clock: FakeClock) -> None:
    number = backend.appeals.create("audit-key-0001", body())[0]["tracking_no"]
    backend.appeals.staff_view(Actor("qjw", "坐席甲"), number)
    clock.advance(minutes=5)
    # A step answers with the full view (the console shows it): a read too.
    backend.appeals.act(Actor("qjw", "坐席乙"), number, "triage", lead_department="construction")
    backend.appeals.staff_view(Actor("construction", "建管委窗口"), number)
    reads = backend.appeals.personal_data_reads(JW, number)
    assert [(r["department"], r["label"]) for r in reads] == [
        ("qjw", "坐席甲"),
        ("qjw", "坐席乙"),
        ("construction", "建管委窗口"),
    ]
    assert reads[0]["at"] < reads[1]["at"]
    with pytest.raises(Forbidden):
        backend.appeals.personal_data_reads(BUILD, number)
    # Listing (the queue) is not a read of one appeal's details; an unknown number is 404.
    backend.appeals.list_appeals(JW)
    assert len(backend.appeals.personal_data_reads(JW, number)) == 3
    with pytest.raises(NotFound):
        backend.appeals.personal_data_reads(JW, "JD-20000101-0001")
