from __future__ import annotations

import pytest
import requests

from tests.bot.rasa_ext.channels.wechat.harness import (  # noqa: F401 - pytest fixtures used by name
    TOKEN,
    Harness,
    answer_to,
    fake_api,
    make_harness,
    wechat,
)
from tools.wechat_try import try_message


def test_the_local_try_command_talks_to_the_webhook(wechat: Harness) -> None:  # noqa: F811
    assert try_message(wechat.url, TOKEN, "人才金卡怎么办？") == answer_to("人才金卡怎么办？")
    assert wechat.bot.texts == ["人才金卡怎么办？"]
    with pytest.raises(requests.HTTPError, match="403"):  # the channel checks the signature
        try_message(wechat.url, "wrong-token", "你好")
