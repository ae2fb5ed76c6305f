from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.bot.appeals.service.conftest import api_client, staff_token
from tests.bot.handoff.conftest import FakeRasa

INTERNAL = {"Authorization": "Bearer internal-test-token"}
SENDER = "5b1d2c3e4f5a6b7c8d9e0f1a2b3c4d5e"


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    with api_client(database_url) as test_client:
        yield test_client


@pytest.fixture
def rasa(client: TestClient) -> FakeRasa:
    fake = FakeRasa()
    client.app_state.handoffs.rasa = fake  # type: ignore[attr-defined]
    return fake


def test_only_our_processes_open_handoffs(client: TestClient, rasa: FakeRasa) -> None:
    body = {"sender_id": SENDER, "channel": "socketio", "reason": "request"}
    assert client.post("/api/handoffs", json=body).status_code == 401
    wrong = {"Authorization": "Bearer internal-test-tokeN"}
    assert client.post("/api/handoffs", json=body, headers=wrong).status_code == 401
    staff = staff_token(client, "qjw")
    assert client.post("/api/handoffs", json=body, headers=staff).status_code == 401
    first = client.post("/api/handoffs", json=body, headers=INTERNAL)
    assert first.status_code == 201 and first.json()["created"] is True
    assert first.json()["timeout_s"] == 300
    again = client.post("/api/handoffs", json=body, headers=INTERNAL)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    rest = client.post("/api/handoffs", json={**body, "channel": "rest"}, headers=INTERNAL)
    assert rest.status_code == 422
    bad = client.post("/api/handoffs", json={**body, "sender_id": "a/b"}, headers=INTERNAL)
    assert bad.status_code == 422


def test_the_console_takes_replies_and_hands_back(client: TestClient, rasa: FakeRasa) -> None:
    rasa.say(SENDER, "我要找人工客服")
    opened = client.post(
        "/api/handoffs",
        json={"sender_id": SENDER, "channel": "wechat", "reason": "fallback"},
        headers=INTERNAL,
    ).json()
    agent = staff_token(client, "qjw")
    issued = client.app_state.tokens.create("qjw", "another agent")  # type: ignore[attr-defined]
    other = {"Authorization": f"Bearer {issued}"}
    assert client.get("/api/staff/handoffs").status_code == 401
    # Only the departments that work handoffs read the conversations.
    town = staff_token(client, "anting")
    refused = client.get("/api/staff/handoffs", headers=town)
    assert refused.status_code == 403 and refused.json()["detail"] == "您所在部门不处理人工会话。"
    assert client.get(f"/api/staff/handoffs/{opened['id']}", headers=town).status_code == 403
    inbox = client.get("/api/staff/handoffs", headers=agent).json()
    assert inbox["waiting"] == 1
    assert inbox["items"][0]["reason_label"] == "机器人两次未能理解"
    assert inbox["items"][0]["preview"] == "我要找人工客服"
    url = f"/api/staff/handoffs/{opened['id']}"
    assert client.get(url, headers=agent).headers["Cache-Control"] == "no-store"
    assert client.post(url + "/messages", json={"text": "您好"}, headers=agent).status_code == 409
    taken = client.post(url + "/take", headers=agent)
    assert taken.status_code == 200 and taken.json()["mine"] is True
    refused = client.post(url + "/take", headers=other)
    assert refused.status_code == 409 and refused.json()["detail"] == "该会话已由其他工作人员接入。"
    assert client.post(url + "/messages", json={"text": "  "}, headers=agent).status_code == 422
    too_long = {"text": "长" * 1001}
    assert client.post(url + "/messages", json=too_long, headers=agent).status_code == 422
    sent = client.post(url + "/messages", json={"text": "您好，请讲。"}, headers=agent)
    assert sent.status_code == 200 and sent.json()["sent"] is True
    lines = client.get(url, headers=agent).json()["transcript"]
    assert lines[-1] == {**lines[-1], "from": "agent", "text": "您好，请讲。"}
    assert client.post(url + "/release", headers=other).status_code == 409
    released = client.post(url + "/release", headers=agent).json()
    assert released["status"] == "returned"
    assert client.get("/api/staff/handoffs", headers=agent).json() == {"waiting": 0, "items": []}
    assert client.get("/api/staff/handoffs/99999", headers=agent).status_code == 404


def test_rasa_down_is_502_and_nothing_changes(client: TestClient, rasa: FakeRasa) -> None:
    opened = client.post(
        "/api/handoffs",
        json={"sender_id": SENDER, "channel": "socketio"},
        headers=INTERNAL,
    ).json()
    agent = staff_token(client, "qjw")
    rasa.down = True
    url = f"/api/staff/handoffs/{opened['id']}"
    failed = client.post(url + "/take", headers=agent)
    assert failed.status_code == 502 and "没有生效" in failed.json()["detail"]
    rasa.down = False
    assert client.get(url, headers=agent).json()["status"] == "waiting"
