from __future__ import annotations

import threading
from datetime import datetime

import pytest
from sqlalchemy import select

from bot.appeals.service.backend import Backend
from bot.appeals.service.models import AppealEvent
from bot.appeals.service.service import Forbidden, IdempotencyConflict, NotFound
from bot.appeals.service.states import IllegalTransition
from bot.servicedb.tokens import Actor
from tests.bot.appeals.service.conftest import FakeClock, body

JW, BUILD, TAX, ANTING = Actor("qjw"), Actor("construction"), Actor("tax"), Actor("anting")
PII = ("phone", "contact_name", "credit_code", "enterprise_name", "description")


def file(backend: Backend, key: str = "key-0001", **changes: object) -> str:
    response, created = backend.appeals.create(key, body(**changes))
    assert created
    return str(response["tracking_no"])


def test_filing_gives_a_readable_number_a_proposal_and_1515_deadlines(backend: Backend) -> None:
    response, created = backend.appeals.create("key-0001", body())
    assert created
    assert response["tracking_no"] == "JD-20260310-0001"
    assert response["status"] == "received"
    assert response["proposed_department"] == "区建设管理委"
    contact = datetime.fromisoformat(response["contact_due_at"])
    due = datetime.fromisoformat(response["due_at"])
    # received Tuesday 09:00 Shanghai: contact the same working day, complex → 15 working days
    assert contact.date().isoformat() == "2026-03-10"
    assert due.date().isoformat() == "2026-03-30"
    assert str(contact.utcoffset()) == "8:00:00"
    second, _ = backend.appeals.create("key-0002", body())
    assert second["tracking_no"] == "JD-20260310-0002"


def test_the_same_key_files_once(backend: Backend) -> None:
    first, created = backend.appeals.create("key-0001", body())
    again, created_again = backend.appeals.create("key-0001", body())
    assert created and not created_again and again == first
    with pytest.raises(IdempotencyConflict):
        backend.appeals.create("key-0001", body(description="另一件事情，完全不同的诉求内容"))
    assert len(backend.appeals.list_appeals(JW)) == 1


def test_concurrent_filings_one_appeal_per_key_unique_numbers(backend: Backend) -> None:
    keys = [f"key-{i % 25:04d}" for i in range(60)]  # 25 keys, most sent two or three times
    results: list[dict[str, object]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def submit(key: str) -> None:
        try:
            response, _ = backend.appeals.create(
                key, body(description=f"诉求{key}：路灯坏了很久了")
            )
            with lock:
                results.append({"key": key, **response})
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=submit, args=(k,)) for k in keys]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    by_key: dict[str, set[object]] = {}
    for r in results:
        by_key.setdefault(str(r["key"]), set()).add(r["tracking_no"])
    assert all(len(numbers) == 1 for numbers in by_key.values())
    numbers = [n for numbers in by_key.values() for n in numbers]
    assert len(numbers) == len(set(numbers)) == 25
    assert len(backend.appeals.list_appeals(JW)) == 25


def test_the_closed_loop_with_roles_and_an_event_per_change(backend: Backend) -> None:
    no = file(backend)
    appeals = backend.appeals
    with pytest.raises(Forbidden):
        appeals.act(BUILD, no, "triage")  # only 区经委 triages
    appeals.act(JW, no, "triage", lead_department="construction")
    appeals.act(JW, no, "dispatch")
    with pytest.raises(NotFound):
        appeals.act(TAX, no, "accept")  # another department does not even see it
    appeals.act(BUILD, no, "accept")
    appeals.act(BUILD, no, "reply", reply="已联系供电所，路灯本周修复。")
    done = appeals.act(JW, no, "close", note="企业确认")
    assert done["status"] == "closed"
    steps = [(e["action"], e["from"], e["to"], e["actor"]) for e in done["events"]]
    assert steps == [
        ("receive", None, "received", "chat"),
        ("triage", "received", "triaged", "qjw"),
        ("dispatch", "triaged", "dispatched", "qjw"),
        ("accept", "dispatched", "in_progress", "construction"),
        ("reply", "in_progress", "replied", "construction"),
        ("close", "replied", "closed", "qjw"),
    ]
    assert done["events"][1]["note"] == "主办部门：区建设管理委"


def test_an_illegal_transition_changes_nothing(backend: Backend) -> None:
    no = file(backend)
    before = backend.appeals.staff_view(JW, no)
    with pytest.raises(IllegalTransition):
        backend.appeals.act(JW, no, "close")
    assert backend.appeals.staff_view(JW, no) == before


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


def test_offline_appeal_escalated_by_the_town(backend: Backend) -> None:
    no = file(backend, channel="offline", town="安亭镇")
    assert backend.appeals.list_appeals(ANTING)[0]["tracking_no"] == no
    with pytest.raises(NotFound):
        backend.appeals.act(Actor("nanxiang"), no, "escalate")
    escalated = backend.appeals.act(ANTING, no, "escalate", note="镇里协调不了")
    assert escalated["status"] == "escalated"
    assert (
        backend.appeals.act(JW, no, "triage", lead_department="construction")["status"] == "triaged"
    )


def test_triage_can_make_it_simple_and_the_due_date_follows(backend: Backend) -> None:
    no = file(backend)
    before = backend.appeals.staff_view(JW, no)["due_at"]
    after = backend.appeals.act(JW, no, "triage", complexity="simple")["due_at"]
    assert after < before
    assert after.startswith("2026-03-16")  # 5 working days from Tuesday 10 March


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


def test_rating_after_reply_and_a_low_one_reopens(backend: Backend) -> None:
    no = file(backend)
    with pytest.raises(IllegalTransition):
        backend.appeals.rate(no, "5678", 5)
    for action, params in (
        ("triage", {"lead_department": "construction"}),
        ("dispatch", {}),
    ):
        backend.appeals.act(JW, no, action, **params)
    backend.appeals.act(BUILD, no, "accept")
    backend.appeals.act(BUILD, no, "reply", reply="已处理")
    with pytest.raises(NotFound):
        backend.appeals.rate(no, "0000", 1)
    rated = backend.appeals.rate(no, "5678", 2, "没解决")
    assert rated["status"] == "reopened"
    events = backend.appeals.staff_view(JW, no)["events"]
    assert [e["action"] for e in events[-2:]] == ["rate", "reopen"]
    assert backend.appeals.stats()[0]["average_rating"] == 2


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


def test_the_event_log_is_append_only(backend: Backend) -> None:
    file(backend)
    with backend.appeals.factory() as session, session.begin():
        event = session.scalars(select(AppealEvent)).first()
        assert event is not None
        event.note = "改写历史"
        with pytest.raises(RuntimeError, match="append-only"):
            session.flush()


def test_staff_tokens_are_stored_hashed(backend: Backend) -> None:
    token = backend.tokens.create("tax", "张三")
    assert backend.tokens.department_for(token) == "tax"
    assert backend.tokens.department_for(token + "x") is None
    with backend.appeals.factory() as session:
        from bot.servicedb.models import StaffToken

        stored = session.scalars(select(StaffToken)).one()
        assert token not in stored.token_hash and len(stored.token_hash) == 64
    assert backend.tokens.revoke("张三") == 1
    assert backend.tokens.department_for(token) is None


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
