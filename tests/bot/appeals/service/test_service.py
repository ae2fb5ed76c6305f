"""The façade: every operation reaches its part, and all parts share one store and clock."""

from __future__ import annotations

from datetime import timedelta

from bot.appeals.service.backend import Backend
from tests.bot.appeals.service.conftest import JW, FakeClock, body, file


def test_the_operations_are_those_of_the_parts(backend: Backend) -> None:
    appeals = backend.appeals
    parts = (
        appeals.filing,
        appeals.queries,
        appeals.steps,
        appeals.supervision,
        appeals.retention,
        appeals.statistics,
    )
    assert all(part.store is appeals.store for part in parts)
    assert appeals.create == appeals.filing.create
    assert appeals.list_appeals == appeals.queries.list_appeals
    assert appeals.act == appeals.steps.act
    assert appeals.supervise == appeals.supervision.supervise
    assert appeals.purge_personal_data == appeals.retention.purge_personal_data
    assert appeals.stats == appeals.statistics.per_department
    assert appeals.factory is appeals.store.factory and appeals.rules is appeals.store.rules


def test_a_clock_set_on_the_service_reaches_every_part(backend: Backend, clock: FakeClock) -> None:
    later = FakeClock()
    later.advance(days=1)
    backend.appeals.clock = later  # what a test does to a running app (api_client)
    assert backend.appeals.clock is later and backend.appeals.store.clock is later
    response, _ = backend.appeals.create("clock-key-0001", body())
    assert response["tracking_no"] == "JD-20260311-0001"  # filed on the later day
    received = backend.appeals.staff_view(JW, response["tracking_no"])["received_at"]
    assert received.startswith("2026-03-11")
    later.advance(days=40)
    assert backend.appeals.supervise() == [response["tracking_no"]]
    assert clock.now + timedelta(days=1) < later.now  # the fixture's clock was left alone


def test_departments_are_synced_from_the_rules(backend: Backend) -> None:
    file(backend)  # the proposal's department exists, or the foreign key would fail
    backend.appeals.sync_departments()  # again: renames in place, adds nothing twice
    assert backend.appeals.stats()[0]["code"] == "construction"
