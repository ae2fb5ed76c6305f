"""Filing appeals: readable numbers, 1515 deadlines, one appeal per idempotency key."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest

from bot.appeals.service.backend import Backend
from bot.appeals.service.filing import IdempotencyConflict
from tests.bot.appeals.service.conftest import JW, body


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
