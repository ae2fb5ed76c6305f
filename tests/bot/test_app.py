from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import Settings


def test_health_page_widget_and_vendor(tmp_path: Path) -> None:
    settings = Settings(
        rasa_auth_token="t", database_url=f"sqlite:///{tmp_path / 'a.db'}", rasa_port=5123
    )
    client = TestClient(create_app(settings))
    assert client.get("/healthz").json() == {"status": "ok"}
    page = client.get("/")
    assert page.status_code == 200
    assert "嘉定企业服务助手" in page.text
    assert 'src="/static/widget.js"' in page.text and 'data-rasa-port="5123"' in page.text
    assert "http://" not in page.text and "https://" not in page.text  # nothing from a CDN
    assert client.get("/static/widget.js").status_code == 200
    assert client.get("/static/widget.css").status_code == 200
    vendor = client.get("/static/vendor/socket.io.min.js")
    assert vendor.status_code == 200 and "io" in vendor.text


def test_the_socket_url_can_be_set(tmp_path: Path) -> None:
    settings = Settings(
        rasa_auth_token="t",
        database_url=f"sqlite:///{tmp_path / 'a.db'}",
        widget_socket_url="https://chat.example.org",
    )
    page = TestClient(create_app(settings)).get("/").text
    assert 'data-socket-url="https://chat.example.org"' in page
