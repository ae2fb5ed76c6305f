from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import Settings


def test_health_and_placeholder_page(tmp_path: Path) -> None:
    settings = Settings(rasa_auth_token="t", database_url=f"sqlite:///{tmp_path / 'a.db'}")
    client = TestClient(create_app(settings))
    assert client.get("/healthz").json() == {"status": "ok"}
    page = client.get("/")
    assert page.status_code == 200
    assert "嘉定企业服务助手" in page.text
    # The page must not pretend the chat works yet.
    assert "建设中" in page.text
