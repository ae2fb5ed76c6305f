"""The appeal state machine through the real service, driven by Hypothesis (stateful).

Random departments take random actions and enterprises rate at random; a model predicts each
outcome — who may see the appeal (区经委, or the department holding it), who may take the step
(区经委 triages, dispatches, closes and reopens; the lead department accepts and replies; 区经委
or the holding department escalates) and which statuses allow it (bot.appeals.service.states).
Properties: each step gets exactly the predicted refusal and then changes nothing, or moves
the appeal where the model says with one event; the event log is one unbroken chain.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from bot.appeals.service.backend import Backend, open_backend
from bot.appeals.service.states import RATEABLE, TRANSITIONS, IllegalTransition, Status
from bot.appeals.service.store import Forbidden, NotFound
from bot.servicedb.tokens import Actor
from tests.bot.appeals.service.conftest import FakeClock, body

ACTORS = [Actor("qjw"), Actor("construction"), Actor("tax"), Actor("anting")]
LEADS = ["construction", "tax"]
PROPOSED = "construction"  # config/routing.yml: the category of body() leads there
TRIAGE_ONLY = ("triage", "dispatch", "close", "reopen")


@pytest.fixture(scope="module")
def shared_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    path: Path = tmp_path_factory.mktemp("machine") / "appeals.db"
    opened = open_backend(f"sqlite:///{path}", clock=FakeClock())
    yield opened
    opened.engine.dispose()


def test_the_service_follows_the_state_machine(shared_backend: Backend) -> None:
    appeals = shared_backend.appeals

    class AppealLoop(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            response, _ = appeals.create(f"machine-{uuid.uuid4().hex}", body())
            self.number = str(response["tracking_no"])
            self.status = Status.RECEIVED
            self.events = 1
            self.lead: str | None = None

        def expected_refusal(self, actor: Actor, action: str) -> type[Exception] | None:
            triage = actor.department == "qjw"
            if not triage and actor.department != (self.lead or PROPOSED):
                return NotFound
            if action in TRIAGE_ONLY and not triage:
                return Forbidden
            if action in ("accept", "reply") and actor.department != self.lead:
                return Forbidden
            if action == "escalate" and not triage and actor.department != PROPOSED:
                return Forbidden
            if self.status not in TRANSITIONS[action][0]:
                return IllegalTransition
            return None

        def snapshot(self) -> dict[str, object]:
            return appeals.public_view(self.number, "5678")

        @rule(
            action=st.sampled_from(sorted(TRANSITIONS)),
            actor=st.sampled_from(ACTORS),
            lead=st.sampled_from(LEADS),
        )
        def act(self, action: str, actor: Actor, lead: str) -> None:
            params = {"triage": {"lead_department": lead}, "reply": {"reply": "已协调处理完毕"}}
            before = self.snapshot()
            expected = self.expected_refusal(actor, action)
            try:
                after = appeals.act(actor, self.number, action, **params.get(action, {}))
            except (IllegalTransition, Forbidden, NotFound) as exc:
                assert type(exc) is expected, (actor, action, self.status, self.lead)
                assert self.snapshot() == before
                return
            assert expected is None, (actor, action, self.status, self.lead)
            target = TRANSITIONS[action][1]
            assert after["status"] == target.value
            self.status, self.events = target, self.events + 1
            if action == "triage":
                self.lead = lead

        @rule(score=st.integers(min_value=1, max_value=5))
        def rate(self, score: int) -> None:
            before = self.snapshot()
            try:
                appeals.rate(self.number, "5678", score)
            except IllegalTransition:
                assert self.status not in RATEABLE
                assert self.snapshot() == before
                return
            assert self.status in RATEABLE
            self.events += 1
            if score <= 2:  # a poor rating reopens it for review
                self.status, self.events = Status.REOPENED, self.events + 1

        @invariant()
        def service_matches_the_model(self) -> None:
            view = self.snapshot()
            assert view["status"] == self.status.value
            assert isinstance(view["timeline"], list) and len(view["timeline"]) == self.events

        def teardown(self) -> None:
            events = appeals.staff_view(Actor("qjw"), self.number)["events"]
            assert events[0]["from"] is None and events[0]["to"] == "received"
            for earlier, later in pairwise(events):
                assert later["from"] == earlier["to"]

    run_state_machine_as_test(
        AppealLoop,
        settings=settings(
            max_examples=15,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
