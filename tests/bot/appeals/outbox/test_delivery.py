from __future__ import annotations

import logging
import re
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.appeals.client import FieldProblem, ServiceClient
from bot.appeals.outbox.delivery import DeliveryLoop, Outbox
from bot.appeals.outbox.references import is_provisional_reference
from tests.bot.appeals.outbox.conftest import (
    CONTACT,
    PHONE,
    TIMEOUT_S,
    appeal_body,
    later,
    wait_for,
)
from tests.support.fake_appeal_service import FakeAppealService, Scripted

LOGGER = "bot.appeals.outbox.delivery"


def test_service_up_delivers_at_once(
    fake: FakeAppealService, client: ServiceClient, outbox: Outbox
) -> None:
    result = outbox.submit(client, "key-up-00000001", appeal_body())
    assert result.delivered and not result.queued and not result.rejected
    assert result.tracking_no == "JD-20261127-0001"
    assert result.response is not None and result.response["proposed_department"] == "区发改委"
    assert result.reference is None
    assert outbox.pending_count() == 0
    assert fake.posts["key-up-00000001"] == 1


def test_service_down_queues_then_delivers_exactly_once(
    fake: FakeAppealService, client: ServiceClient, outbox: Outbox
) -> None:
    fake.stop()
    result = outbox.submit(client, "key-down-0000001", appeal_body())
    assert result.queued and not result.delivered and not result.rejected
    assert result.reference is not None
    assert re.fullmatch(r"TMP-[A-Z2-9]{8}", result.reference)
    assert is_provisional_reference(result.reference)
    entry = outbox.lookup(result.reference)
    assert entry is not None
    assert entry.status == "pending" and entry.tracking_no is None and entry.attempts == 1
    assert entry.last_error
    assert abs((entry.created_at - datetime.now(timezone.utc)).total_seconds()) < 5
    assert outbox.pending_count() == 1

    # Not yet due: nothing is sent.
    fake.start()
    assert outbox.deliver_pending(client) == 0
    assert fake.posts["key-down-0000001"] == 0

    assert outbox.deliver_pending(client, now=later()) == 1
    assert outbox.deliver_pending(client, now=later(60)) == 0
    assert fake.posts["key-down-0000001"] == 1 and fake.created == 1
    entry = outbox.lookup(result.reference.lower())  # references are case-insensitive
    assert entry is not None
    assert entry.status == "delivered"
    assert entry.tracking_no == "JD-20261127-0001"
    assert entry.response is not None and entry.response["tracking_no"] == entry.tracking_no
    assert entry.delivered_at is not None
    assert outbox.pending_count() == 0


def test_slow_service_times_out_and_retry_gets_same_tracking_no(
    fake: FakeAppealService, client: ServiceClient, outbox: Outbox
) -> None:
    fake.mode = "slow"
    fake.slow_s = 0.6
    impatient = ServiceClient(fake.url, timeout_s=0.2)
    result = outbox.submit(impatient, "key-slow-0000001", appeal_body())
    assert result.queued and result.reference is not None
    entry = outbox.lookup(result.reference)
    assert entry is not None and "timeout" in (entry.last_error or "")
    # The service finishes the slow request after the client gave up and stores the appeal.
    assert wait_for(lambda: fake.created == 1)
    fake.mode = "up"
    assert outbox.deliver_pending(client, now=later()) == 1
    entry = outbox.lookup(result.reference)
    assert entry is not None and entry.tracking_no == "JD-20261127-0001"
    assert fake.created == 1 and fake.posts["key-slow-0000001"] == 2


def test_every_attempt_is_sent_once_whatever_the_clients_retries(
    fake: FakeAppealService, outbox: Outbox
) -> None:
    # The queue is the retry (with backoff): the first attempt must not keep the user waiting.
    eager = ServiceClient(fake.url, timeout_s=TIMEOUT_S, retries=3, retry_delay_s=0)
    fake.mode = "500"
    result = outbox.submit(eager, "key-once-0000001", appeal_body())
    assert result.queued
    assert outbox.deliver_pending(eager, now=later()) == 0
    assert [s.method for s in fake.seen] == ["POST", "POST"]
    assert {s.headers["Idempotency-Key"] for s in fake.seen} == {"key-once-0000001"}


