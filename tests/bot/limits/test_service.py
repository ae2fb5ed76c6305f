from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from bot.app import create_app
from bot.limits.service import client_key
from bot.settings import Settings


def test_a_flood_from_one_client_gets_429_and_big_bodies_413(tmp_path: Path) -> None:
    settings = Settings(
        rasa_auth_token="t",
        database_url=f"sqlite:///{tmp_path / 'a.db'}",
        supervise_interval_s=0,
        handoff_check_interval_s=0,
        rate_limit_per_minute=6,
        rate_limit_burst=5,
        max_body_bytes=2048,
    )
    with TestClient(create_app(settings)) as client:
        status = [
            client.get("/api/appeals/JD-20260310-0001", params={"phone_last4": f"{i:04d}"})
            for i in range(8)
        ]
        assert [r.status_code for r in status] == [404] * 5 + [429] * 3
        assert status[-1].headers["Retry-After"] == "10"
        assert status[-1].json() == {"detail": "请求过于频繁，请稍后再试"}
        # Other paths are not limited; a body over the limit is refused before it is read.
        assert client.get("/healthz").status_code == 200
        big = client.post("/api/handoffs", content=b"x" * 4096)
        assert big.status_code == 413


def test_who_is_limited() -> None:
    def scope(peer: str, forwarded: str | None = None) -> dict[str, object]:
        headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
        return {"client": (peer, 1234), "headers": headers}

    assert client_key(scope("203.0.113.9")) == "203.0.113.9"
    # Behind nginx: the address nginx saw (the last hop it appended).
    assert client_key(scope("127.0.0.1", "10.0.0.1, 198.51.100.7")) == "198.51.100.7"
    # Our own processes (the action server filing the chat's appeals): not limited.
    assert client_key(scope("127.0.0.1")) is None
