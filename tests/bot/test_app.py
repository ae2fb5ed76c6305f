from __future__ import annotations

from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import Settings


def test_health_and_placeholder_page() -> None:
    client = TestClient(create_app(Settings(rasa_auth_token="t")))
    assert client.get("/healthz").json() == {"status": "ok"}
    page = client.get("/")
    assert page.status_code == 200
    assert "嘉定企业服务助手" in page.text
    # The page must not pretend the chat works yet.
    assert "建设中" in page.text
