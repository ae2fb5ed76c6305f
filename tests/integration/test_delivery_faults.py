"""Exactly once when a process dies in the middle of delivering appeals (issue 7, fault 1).

The outbox (bot/appeals/outbox/) delivers queued appeals to the real routing service;
these tests kill the receiving service, or the action server doing the delivering, with
SIGKILL while a delivery is in flight, restart it, and check that every queued appeal is
stored exactly once and that the outbox's tracking numbers are the stored ones. To have a
delivery surely in flight at the kill, the test holds the appeal database's write lock for a
moment (the service's insert then waits inside the request) and sees the claimed row first.
A third test cuts the connection after the service has stored an appeal but before its
answer reaches the outbox.
"""

from __future__ import annotations

import http.server
import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from bot.appeals.client import ServiceClient
from bot.appeals.outbox.delivery import DeliveryLoop, Outbox
from bot.appeals.service.backend import open_backend
from bot.servicedb.tokens import Actor
from bot.stack import Stack, free_port
from tests.bot.appeals.service.conftest import body

pytestmark = pytest.mark.integration

APPEALS = 200
DELIVERED_BEFORE_CRASH = 20
DEADLINE_S = 180.0


def queue_appeals(outbox: Outbox, tag: str, count: int = APPEALS) -> list[str]:
    """Queue ``count`` appeals as the action server does when the service cannot take them."""
    nowhere = f"http://127.0.0.1:{free_port()}"  # nothing listens: the first try fails
    keys = []
    for i in range(count):
        key = f"{tag}-{i:04d}"
        described = body(description=f"{tag} 第{i}件：园区道路破损，货车进出困难，请协调维修")
        submission = outbox.submit(ServiceClient(nowhere, timeout_s=1), key, described)
        assert not submission.delivered and submission.reference
        keys.append(key)
    return keys


def outbox_rows(path: Path, tag: str) -> dict[str, tuple[str, str | None]]:
    """Return key -> (status, tracking number) of the tagged rows of an outbox file."""
    with sqlite3.connect(path, timeout=10) as conn:
        rows = conn.execute(
            "SELECT idempotency_key, status, tracking_no FROM appeal_outbox"
            " WHERE idempotency_key LIKE ?",
            (f"{tag}-%",),
        ).fetchall()
    return {key: (status, tracking) for key, status, tracking in rows}


def claimed_count(path: Path, tag: str) -> int:
    """Return how many tagged rows a deliverer has claimed (under a lease of 60 s) right now."""
    with sqlite3.connect(path, timeout=10) as conn:
        row = conn.execute(
            "SELECT COUNT(*) FROM appeal_outbox WHERE idempotency_key LIKE ?"
            " AND status = 'pending' AND next_attempt_at > ?",
            (f"{tag}-%", time.time() + 20),
        ).fetchone()
    return int(row[0])


@contextmanager
def appeal_db_locked(stack: Stack) -> Iterator[None]:
    """Hold the appeal database's write lock: the service's inserts wait meanwhile."""
    path = stack.settings.database_url.split("///", 1)[1]
    holder = sqlite3.connect(path, isolation_level=None, timeout=10)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("COMMIT")
        holder.close()


def crash_mid_delivery(stack: Stack, process: str, outbox_path: Path, tag: str) -> None:
    """Kill ``process`` while a delivery of a tagged row is inside the service."""
    with appeal_db_locked(stack):
        wait_for(lambda: claimed_count(outbox_path, tag) >= 1, "a delivery in flight", 30)
        time.sleep(0.3)  # the request has reached the service and waits for the lock
        stack.stop_one(process, crash=True)


def delivered_count(path: Path, tag: str) -> int:
    return sum(status == "delivered" for status, _ in outbox_rows(path, tag).values())


