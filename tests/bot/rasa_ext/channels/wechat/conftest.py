"""The WeChat harness's fixtures, for every test of the channel's modules."""

from tests.bot.rasa_ext.channels.wechat.harness import fake_api, make_harness, wechat

__all__ = ["fake_api", "make_harness", "wechat"]
