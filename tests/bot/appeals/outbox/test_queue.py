from __future__ import annotations

import time
from pathlib import Path

from bot.appeals.client import ServiceClient
from bot.appeals.outbox.delivery import Outbox
from bot.appeals.outbox.queue import OutboxQueue, retry_delay
from tests.bot.appeals.outbox.conftest import PHONE, appeal_body, later
from tests.support.fake_appeal_service import FakeAppealService


def test_retry_delay_grows_and_is_capped() -> None:
    assert [retry_delay(n) for n in range(1, 9)] == [5, 10, 20, 40, 80, 160, 300, 300]
    assert retry_delay(10_000) == 300
    assert retry_delay(3, base_s=1, max_s=3) == 3


def test_same_key_is_stored_once(
    fake: FakeAppealService, client: ServiceClient, outbox: Outbox
) -> None:
    fake.stop()
    first = outbox.submit(client, "key-twice-000001", appeal_body())
    second = outbox.submit(client, "key-twice-000001", appeal_body())
    assert first.reference == second.reference
    assert outbox.pending_count() == 1
    # The user tries once more after the service is back: the stored row is settled too.
    fake.start()
    third = outbox.submit(client, "key-twice-000001", appeal_body())
    assert third.delivered and third.reference == first.reference
    assert outbox.pending_count() == 0
    assert first.reference is not None
    entry = outbox.lookup(first.reference)
    assert entry is not None and entry.tracking_no == third.tracking_no
    assert outbox.deliver_pending(client, now=later()) == 0
    assert fake.created == 1


def test_outbox_survives_restart(
    fake: FakeAppealService, client: ServiceClient, tmp_path: Path
) -> None:
    path = tmp_path / "outbox.sqlite3"
    fake.stop()
    references = []
    for n in range(3):
        result = Outbox(path).submit(client, f"key-restart-{n:04d}", appeal_body(n))
        references.append(result.reference)
    # "Restart" the action server: a new Outbox on the same file.
    reopened = Outbox(path)
    assert reopened.pending_count() == 3
    fake.start()
    assert reopened.deliver_pending(client, now=later()) == 3
    for reference in references:
        assert reference is not None
        entry = Outbox(path).lookup(reference)
        assert entry is not None and entry.status == "delivered" and entry.tracking_no
    assert fake.created == 3


def test_queue_rows_claims_and_outcomes(tmp_path: Path) -> None:
    queue = OutboxQueue(tmp_path / "q.sqlite3", base_delay_s=1, max_delay_s=4)
    stored = queue.enqueue("key-queue-000001", appeal_body(), "timeout after 5 s")
    again = queue.enqueue("key-queue-000001", appeal_body(2), "HTTP 500")
    assert again == stored  # one row per key; the first body stays
    assert stored.attempts == 1 and stored.last_error == "timeout after 5 s"
    assert queue.lookup(stored.reference.lower()) == stored
    assert queue.entry_by_key("key-queue-000001") == stored
    assert queue.lookup("TMP-22222222") is None and queue.entry_by_key("nope") is None

    assert queue.due(time.time()) == []  # not yet due (1 s backoff)
    [row] = queue.due(time.time() + 2)
    assert row.reference == stored.reference and row.body["phone"] == PHONE
    assert queue.claim(row, time.time() + 60)
    assert not queue.claim(row, time.time() + 60)  # a second deliverer loses
    assert queue.due(time.time() + 2) == []  # leased

    queue.reschedule(row.row_id, 2, "HTTP 503", time.time() - 1)
    [row] = queue.due(time.time())
    assert row.attempts == 2
    response = {"tracking_no": "JD-20261127-0007"}
    assert queue.mark_delivered("key-queue-000001", response, time.time())
    assert not queue.mark_delivered("key-queue-000001", response, time.time())
    delivered = queue.lookup(stored.reference)
    assert delivered is not None and delivered.status == "delivered"
    assert delivered.tracking_no == "JD-20261127-0007" and delivered.last_error is None

    other = queue.enqueue("key-queue-000002", appeal_body(3), "HTTP 500")
    [row] = queue.due(time.time() + 2)
    queue.mark_rejected(row.row_id, "HTTP 422: body.phone: bad")
    rejected = queue.lookup(other.reference)
    assert rejected is not None and rejected.status == "rejected" and rejected.attempts == 2
    assert queue.pending_count() == 0 and queue.due(time.time() + 600) == []
