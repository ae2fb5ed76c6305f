"""The channel's configuration (bot/rasa_ext/channels/wechat/config.py): settings, overrides
from credentials.yml, refused keys."""

from __future__ import annotations

import pytest

from bot.rasa_ext.channels.wechat.channel import WeChatInput


def test_credentials_override_settings_and_bad_keys_fail() -> None:
    from rasa.shared.exceptions import RasaException

    channel = WeChatInput.from_credentials({"token": "t", "timestamp_window_s": "60"})
    assert (channel.config.token, channel.config.timestamp_window_s) == ("t", 60.0)
    with pytest.raises(RasaException, match="Unknown keys"):
        WeChatInput.from_credentials({"tokn": "t"})
    with pytest.raises(RasaException, match="43 characters"):
        WeChatInput.from_credentials({"token": "t", "encoding_aes_key": "short"})
