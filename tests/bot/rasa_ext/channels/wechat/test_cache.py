"""The channel's bounded in-memory tables (bot/rasa_ext/channels/wechat/cache.py)."""

from __future__ import annotations

from bot.rasa_ext.channels.wechat.cache import TTLCache


def test_ttl_cache_expires_and_stays_bounded() -> None:
    now = [0.0]
    cache: TTLCache[str, int] = TTLCache(10.0, 3, clock=lambda: now[0])
    for index, key in enumerate("abcd"):
        cache.put(key, index)
    assert len(cache) == 3 and cache.get("a") is None and cache.get("d") == 3
    now[0] = 10.5
    assert cache.get("d") is None and len(cache) == 0
    cache.put("e", 5)
    assert cache.pop("e") == 5 and cache.pop("e") is None
