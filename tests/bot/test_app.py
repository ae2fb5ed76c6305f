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


def test_outside_development_weak_secrets_stop_the_service(tmp_path: Path) -> None:
    import pytest

    strong = "s" * 12 + "Q9x7Lk2mPz4R"
    weak = Settings(
        environment="production",
        rasa_auth_token="changeme",
        internal_token=strong,
        action_server_token="",
        database_url=f"sqlite:///{tmp_path / 'w.db'}",
    )
    with pytest.raises(ValueError, match="RASA_AUTH_TOKEN, ACTION_SERVER_TOKEN"):
        create_app(weak)
    ok = weak.copy(update={"rasa_auth_token": strong + "a", "action_server_token": strong + "b"})
    assert create_app(ok).state.settings.environment == "production"
    # In development (make run, the tests) short tokens are fine.
    assert create_app(weak.copy(update={"environment": "development"})) is not None
