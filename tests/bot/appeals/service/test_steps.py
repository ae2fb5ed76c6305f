"""The loop's steps with their roles, and the enterprise's rating."""

from __future__ import annotations

import pytest

from bot.appeals.service.backend import Backend
from bot.appeals.service.states import IllegalTransition
from bot.appeals.service.store import Forbidden, NotFound
from bot.servicedb.tokens import Actor
from tests.bot.appeals.service.conftest import ANTING, BUILD, JW, TAX, file


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
