from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.bot.appeals.service.conftest import BODY, FakeClock, api_client, staff_token

RAW = {**BODY, "phone": "138 1234 5678", "credit_code": "91310114ma1gy5bm3n"}


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    with api_client(database_url) as test_client:
        yield test_client


token = staff_token


def post(client: TestClient, key: str = "chat-0001-abcdef", **changes: Any) -> Any:
    return client.post("/api/appeals", json={**RAW, **changes}, headers={"Idempotency-Key": key})


def test_filing_is_idempotent(client: TestClient) -> None:
    first = post(client)
    assert first.status_code == 201
    created = first.json()
    assert set(created) == {
        "tracking_no",
        "status",
        "proposed_department",
        "contact_due_at",
        "due_at",
    }
    assert created["proposed_department"] == "区建设管理委"
    again = post(client)
    assert again.status_code == 201 and again.json() == created
    assert again.headers["Idempotent-Replayed"] == "true"
    other = post(client, description="另一件完全不同的事情，也需要政府协调")
    assert other.status_code == 422
    assert client.post("/api/appeals", json=RAW).status_code == 422  # no key


def test_invalid_fields_are_explained_in_chinese_and_nothing_is_filed(client: TestClient) -> None:
    bad = post(client, credit_code="91310114MA1GY5BM3X", phone="12345")
    assert bad.status_code == 422
    problems = {p["loc"][-1]: p["msg"] for p in bad.json()["detail"]}
    assert set(problems) == {"credit_code", "phone"}
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in msg) for msg in problems.values())
    jw = token(client, "qjw")
    assert client.get("/api/staff/appeals", headers=jw).json() == []


@pytest.mark.parametrize("name", ["91310114MA1GY5BM3X", "91310114MA1GY5BM3N", "13812345678", "某"])
def test_intake_refuses_an_enterprise_name_that_is_not_a_name(
    client: TestClient, name: str
) -> None:
    bad = post(client, enterprise_name=name)
    assert bad.status_code == 422
    problems = {p["loc"][-1]: p for p in bad.json()["detail"]}
    assert set(problems) == {"enterprise_name"}
    assert "上海嘉定示例智能科技有限公司" in problems["enterprise_name"]["msg"]


