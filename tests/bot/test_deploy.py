from __future__ import annotations

from pathlib import Path

import pytest

from bot.deploy import nginx, prod
from bot.deploy.processes import child_env, prod_procs
from bot.settings import Settings
from bot.stack import Stack, StackError

PG = "postgresql+psycopg2://rasa:pw@db.internal:5433/tracker"


def prod_settings(tmp_path: Path, **changes: object) -> Settings:
    model = tmp_path / "m.tar.gz"
    model.write_text("x")
    values: dict[str, object] = {
        "profile": "prod",
        "rasa_auth_token": "t",
        "internal_token": "i",
        "action_server_token": "a",
        "model_path": model,
        "database_url": "postgresql://app@db.internal/appeals",
        "tracker_url": PG,
        "redis_url": "redis://:secret@cache.internal:6380/2",
        "rasa_port": 15005,
        "action_port": 15055,
        "service_port": 18000,
        "rasa_processes": 3,
        "action_processes": 2,
        "service_workers": 4,
    }
    values.update(changes)
    return Settings(**values)


@pytest.fixture(autouse=True)
def nginx_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nginx, "nginx_bin", lambda: "/usr/sbin/nginx")


def test_the_prod_profile_is_chosen_by_settings_only(tmp_path: Path) -> None:
    settings = prod_settings(tmp_path, nginx_dir=tmp_path / "nginx", tls_dir=tmp_path / "tls")
    procs = {p.name: p for p in prod_procs(settings)}
    assert sorted(procs) == [
        "Rasa server 1",
        "Rasa server 2",
        "Rasa server 3",
        "action server 1",
        "action server 2",
        "nginx",
        "service",
    ]
    # nginx: its config is written when it starts, with every Rasa server and the service.
    front = procs["nginx"]
    assert front.health_path == "/nginx-health" and front.prepare is not None
    front.prepare()
    config = (tmp_path / "nginx" / "nginx.conf").read_text(encoding="utf-8")
    for port in (15005, 15006, 15007, 18000):
        assert f"server 127.0.0.1:{port};" in config
    assert (tmp_path / "tls" / "key.pem").stat().st_mode & 0o077 == 0
    rasa3 = procs["Rasa server 3"]
    assert rasa3.port == 15007 and "endpoints.prod.yml" in rasa3.cmd
    assert rasa3.env["ACTION_ENDPOINT_URL"] == "http://127.0.0.1:15055/webhook"  # 2 mod 2
    assert procs["Rasa server 2"].env["ACTION_ENDPOINT_URL"].endswith(":15056/webhook")
    assert {k: rasa3.env[k] for k in ("TRACKER_HOST", "TRACKER_PORT", "TRACKER_DB_NAME")} == {
        "TRACKER_HOST": "db.internal",
        "TRACKER_PORT": "5433",
        "TRACKER_DB_NAME": "tracker",
    }
    assert (rasa3.env["REDIS_PORT"], rasa3.env["REDIS_DB"]) == ("6380", "2")
    assert rasa3.env["REDIS_PASSWORD"] == "secret"
    # The first Rasa server creates the tracker tables before the others start.
    assert procs["Rasa server 1"].gate and not rasa3.gate
    service = procs["service"]
    assert service.cmd[-2:] == ["--workers", "4"] and service.env == {"AUTO_MIGRATE": "false"}
    assert settings.rasa_urls == [f"http://127.0.0.1:{p}" for p in (15005, 15006, 15007)]
    # Every child learns the profile: the service's Rasa client, Rasa's socket.io manager.
    env = child_env(settings)
    assert (env["PROFILE"], env["RASA_PROCESSES"]) == ("prod", "3")
    assert env["REDIS_URL"] == "redis://:secret@cache.internal:6380/2"


def test_without_nginx_the_prod_profile_says_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(nginx, "nginx_bin", lambda: None)
    with pytest.raises(StackError, match="apt-get install nginx"):
        Stack(prod_settings(tmp_path))


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"database_url": "sqlite:///x.db"}, "DATABASE_URL"),
        ({"tracker_url": ""}, "TRACKER_URL"),
        ({"redis_url": ""}, "REDIS_URL"),
        ({"rasa_processes": 0}, "RASA_PROCESSES"),
    ],
)
def test_incomplete_prod_settings_are_refused(
    tmp_path: Path, change: dict[str, object], named: str
) -> None:
    with pytest.raises(StackError, match=named):
        Stack(prod_settings(tmp_path, **change))
    with pytest.raises(StackError, match="unknown PROFILE"):
        Stack(prod_settings(tmp_path, profile="production"))


def test_the_embedded_profile_is_one_of_each(tmp_path: Path) -> None:
    settings = prod_settings(tmp_path, profile="embedded")
    assert [p.name for p in Stack(settings).procs] == ["service", "action server", "Rasa server"]
    assert settings.rasa_urls == ["http://127.0.0.1:15005"]
    assert prod.redis_env("redis://localhost") == {
        "REDIS_HOST": "localhost",
        "REDIS_PORT": "6379",
        "REDIS_DB": "0",
        "REDIS_PASSWORD": "",
    }