def test_500_queues_then_delivers(
    fake: FakeAppealService, client: ServiceClient, outbox: Outbox
) -> None:
    fake.mode = "500"
    result = outbox.submit(client, "key-500-00000001", appeal_body())
    assert result.queued and result.status_code == 500 and result.reference is not None
    assert outbox.deliver_pending(client, now=later()) == 0
    entry = outbox.lookup(result.reference)
    assert entry is not None
    assert entry.status == "pending" and entry.attempts == 2 and entry.last_error == "HTTP 500"
    fake.mode = "up"
    assert outbox.deliver_pending(client, now=later(60)) == 1
    entry = outbox.lookup(result.reference)
    assert entry is not None and entry.status == "delivered"
    assert fake.created == 1


def test_422_is_rejected_and_not_queued(
    fake: FakeAppealService, client: ServiceClient, outbox: Outbox
) -> None:
    fake.mode = "422"
    result = outbox.submit(client, "key-422-00000001", appeal_body())
    assert result.rejected and not result.delivered and not result.queued
    assert result.reference is None and result.status_code == 422
    # The service's detail, as data for the action:
    assert result.problems == (FieldProblem((), f"phone {PHONE} is not valid"),)
    assert result.error is not None and PHONE not in result.error
    assert outbox.pending_count() == 0


def test_field_problems_reach_the_submission(
    fake: FakeAppealService, client: ServiceClient, outbox: Outbox
) -> None:
    detail = [{"loc": ["body", "phone"], "type": "phone", "msg": "电话号码位数不对"}]
    fake.script.append(Scripted(422, {"detail": detail}))
    result = outbox.submit(client, "key-fields-00001", appeal_body())
    assert result.rejected and result.problems == (
        FieldProblem(("body", "phone"), "电话号码位数不对", "phone"),
    )
    assert result.error == "HTTP 422: body.phone: 电话号码位数不对"


def test_404_is_rejected_and_not_queued(
    fake: FakeAppealService, client: ServiceClient, outbox: Outbox
) -> None:
    # A wrong service URL is a refusal like any other 4xx: sending again cannot help.
    fake.script.append(Scripted(404, {"detail": "Not Found"}))
    result = outbox.submit(client, "key-404-00000001", appeal_body())
    assert result.rejected and result.status_code == 404 and outbox.pending_count() == 0