def test_public_status_has_nothing_personal(client: TestClient) -> None:
    number = post(client).json()["tracking_no"]
    view = client.get(f"/api/appeals/{number}", params={"phone_last4": "5678"})
    assert view.status_code == 200
    body = view.json()
    assert body["status"] == "received" and body["timeline"][0]["status"] == "received"
    text = view.text
    for secret in ("13812345678", "王经理", "91310114MA1GY5BM3N", "路灯"):
        assert secret not in text
    wrong = client.get(f"/api/appeals/{number}", params={"phone_last4": "0000"})
    unknown = client.get("/api/appeals/JD-20200101-0001", params={"phone_last4": "5678"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()


def test_staff_scopes_and_the_loop(client: TestClient) -> None:
    number = post(client).json()["tracking_no"]
    url = f"/api/staff/appeals/{number}"
    jw, build, tax = token(client, "qjw"), token(client, "construction"), token(client, "tax")
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer nope"}).status_code == 401
    # another department neither sees nor changes it
    assert client.get(url, headers=tax).status_code == 404
    assert client.post(f"{url}/triage", json={}, headers=tax).status_code == 404
    assert client.get("/api/staff/appeals", headers=tax).json() == []
    assert client.get(url, headers=jw).json()["status"] == "received"
    # the lead department may not triage; an illegal step is 409 and changes nothing
    assert client.post(f"{url}/triage", json={}, headers=build).status_code == 403
    before = client.get(url, headers=jw).json()
    assert client.post(f"{url}/close", json={}, headers=jw).status_code == 409
    assert client.get(url, headers=jw).json() == before
    steps = [
        ("triage", jw, {"lead_department": "construction", "complexity": "simple"}),
        ("dispatch", jw, {}),
        ("accept", build, {}),
        ("reply", build, {"reply": "路灯已安排修复，本周内完成。"}),
    ]
    for action, who, params in steps:
        response = client.post(f"{url}/{action}", json=params, headers=who)
        assert response.status_code == 200, (action, response.text)
    assert client.get(url, headers=build).json()["status"] == "replied"
    public = client.get(f"/api/appeals/{number}", params={"phone_last4": "5678"}).json()
    assert public["reply"] == "路灯已安排修复，本周内完成。" and public["department_confirmed"]
    rating = client.post(
        f"/api/appeals/{number}/rating", json={"phone_last4": "5678", "score": 5, "comment": "很快"}
    )
    assert rating.status_code == 200 and rating.json()["status"] == "replied"
    assert client.post(f"{url}/close", json={}, headers=jw).json()["status"] == "closed"
    stats = client.get("/api/staff/stats", headers=jw).json()
    row = next(r for r in stats if r["code"] == "construction")
    assert row["count"] == 1 and row["on_time_rate"] == 1.0 and row["average_rating"] == 5


def test_rating_before_a_reply_is_refused(client: TestClient) -> None:
    number = post(client).json()["tracking_no"]
    early = client.post(f"/api/appeals/{number}/rating", json={"phone_last4": "5678", "score": 4})
    assert early.status_code == 409
    bad = client.post(f"/api/appeals/{number}/rating", json={"phone_last4": "5678", "score": 9})
    assert bad.status_code == 422


def test_supervision_is_for_the_triage_department(client: TestClient) -> None:
    assert client.post("/api/staff/supervise", headers=token(client, "tax")).status_code == 403
    done = client.post("/api/staff/supervise", headers=token(client, "qjw"))
    assert done.status_code == 200 and done.json() == {"supervised": []}


def test_openapi_documents_the_contract(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/appeals" in paths and "/api/appeals/{tracking_no}/rating" in paths
    assert "/api/staff/appeals/{tracking_no}/{action}" in paths


def test_lists_mask_contact_details_and_one_appeal_shows_them(
    database_url: str, clock: FakeClock
) -> None:
    described = "请回电13912345678或身份证310101199001011234联系"
    with api_client(database_url, clock) as client:
        number = post(client, description=described).json()["tracking_no"]
        jw = token(client, "qjw")
        clock.advance(days=60)  # past every due date: the overdue list holds it too
        for path in ("/api/staff/appeals", "/api/staff/overdue"):
            rows = client.get(path, headers=jw).json()
            (row,) = rows
            assert row["tracking_no"] == number
            assert row["phone"] == "138****5678" and row["contact_name"] == "王**"
            assert row["description"] == "请回电139****5678或身份证310101********1234联系"
            for secret in ("13812345678", "王经理", "13912345678", "310101199001011234"):
                assert secret not in str(rows)
        full = client.get(f"/api/staff/appeals/{number}", headers=jw).json()
        assert full["phone"] == "+8613812345678" and full["contact_name"] == "王经理"


def test_appeals_filed_while_another_writer_holds_sqlite_wait_and_are_stored(
    tmp_path: Path,
) -> None:
    """SQLite busy: another process's write transaction holds the database for a while; the
    filings meanwhile wait for it (busy timeout) and none gets an error."""
    path = tmp_path / "appeals.db"
    with api_client(f"sqlite:///{path}") as client:
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # the write lock, as a long-running writer holds it
        with ThreadPoolExecutor(12) as pool:
            pending = [
                pool.submit(post, client, f"busy-{i:04d}", description=f"第{i}件：门前道路积水严重")
                for i in range(12)
            ]
            time.sleep(1.5)
            assert not any(f.done() for f in pending)  # all waiting, none failed
            holder.execute("COMMIT")
            codes = [f.result().status_code for f in pending]
        holder.close()
        assert codes == [201] * 12
        assert len(client.get("/api/staff/appeals", headers=token(client, "qjw")).json()) == 12
