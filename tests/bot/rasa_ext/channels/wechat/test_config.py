"""The channel's configuration (bot/rasa_ext/channels/wechat/config.py): settings, overrides
from credentials.yml, refused keys."""

from __future__ import annotations

import pytest

from bot.rasa_ext.channels.wechat.channel import WeChatInput
from bot.rasa_ext.channels.wechat.config import WeChatConfig, config_from_credentials
from bot.settings import get_settings


def test_credentials_override_settings_and_bad_keys_fail() -> None:
    from rasa.shared.exceptions import RasaException

    channel = WeChatInput.from_credentials({"token": "t", "timestamp_window_s": "60"})
    assert (channel.config.token, channel.config.timestamp_window_s) == ("t", 60.0)
    with pytest.raises(RasaException, match="Unknown keys"):
        WeChatInput.from_credentials({"tokn": "t"})
    with pytest.raises(RasaException, match="43 characters"):
        WeChatInput.from_credentials({"token": "t", "encoding_aes_key": "short"})


def test_config_reads_the_settings_and_types_the_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WECHAT_TOKEN", "token-from-env")
    monkeypatch.setenv("WECHAT_OPTIONS_TTL_S", "90")
    get_settings.cache_clear()
    try:
        config = config_from_credentials({"app_id": 12345, "passive_timeout_s": "2", "token": ""})
    finally:
        get_settings.cache_clear()
    assert config == WeChatConfig(
        token="token-from-env", app_id="12345", passive_timeout_s=2.0, options_ttl_s=90.0
    )
