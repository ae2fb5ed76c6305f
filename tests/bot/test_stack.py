from __future__ import annotations

import socket
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.stack import Stack, StackError, child_env, free_port, port_is_free


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    model = tmp_path / "m.tar.gz"
    model.write_text("x")
    return Settings(
        rasa_auth_token="secret",
        internal_token="internal-secret",
        action_server_token="action-secret",
        model_path=model,
        tracker_db=tmp_path / "t.db",
        rasa_port=free_port(),
        action_port=free_port(),
        service_port=free_port(),
    )


def test_port_in_use_gives_a_clear_message(settings: Settings) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", settings.rasa_port))
        busy.listen()
        assert not port_is_free("127.0.0.1", settings.rasa_port)
        with pytest.raises(StackError) as err:
            Stack(settings).check_ports()
    message = str(err.value)
    assert f"port {settings.rasa_port} (Rasa server) is already in use" in message
    assert "RASA_PORT=" in message


def test_refuses_to_start_without_token_or_model(settings: Settings) -> None:
    with pytest.raises(StackError, match="RASA_AUTH_TOKEN"):
        Stack(settings.copy(update={"rasa_auth_token": ""}))
    with pytest.raises(StackError, match="INTERNAL_TOKEN"):
        Stack(settings.copy(update={"internal_token": ""}))
    with pytest.raises(StackError, match="ACTION_SERVER_TOKEN"):
        Stack(settings.copy(update={"action_server_token": ""}))
    with pytest.raises(StackError, match="no trained model"):
        Stack(settings.copy(update={"model_path": Path("/nonexistent/m.tar.gz")}))


def test_children_get_telemetry_off_and_endpoint_variables(settings: Settings) -> None:
    env = child_env(settings)
    assert env["RASA_TELEMETRY_ENABLED"] == "false"
    assert env["ACTION_ENDPOINT_URL"] == f"http://127.0.0.1:{settings.action_port}/webhook"
    assert env["TRACKER_DB"] == str(settings.tracker_db)


def test_children_run_openmp_single_threaded_and_passive(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    env = child_env(settings)
    assert (env["OMP_NUM_THREADS"], env["OMP_WAIT_POLICY"]) == ("1", "PASSIVE")
    monkeypatch.setenv("OMP_NUM_THREADS", "2")  # an operator's own choice stands
    assert child_env(settings)["OMP_NUM_THREADS"] == "2"


def test_rasa_api_needs_the_token(settings: Settings) -> None:
    rasa = next(p for p in Stack(settings).procs if p.name == "Rasa server")
    assert "--enable-api" in rasa.cmd
    assert rasa.cmd[rasa.cmd.index("--auth-token") + 1] == "secret"
    assert "--cors" not in rasa.cmd


def test_children_get_the_wechat_settings_that_are_set(settings: Settings) -> None:
    from bot.deploy.processes import child_env

    env = child_env(settings.copy(update={"wechat_token": "t0k", "wechat_api_base": "http://x"}))
    assert (env["WECHAT_TOKEN"], env["WECHAT_API_BASE"]) == ("t0k", "http://x")