def wait_for(check: Callable[[], bool], what: str, timeout_s: float = DEADLINE_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, f"not reached in {timeout_s:.0f} s: {what}"
        time.sleep(0.02)


def stored_tracking_numbers(stack: Stack, tag: str) -> dict[str, list[str]]:
    """Return description -> tracking numbers of the stored appeals carrying ``tag``."""
    backend = open_backend(stack.settings.database_url, run_migrations=False)
    try:
        appeals = backend.appeals.list_appeals(Actor("qjw"))
    finally:
        backend.engine.dispose()
    stored: dict[str, list[str]] = {}
    for appeal in appeals:
        if appeal["description"].startswith(f"{tag} "):
            stored.setdefault(appeal["description"], []).append(appeal["tracking_no"])
    return stored


def assert_each_stored_once(stack: Stack, outbox_path: Path, tag: str, keys: list[str]) -> None:
    rows = outbox_rows(outbox_path, tag)
    assert sorted(rows) == sorted(keys)
    assert {status for status, _ in rows.values()} == {"delivered"}
    stored = stored_tracking_numbers(stack, tag)
    assert len(stored) == len(keys), "an appeal is missing"
    duplicated = {text: numbers for text, numbers in stored.items() if len(numbers) > 1}
    assert not duplicated, f"stored more than once: {duplicated}"
    assert sorted(n for [n] in stored.values()) == sorted(t for _, t in rows.values() if t)


def test_service_crashing_mid_delivery_stores_each_appeal_once(
    stack: Stack, tmp_path: Path
) -> None:
    tag = "svc-crash-" + uuid.uuid4().hex[:6]
    outbox = Outbox(tmp_path / "outbox.db", base_delay_s=0.2, max_delay_s=1.0)
    keys = queue_appeals(outbox, tag)
    # Two delivery loops, as two action server processes sharing the file would run.
    loops = [
        DeliveryLoop(outbox, ServiceClient(stack.url("service"), timeout_s=2), interval_s=0.05)
        for _ in range(2)
    ]
    for loop in loops:
        loop.start()
    try:
        wait_for(lambda: delivered_count(outbox.path, tag) >= DELIVERED_BEFORE_CRASH, "first")
        crash_mid_delivery(stack, "service", outbox.path, tag)
        at_crash = delivered_count(outbox.path, tag)
        assert at_crash < APPEALS, "all were delivered before the crash: nothing was tested"
        time.sleep(1.0)  # deliveries fail meanwhile and are put back with a delay
    finally:
        stack.start_one("service")
    try:
        wait_for(lambda: outbox.pending_count() == 0, "every appeal delivered")
    finally:
        for loop in loops:
            loop.stop()
    assert_each_stored_once(stack, outbox.path, tag, keys)


def test_action_server_crashing_mid_delivery_delivers_each_appeal_once(stack: Stack) -> None:
    tag = "act-crash-" + uuid.uuid4().hex[:6]
    path = stack.settings.outbox_path
    # No delivery loop runs while the rows are queued; the restarted action server resumes
    # the deliveries it finds in its outbox, as after a real crash.
    stack.stop_one("action server", crash=True)
    try:
        keys = queue_appeals(Outbox(path), tag)
    finally:
        stack.start_one("action server")
    wait_for(lambda: delivered_count(path, tag) >= DELIVERED_BEFORE_CRASH, "first deliveries")
    # The killed server's request goes on in the service once the lock is free: the appeal
    # is stored, the outbox never learns it. Its row is sent again after the claim lease.
    crash_mid_delivery(stack, "action server", path, tag)
    assert claimed_count(path, tag) >= 1  # the dead server's claim stands until its lease ends
    at_crash = delivered_count(path, tag)
    assert at_crash < APPEALS, "all were delivered before the crash: nothing was tested"
    stack.start_one("action server")
    # A row claimed by the killed process is sent again once its claim lease (60 s) is over.
    wait_for(lambda: delivered_count(path, tag) == APPEALS, "every appeal delivered")
    assert_each_stored_once(stack, path, tag, keys)


class AnswerDropper(http.server.ThreadingHTTPServer):
    """Forwards appeal POSTs to the service; for the first ``drops`` it hangs up instead of
    passing the service's answer back (the appeal is stored, the sender learns nothing)."""

    def __init__(self, target: str, drops: int) -> None:
        super().__init__(("127.0.0.1", 0), _DropperHandler)
        self.target, self.drops, self.forwarded = target, drops, 0
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _DropperHandler(http.server.BaseHTTPRequestHandler):
    server: AnswerDropper

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        payload = self.rfile.read(length)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host",)}
        answer = requests.post(
            self.server.target + self.path, data=payload, headers=headers, timeout=30
        )
        with self.server.lock:
            self.server.forwarded += 1
            drop = self.server.drops > 0
            self.server.drops -= drop
        if drop:
            self.close_connection = True
            self.connection.close()  # no status line at all: the answer is lost
            return
        self.send_response(answer.status_code)
        for name in ("Content-Type", "Idempotent-Replayed"):
            if name in answer.headers:
                self.send_header(name, answer.headers[name])
        self.send_header("Content-Length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    def log_message(self, format: str, *args: object) -> None:
        return


@contextmanager
def answer_dropper(target: str, drops: int) -> Iterator[AnswerDropper]:
    server = AnswerDropper(target, drops)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_an_answer_lost_after_the_appeal_was_stored_is_not_filed_twice(
    stack: Stack, tmp_path: Path
) -> None:
    tag = "lost-answer-" + uuid.uuid4().hex[:6]
    outbox = Outbox(tmp_path / "outbox.db", base_delay_s=0.1, max_delay_s=0.5)
    described = body(description=f"{tag} 第0件：厂区门前的窨井盖缺失，夜间很危险")
    with answer_dropper(stack.url("service"), drops=2) as dropper:
        first = outbox.submit(ServiceClient(dropper.url, timeout_s=10), f"{tag}-0000", described)
        # The service stored it, but the action server saw a broken connection: the user is
        # given a provisional reference, not a tracking number it does not have.
        assert not first.delivered and first.reference
        assert len(stored_tracking_numbers(stack, tag)) == 1
        patient = ServiceClient(dropper.url, timeout_s=10)
        wait_for(lambda: outbox.deliver_pending(patient) > 0, "delivery", 30)
        assert dropper.forwarded == 3  # first try, a dropped retry, the answered retry
    entry = outbox.lookup(first.reference)
    assert entry is not None and entry.status == "delivered"
    [numbers] = stored_tracking_numbers(stack, tag).values()
    assert numbers == [entry.tracking_no]
    view = requests.get(
        f"{stack.url('service')}/api/appeals/{entry.tracking_no}",
        params={"phone_last4": "5678"},
        timeout=10,
    )
    assert view.status_code == 200 and json.loads(view.text)["status"] == "received"
