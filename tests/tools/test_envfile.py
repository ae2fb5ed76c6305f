from __future__ import annotations

import stat
from pathlib import Path

import pytest
from dotenv import dotenv_values

from tools.envfile import TOKEN_KEY, ensure_auth_token


def test_generates_a_private_random_token_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TOKEN_KEY, raising=False)
    env = tmp_path / ".env"
    assert ensure_auth_token(env) is True
    token = dotenv_values(env)[TOKEN_KEY]
    assert token and len(token) >= 32
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
    assert ensure_auth_token(env) is False
    assert dotenv_values(env)[TOKEN_KEY] == token


def test_tokens_differ_between_set_ups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TOKEN_KEY, raising=False)
    a, b = tmp_path / "a.env", tmp_path / "b.env"
    ensure_auth_token(a)
    ensure_auth_token(b)
    assert dotenv_values(a)[TOKEN_KEY] != dotenv_values(b)[TOKEN_KEY]


def test_keeps_other_settings_and_respects_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = tmp_path / ".env"
    env.write_text("RASA_PORT=6005\n")
    monkeypatch.setenv(TOKEN_KEY, "from-the-environment")
    assert ensure_auth_token(env) is False
    assert env.read_text() == "RASA_PORT=6005\n"
    monkeypatch.delenv(TOKEN_KEY)
    assert ensure_auth_token(env) is True
    assert dotenv_values(env)["RASA_PORT"] == "6005"


def test_every_generated_secret_is_written_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tools.envfile import GENERATED_KEYS, ensure_secrets

    for key in GENERATED_KEYS:
        monkeypatch.delenv(key, raising=False)
    env = tmp_path / ".env"
    assert ensure_secrets(env) == list(GENERATED_KEYS)
    assert ensure_secrets(env) == []
    values = dotenv_values(env)
    assert values["RASA_AUTH_TOKEN"] != values["INTERNAL_TOKEN"]
