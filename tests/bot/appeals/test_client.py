"""The service client against the real service app (uvicorn on a free port) and a fake.

The real app shows the contract (201, the replayed key, FastAPI's 422 list, 404, 409, the
internal token); the stdlib fake (tests/support/fake_appeal_service.py) plays the faults:
slow answers, 5xx, 429, broken bodies, and counts the attempts.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from bot.app import create_app
from bot.appeals.client import (
    Answer,
    FieldProblem,
    NotFound,
    Rejected,
    ServiceClient,
    Unavailable,
    problems_of,
)
from bot.settings import Settings
from tests.support.fake_appeal_service import FakeAppealService, Scripted

TOKEN = "internal-token-for-the-client-tests"
PHONE = "+8613812345678"
GOOD = {
    "enterprise_name": "上海嘉定示例智能科技有限公司",
    "credit_code": "91310114MA1GY5BM3N",
    "contact_name": "王晓明",
    "phone": PHONE,
    "town": "安亭镇",
    "category": "other",
    "description": "厂区外面的路灯坏了半年，工人夜里下班不安全",
    "channel": "chat",
}
FILED = {"tracking_no": "JD-20261127-0001", "status": "submitted"}


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Run the service app in a thread; yield its base URL."""
    db = Path(tmp_path_factory.mktemp("client")) / "appeals.db"
    settings = Settings(
        rasa_auth_token="t",
        internal_token=TOKEN,
        database_url=f"sqlite:///{db}",
        supervise_interval_s=0,
        handoff_check_interval_s=0,
        rate_limit_per_minute=0,
    )
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(create_app(settings), log_level="warning", lifespan="on", ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the service did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(10)
    sock.close()


@pytest.fixture
def fake() -> Iterator[FakeAppealService]:
    service = FakeAppealService()
    service.start()
    yield service
    service.stop()


def fast(url: str, **kwargs: Any) -> ServiceClient:
    """Return a client that does not really sleep between attempts (it records the waits)."""
    waits: list[float] = []
    return ServiceClient(url, sleep=waits.append, **{"timeout_s": 2.0, **kwargs})


# -- the real service ---------------------------------------------------------------------


def test_an_appeal_is_filed_once_per_key(service: str) -> None:
    client = fast(service, internal_token=TOKEN)
    first = client.file_appeal("client-key-0001", GOOD)
    assert isinstance(first, Answer) and first.status_code == 201
    tracking_no = first.body["tracking_no"]
    assert first.body["proposed_department"]
    again = client.file_appeal("client-key-0001", GOOD)
    assert isinstance(again, Answer) and again.body["tracking_no"] == tracking_no
    other = client.file_appeal("client-key-0001", {**GOOD, "description": "另一件事情需要反映一下"})
    assert other == Rejected(422, (FieldProblem((), "该 Idempotency-Key 已用于另一份诉求"),))

    status = client.appeal_status(tracking_no, PHONE[-4:])
    assert isinstance(status, Answer) and status.body["tracking_no"] == tracking_no
    assert client.appeal_status(tracking_no, "0000") == NotFound()
    malformed = client.appeal_status("JD-nope", "12ab")
    assert isinstance(malformed, Rejected) and malformed.status_code == 422
    assert {p.field for p in malformed.problems} == {"tracking_no", "phone_last4"}

    # Not answered yet: the service refuses a rating (409), with its reason as data.
    rating = client.rate_appeal(tracking_no, PHONE[-4:], 5, "")
    assert rating == Rejected(409, (FieldProblem((), "诉求答复后才能评价"),))


def test_invalid_fields_come_back_as_field_problems(service: str) -> None:
    client = fast(service)
    bad = client.file_appeal("client-key-0002", {**GOOD, "phone": "12345"})
    assert isinstance(bad, Rejected) and bad.status_code == 422
    [problem] = bad.problems
    assert problem.location == ("body", "phone") and problem.field == "phone"
    assert problem.message and bad.messages == [problem.message]
    missing = client.file_appeal("client-key-0003", {k: v for k, v in GOOD.items() if k != "town"})
    assert isinstance(missing, Rejected)
    assert [p.location for p in missing.problems] == [("body", "town")]
    assert missing.error.startswith("HTTP 422: body.town: ")


def test_a_handoff_is_opened_with_the_internal_token(service: str) -> None:
    client = fast(service, internal_token=TOKEN)
    opened = client.open_handoff("client-test-sender", "socketio", "request")
    assert isinstance(opened, Answer) and opened.status_code == 201
    assert opened.body["created"] is True and opened.body["timeout_s"] > 0
    again = client.open_handoff("client-test-sender", "socketio", "request")
    assert isinstance(again, Answer) and again.body["created"] is False
    wrong = fast(service, internal_token="not-the-token").open_handoff("other", "wechat", "request")
    assert isinstance(wrong, Rejected) and wrong.status_code == 401


def test_a_closed_port_is_unavailable(service: str) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    client = fast(f"http://127.0.0.1:{port}", retries=2)
    outcome = client.appeal_status("JD-20261127-0001", "5678")
    assert isinstance(outcome, Unavailable) and not outcome.answered
    assert "ConnectionError" in outcome.reason


# -- faults, with the fake ------------------------------------------------------------------


def test_every_call_has_a_timeout(fake: FakeAppealService) -> None:
    client = ServiceClient(fake.url, timeout_s=0.2, retries=0, handoff_timeout_s=0.3)
    calls = [
        lambda: client.file_appeal("slow-key-000001", GOOD),
        lambda: client.appeal_status("JD-20261127-0001", "5678"),
        lambda: client.rate_appeal("JD-20261127-0001", "5678", 4, ""),
        lambda: client.open_handoff("sender", "socketio", "request"),
    ]
    for call, limit in zip(calls, ["0.2", "0.2", "0.2", "0.3"], strict=True):
        fake.script.append(Scripted(200, FILED, delay_s=0.6))
        began = time.monotonic()
        outcome = call()
        assert time.monotonic() - began < 0.55
        assert outcome == Unavailable(f"timeout after {limit} s")


def test_status_lookups_are_retried_a_bounded_number_of_times(fake: FakeAppealService) -> None:
    waits: list[float] = []
    client = ServiceClient(fake.url, retries=2, retry_delay_s=0.1, sleep=waits.append)
    fake.script += [Scripted(503, {}), Scripted(502, {}), Scripted(200, {"tracking_no": "x"})]
    assert client.appeal_status("JD-20261127-0001", "5678") == Answer(200, {"tracking_no": "x"})
    assert waits == [0.1, 0.2]
    fake.script += [Scripted(503, {"detail": "down"})] * 4
    assert client.appeal_status("JD-20261127-0001", "5678") == Unavailable("HTTP 503", 503)
    assert [s.method for s in fake.seen] == ["GET"] * 6
    assert fake.seen[0].path == "/api/appeals/JD-20261127-0001?phone_last4=5678"
    assert len(fake.script) == 1  # the fourth 503 was never asked for


def test_a_retried_appeal_carries_the_same_idempotency_key(fake: FakeAppealService) -> None:
    client = fast(fake.url, retries=2)
    fake.script += [Scripted(500, {}), Scripted(201, {"status": "submitted"})]
    outcome = client.file_appeal("the-key-0000001", GOOD)
    assert isinstance(outcome, Answer) and outcome.body["tracking_no"] == "JD-20261127-0001"
    assert [s.headers["Idempotency-Key"] for s in fake.seen] == ["the-key-0000001"] * 3
    assert all(s.body == GOOD for s in fake.seen)
    assert fake.created == 1
    # retries=0 (the outbox): one attempt, whatever the client's default.
    fake.script.append(Scripted(503, {}))
    assert client.file_appeal("the-key-0000002", GOOD, retries=0) == Unavailable("HTTP 503", 503)
    assert len(fake.seen) == 4


def test_ratings_and_handoffs_are_sent_once(fake: FakeAppealService) -> None:
    client = fast(fake.url, internal_token="tok", retries=3)
    fake.script += [Scripted(503, {}), Scripted(503, {})]
    assert client.rate_appeal("JD-20261127-0001", "5678", 2, "慢") == Unavailable("HTTP 503", 503)
    assert client.open_handoff("s1", "wechat", "fallback") == Unavailable("HTTP 503", 503)
    rating, handoff = fake.seen
    assert rating.path == "/api/appeals/JD-20261127-0001/rating"
    assert rating.body == {"phone_last4": "5678", "score": 2, "comment": "慢"}
    assert handoff.path == "/api/handoffs" and handoff.headers["Authorization"] == "Bearer tok"
    assert handoff.body == {"sender_id": "s1", "channel": "wechat", "reason": "fallback"}


def test_answers_map_to_kinds(fake: FakeAppealService) -> None:
    client = fast(fake.url, retries=0)
    cases: list[tuple[Scripted, object]] = [
        (Scripted(201, {"tracking_no": 42}), Unavailable("HTTP 201 without a tracking_no", 201)),
        (Scripted(200, None, raw="<html>"), Unavailable("HTTP 200 without a JSON object", 200)),
        (Scripted(429, {"detail": "slow down"}), Unavailable("HTTP 429", 429)),
        (Scripted(500, {"detail": "boom"}), Unavailable("HTTP 500", 500)),
        (Scripted(404, {"detail": "没有找到"}), NotFound()),
        (Scripted(400, None, raw="bad request"), Rejected(400, (FieldProblem((), "bad request"),))),
        (Scripted(422, {"detail": ""}), Rejected(422, ())),
    ]
    for scripted, expected in cases:
        fake.script.append(scripted)
        assert client.file_appeal("kinds-key-00001", GOOD) == expected, scripted


def test_problems_are_data_and_errors_are_log_safe() -> None:
    detail = [
        {
            "loc": ["body", "phone"],
            "msg": "电话号码位数不对",
            "type": "phone",
            "input": "13912345678",  # echoed values are left out
        },
        "something else",
    ]
    problems = problems_of(detail)
    assert problems == (
        FieldProblem(("body", "phone"), "电话号码位数不对", "phone"),
        FieldProblem((), "something else"),
    )
    rejected = Rejected(422, problems)
    assert rejected.messages == ["电话号码位数不对", "something else"]
    assert rejected.error == "HTTP 422: body.phone: 电话号码位数不对; something else"
    echoed = Rejected(422, problems_of("phone 13912345678 is not valid"))
    assert echoed.error == "HTTP 422: phone *** is not valid"
    assert problems_of(None) == () and problems_of({"a": 1}) == (FieldProblem((), "{'a': 1}"),)


def test_the_settings_describe_the_client() -> None:
    settings = Settings(
        host="10.0.0.5",
        service_port=8123,
        internal_token="abc",
        service_timeout_s=3,
        handoff_open_timeout_s=7,
        service_retries=2,
    )
    client = ServiceClient.from_settings(settings)
    assert client.base_url == "http://10.0.0.5:8123" and client.internal_token == "abc"
    assert (client.timeout_s, client.handoff_timeout_s, client.retries) == (3, 7, 2)
    defaults = ServiceClient.from_settings(Settings())
    assert (defaults.timeout_s, defaults.handoff_timeout_s, defaults.retries) == (5, 10, 1)
