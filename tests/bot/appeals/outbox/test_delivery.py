from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from bot.appeals.outbox import (
    REFERENCE_ALPHABET,
    DeliveryLoop,
    Outbox,
    is_provisional_reference,
    mask_numbers,
    new_reference,
    retry_delay,
)

PHONE = "13912345678"
CONTACT = "张三丰"
TIMEOUT_S = 0.3


def appeal_body(n: int = 1) -> dict[str, Any]:
    return {
        "enterprise_name": f"嘉定测试企业{n}有限公司",
        "credit_code": "91310114MA1GT12345",
        "contact_name": CONTACT,
        "phone": PHONE,
        "town": "安亭镇",
        "category": "政策咨询",
        "description": "申请人才补贴的材料要求不清楚。",
        "channel": "chat",
    }


def later(minutes: int = 10) -> datetime:
    return datetime.now(timezone.utc) + timedelta(minutes=minutes)


class FakeAppealService:
    """A tiny stand-in for POST /api/appeals, idempotent per Idempotency-Key."""

    def __init__(self) -> None:
        self.mode = "up"  # "up" | "slow" | "500" | "422"
        self.slow_s = 1.0
        self.latency_s = 0.0
        self.lock = threading.Lock()
        self.appeals: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
        self.posts: Counter[str] = Counter()
        self.created = 0
        self.port = 0
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                fake.handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Go down: stop serving and close the port (the state survives a restart)."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def reset_counts(self) -> None:
        with self.lock:
            self.posts.clear()

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = json.loads(request.rfile.read(length))
        key = request.headers.get("Idempotency-Key") or ""
        mode = self.mode
        if mode == "500":
            self.reply(request, 500, {"detail": "internal error"})
            return
        if mode == "422":
            # Echo the phone number, as a careless service might: logs must mask it.
            self.reply(request, 422, {"detail": f"phone {body.get('phone')} is not valid"})
            return
        if mode == "slow":
            time.sleep(self.slow_s)
        if self.latency_s:
            time.sleep(self.latency_s)
        with self.lock:
            self.posts[key] += 1
            if key in self.appeals:
                stored_body, response = self.appeals[key]
                if stored_body != body:
                    self.reply(request, 422, {"detail": "key used for another appeal"})
                    return
            else:
                self.created += 1
                response = {
                    "tracking_no": f"JD-20261127-{self.created:04d}",
                    "status": "submitted",
                    "proposed_department": "区发改委",
                    "contact_due_at": "2026-11-28T17:00:00+08:00",
                    "due_at": "2026-12-11T17:00:00+08:00",
                }
                self.appeals[key] = (body, response)
        self.reply(request, 201, response)

    @staticmethod
    def reply(request: BaseHTTPRequestHandler, code: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        try:
            request.send_response(code)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
        except OSError:
            pass  # the client gave up (timeout)


@pytest.fixture
def fake() -> Iterator[FakeAppealService]:
    service = FakeAppealService()
    service.start()
    yield service
    service.stop()


@pytest.fixture
def outbox(tmp_path: Path) -> Outbox:
    return Outbox(tmp_path / "var" / "outbox" / "appeals.sqlite3")


def wait_for(condition: Callable[[], bool], timeout_s: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_service_up_delivers_at_once(fake: FakeAppealService, outbox: Outbox) -> None:
    result = outbox.submit(fake.url, "key-up-00000001", appeal_body(), timeout_s=TIMEOUT_S)
    assert result.delivered and not result.queued and not result.rejected
    assert result.tracking_no == "JD-20261127-0001"
    assert result.response is not None and result.response["proposed_department"] == "区发改委"
    assert result.reference is None
    assert outbox.pending_count() == 0
    assert fake.posts["key-up-00000001"] == 1


def test_service_down_queues_then_delivers_exactly_once(
    fake: FakeAppealService, outbox: Outbox
) -> None:
    fake.stop()
    result = outbox.submit(fake.url, "key-down-0000001", appeal_body(), timeout_s=TIMEOUT_S)
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
    assert outbox.deliver_pending(fake.url, timeout_s=TIMEOUT_S) == 0
    assert fake.posts["key-down-0000001"] == 0

    assert outbox.deliver_pending(fake.url, now=later(), timeout_s=TIMEOUT_S) == 1
    assert outbox.deliver_pending(fake.url, now=later(60), timeout_s=TIMEOUT_S) == 0
    assert fake.posts["key-down-0000001"] == 1 and fake.created == 1
    entry = outbox.lookup(result.reference.lower())  # references are case-insensitive
    assert entry is not None
    assert entry.status == "delivered"
    assert entry.tracking_no == "JD-20261127-0001"
    assert entry.response is not None and entry.response["tracking_no"] == entry.tracking_no
    assert entry.delivered_at is not None
    assert outbox.pending_count() == 0


def test_same_key_is_stored_once(fake: FakeAppealService, outbox: Outbox) -> None:
    fake.stop()
    first = outbox.submit(fake.url, "key-twice-000001", appeal_body(), timeout_s=TIMEOUT_S)
    second = outbox.submit(fake.url, "key-twice-000001", appeal_body(), timeout_s=TIMEOUT_S)
    assert first.reference == second.reference
    assert outbox.pending_count() == 1
    # The user tries once more after the service is back: the stored row is settled too.
    fake.start()
    third = outbox.submit(fake.url, "key-twice-000001", appeal_body(), timeout_s=TIMEOUT_S)
    assert third.delivered and third.reference == first.reference
    assert outbox.pending_count() == 0
    assert first.reference is not None
    entry = outbox.lookup(first.reference)
    assert entry is not None and entry.tracking_no == third.tracking_no
    assert outbox.deliver_pending(fake.url, now=later(), timeout_s=TIMEOUT_S) == 0
    assert fake.created == 1


def test_slow_service_times_out_and_retry_gets_same_tracking_no(
    fake: FakeAppealService, outbox: Outbox
) -> None:
    fake.mode = "slow"
    fake.slow_s = 0.6
    result = outbox.submit(fake.url, "key-slow-0000001", appeal_body(), timeout_s=0.2)
    assert result.queued and result.reference is not None
    entry = outbox.lookup(result.reference)
    assert entry is not None and "timeout" in (entry.last_error or "")
    # The service finishes the slow request after the client gave up and stores the appeal.
    assert wait_for(lambda: fake.created == 1)
    fake.mode = "up"
    assert outbox.deliver_pending(fake.url, now=later(), timeout_s=TIMEOUT_S) == 1
    entry = outbox.lookup(result.reference)
    assert entry is not None and entry.tracking_no == "JD-20261127-0001"
    assert fake.created == 1 and fake.posts["key-slow-0000001"] == 2


def test_500_queues_then_delivers(fake: FakeAppealService, outbox: Outbox) -> None:
    fake.mode = "500"
    result = outbox.submit(fake.url, "key-500-00000001", appeal_body(), timeout_s=TIMEOUT_S)
    assert result.queued and result.status_code == 500 and result.reference is not None
    assert outbox.deliver_pending(fake.url, now=later(), timeout_s=TIMEOUT_S) == 0
    entry = outbox.lookup(result.reference)
    assert entry is not None
    assert entry.status == "pending" and entry.attempts == 2 and entry.last_error == "HTTP 500"
    fake.mode = "up"
    assert outbox.deliver_pending(fake.url, now=later(60), timeout_s=TIMEOUT_S) == 1
    entry = outbox.lookup(result.reference)
    assert entry is not None and entry.status == "delivered"
    assert fake.created == 1


def test_422_is_rejected_and_not_queued(fake: FakeAppealService, outbox: Outbox) -> None:
    fake.mode = "422"
    result = outbox.submit(fake.url, "key-422-00000001", appeal_body(), timeout_s=TIMEOUT_S)
    assert result.rejected and not result.delivered and not result.queued
    assert result.reference is None and result.status_code == 422
    assert result.detail == f"phone {PHONE} is not valid"  # raw detail for the action
    assert result.error is not None and PHONE not in result.error
    assert outbox.pending_count() == 0


def test_422_during_delivery_marks_row_rejected(
    fake: FakeAppealService, outbox: Outbox, caplog: pytest.LogCaptureFixture
) -> None:
    fake.mode = "500"
    result = outbox.submit(fake.url, "key-rej-00000001", appeal_body(), timeout_s=TIMEOUT_S)
    assert result.reference is not None
    fake.mode = "422"
    with caplog.at_level(logging.ERROR, logger="bot.appeals.outbox"):
        assert outbox.deliver_pending(fake.url, now=later(), timeout_s=TIMEOUT_S) == 0
    entry = outbox.lookup(result.reference)
    assert entry is not None and entry.status == "rejected"
    assert entry.last_error is not None and "HTTP 422" in entry.last_error
    assert outbox.pending_count() == 0
    assert result.reference in caplog.text and "rejected" in caplog.text
    assert PHONE not in caplog.text
    # Rejected rows are never sent again.
    fake.mode = "up"
    assert outbox.deliver_pending(fake.url, now=later(60), timeout_s=TIMEOUT_S) == 0
    assert fake.created == 0


def test_retry_delay_grows_and_is_capped() -> None:
    assert [retry_delay(n) for n in range(1, 9)] == [5, 10, 20, 40, 80, 160, 300, 300]
    assert retry_delay(10_000) == 300
    assert retry_delay(3, base_s=1, max_s=3) == 3


def test_backoff_through_delivery(fake: FakeAppealService, outbox: Outbox) -> None:
    fake.stop()
    result = outbox.submit(fake.url, "key-backoff-0001", appeal_body(), timeout_s=TIMEOUT_S)
    assert result.reference is not None
    entry = outbox.lookup(result.reference)
    assert entry is not None
    first_wait = (entry.next_attempt_at - entry.created_at).total_seconds()
    assert first_wait == pytest.approx(5, abs=0.01)

    waits = []
    for _ in range(8):
        now = entry.next_attempt_at + timedelta(milliseconds=1)
        outbox.deliver_pending(fake.url, now=now, timeout_s=TIMEOUT_S)
        entry = outbox.lookup(result.reference)
        assert entry is not None
        waits.append(round((entry.next_attempt_at - now).total_seconds()))
    assert waits == [10, 20, 40, 80, 160, 300, 300, 300]
    assert entry.attempts == 9 and entry.status == "pending"


def test_outbox_survives_restart(fake: FakeAppealService, tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    fake.stop()
    references = []
    for n in range(3):
        result = Outbox(path).submit(
            fake.url, f"key-restart-{n:04d}", appeal_body(n), timeout_s=TIMEOUT_S
        )
        references.append(result.reference)
    # "Restart" the action server: a new Outbox on the same file.
    reopened = Outbox(path)
    assert reopened.pending_count() == 3
    fake.start()
    assert reopened.deliver_pending(fake.url, now=later(), timeout_s=TIMEOUT_S) == 3
    for reference in references:
        assert reference is not None
        entry = Outbox(path).lookup(reference)
        assert entry is not None and entry.status == "delivered" and entry.tracking_no
    assert fake.created == 3


def test_two_loops_on_two_instances_deliver_each_appeal_once(
    fake: FakeAppealService, tmp_path: Path
) -> None:
    path = tmp_path / "shared.sqlite3"
    first = Outbox(path, base_delay_s=0.01)
    second = Outbox(path, base_delay_s=0.01)  # like a second process on the same file
    fake.mode = "500"
    for n in range(30):
        (first if n % 2 else second).submit(
            fake.url, f"key-concurrent-{n:04d}", appeal_body(n), timeout_s=TIMEOUT_S
        )
    assert first.pending_count() == 30
    fake.reset_counts()
    fake.mode = "up"
    fake.latency_s = 0.01  # so the two loops really overlap
    loops = [
        DeliveryLoop(first, fake.url, interval_s=0.02, timeout_s=2.0),
        DeliveryLoop(second, fake.url, interval_s=0.02, timeout_s=2.0),
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


def test_loop_wakes_and_stops_promptly(fake: FakeAppealService, tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "wake.sqlite3", base_delay_s=0.0)
    fake.stop()
    result = outbox.submit(fake.url, "key-wake-0000001", appeal_body(), timeout_s=TIMEOUT_S)
    assert result.reference is not None
    fake.start()
    loop = DeliveryLoop(outbox, fake.url, interval_s=60, timeout_s=TIMEOUT_S)
    loop.start()
    try:
        assert wait_for(lambda: outbox.pending_count() == 0, timeout_s=3)  # first pass at start
        fake.stop()
        second = outbox.submit(fake.url, "key-wake-0000002", appeal_body(2), timeout_s=TIMEOUT_S)
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
            service_url: str,
            now: datetime | None = None,
            timeout_s: float = 5.0,
            limit: int = 100,
        ) -> int:
            Flaky.calls += 1
            if Flaky.calls <= 2:
                raise RuntimeError("database is locked")
            return 0

    loop = DeliveryLoop(Flaky(tmp_path / "flaky.sqlite3"), "http://127.0.0.1:9", interval_s=0.01)
    with caplog.at_level(logging.ERROR, logger="bot.appeals.outbox"):
        loop.start()
        try:
            assert wait_for(lambda: Flaky.calls >= 4, timeout_s=3)
            assert loop.running
        finally:
            loop.stop()
    assert "delivery pass failed" in caplog.text


def test_logs_hold_no_personal_data(
    fake: FakeAppealService, outbox: Outbox, caplog: pytest.LogCaptureFixture
) -> None:
    fake.stop()
    with caplog.at_level(logging.DEBUG):
        result = outbox.submit(fake.url, "key-privacy-0001", appeal_body(), timeout_s=TIMEOUT_S)
        outbox.deliver_pending(fake.url, now=later(), timeout_s=TIMEOUT_S)
        fake.start()
        fake.mode = "500"
        outbox.deliver_pending(fake.url, now=later(60), timeout_s=TIMEOUT_S)
        fake.mode = "up"
        outbox.deliver_pending(fake.url, now=later(600), timeout_s=TIMEOUT_S)
    assert result.reference is not None and result.reference in caplog.text
    assert "key-privacy-0001" in caplog.text
    assert PHONE not in caplog.text and CONTACT not in caplog.text
    assert outbox.pending_count() == 0


def test_references_and_masking() -> None:
    references = {new_reference() for _ in range(200)}
    assert len(references) == 200
    for reference in references:
        assert is_provisional_reference(reference)
        assert not set(reference[4:]) & set("0O1IL")
        assert set(reference[4:]) <= set(REFERENCE_ALPHABET)
    assert not is_provisional_reference("JD-20261127-0042")
    assert not is_provisional_reference("TMP-0000OOOO")
    assert mask_numbers(f"call {PHONE} or 139-1234-5678") == "call *** or ***"
    assert mask_numbers("HTTP 500 at port 8000") == "HTTP 500 at port 8000"