def test_422_during_delivery_marks_row_rejected(
    fake: FakeAppealService,
    client: ServiceClient,
    outbox: Outbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake.mode = "500"
    result = outbox.submit(client, "key-rej-00000001", appeal_body())
    assert result.reference is not None
    fake.mode = "422"
    with caplog.at_level(logging.ERROR, logger=LOGGER):
        assert outbox.deliver_pending(client, now=later()) == 0
    entry = outbox.lookup(result.reference)
    assert entry is not None and entry.status == "rejected"
    assert entry.last_error is not None and "HTTP 422" in entry.last_error
    assert outbox.pending_count() == 0
    assert result.reference in caplog.text and "rejected" in caplog.text
    assert PHONE not in caplog.text
    # Rejected rows are never sent again.
    fake.mode = "up"
    assert outbox.deliver_pending(client, now=later(60)) == 0
    assert fake.created == 0


def test_backoff_through_delivery(
    fake: FakeAppealService, client: ServiceClient, outbox: Outbox
) -> None:
    fake.stop()
    result = outbox.submit(client, "key-backoff-0001", appeal_body())
    assert result.reference is not None
    entry = outbox.lookup(result.reference)
    assert entry is not None
    first_wait = (entry.next_attempt_at - entry.created_at).total_seconds()
    assert first_wait == pytest.approx(5, abs=0.01)

    waits = []
    for _ in range(8):
        now = entry.next_attempt_at + timedelta(milliseconds=1)
        outbox.deliver_pending(client, now=now)
        entry = outbox.lookup(result.reference)
        assert entry is not None
        waits.append(round((entry.next_attempt_at - now).total_seconds()))
    assert waits == [10, 20, 40, 80, 160, 300, 300, 300]
    assert entry.attempts == 9 and entry.status == "pending"


def test_two_loops_on_two_instances_deliver_each_appeal_once(
    fake: FakeAppealService, client: ServiceClient, tmp_path: Path
) -> None:
    path = tmp_path / "shared.sqlite3"
    first = Outbox(path, base_delay_s=0.01)
    second = Outbox(path, base_delay_s=0.01)  # like a second process on the same file
    fake.mode = "500"
    for n in range(30):
        (first if n % 2 else second).submit(client, f"key-concurrent-{n:04d}", appeal_body(n))
    assert first.pending_count() == 30
    fake.reset_counts()
    fake.mode = "up"
    fake.latency_s = 0.01  # so the two loops really overlap
    patient = ServiceClient(fake.url, timeout_s=2.0)
    loops = [
        DeliveryLoop(first, patient, interval_s=0.02),
        DeliveryLoop(second, patient, interval_s=0.02),
    ]
    for loop in loops:
        loop.start()
    try:
        assert wait_for(lambda: first.pending_count() == 0, timeout_s=8)
    finally:
        for loop in loops:
            loop.stop()
    assert fake.created == 30
    assert len(fake.posts) == 30 and set(fake.posts.values()) == {1}


def test_loop_wakes_and_stops_promptly(
    fake: FakeAppealService, client: ServiceClient, tmp_path: Path
) -> None:
    outbox = Outbox(tmp_path / "wake.sqlite3", base_delay_s=0.0)
    fake.stop()
    result = outbox.submit(client, "key-wake-0000001", appeal_body())
    assert result.reference is not None
    fake.start()
    loop = DeliveryLoop(outbox, client, interval_s=60)
    loop.start()
    try:
        assert wait_for(lambda: outbox.pending_count() == 0, timeout_s=3)  # first pass at start
        fake.stop()
        second = outbox.submit(client, "key-wake-0000002", appeal_body(2))
        fake.start()
        loop.wake()
        assert wait_for(lambda: outbox.pending_count() == 0, timeout_s=3)
        assert second.reference is not None
        entry = outbox.lookup(second.reference)
        assert entry is not None and entry.tracking_no == "JD-20261127-0002"
    finally:
        began = time.monotonic()
        loop.stop()
        assert time.monotonic() - began < 1.0
    assert not loop.running


def test_loop_survives_exceptions(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    class Flaky(Outbox):
        calls = 0

        def deliver_pending(
            self,
            client: ServiceClient,
            now: datetime | None = None,
            limit: int = 100,
        ) -> int:
            Flaky.calls += 1
            if Flaky.calls <= 2:
                raise RuntimeError("database is locked")
            return 0

    nowhere = ServiceClient("http://127.0.0.1:9")
    loop = DeliveryLoop(Flaky(tmp_path / "flaky.sqlite3"), nowhere, interval_s=0.01)
    with caplog.at_level(logging.ERROR, logger=LOGGER):
        loop.start()
        try:
            assert wait_for(lambda: Flaky.calls >= 4, timeout_s=3)
            assert loop.running
        finally:
            loop.stop()
    assert "delivery pass failed" in caplog.text


def test_logs_hold_no_personal_data(
    fake: FakeAppealService,
    client: ServiceClient,
    outbox: Outbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake.stop()
    with caplog.at_level(logging.DEBUG):
        result = outbox.submit(client, "key-privacy-0001", appeal_body())
        outbox.deliver_pending(client, now=later())
        fake.start()
        fake.mode = "500"
        outbox.deliver_pending(client, now=later(60))
        fake.mode = "up"
        outbox.deliver_pending(client, now=later(600))
    assert result.reference is not None and result.reference in caplog.text
    assert "key-privacy-0001" in caplog.text
    assert PHONE not in caplog.text and CONTACT not in caplog.text
    assert outbox.pending_count() == 0
