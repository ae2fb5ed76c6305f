"""The WeChat channel's configuration: the ``wechat_*`` settings, overridden by credentials.yml."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from rasa.shared.exceptions import RasaException

from bot.settings import get_settings

DEFAULT_API_BASE = "https://api.weixin.qq.com"
FLOAT_FIELDS = ("passive_timeout_s", "timestamp_window_s", "options_ttl_s")


@dataclass(frozen=True)
class WeChatConfig:
    """The channel's configuration (see the ``wechat_*`` fields of ``bot.settings``)."""

    token: str
    app_id: str = ""
    app_secret: str = ""
    encoding_aes_key: str = ""
    previous_encoding_aes_key: str = ""
    api_base: str = DEFAULT_API_BASE
    passive_timeout_s: float = 4.0
    timestamp_window_s: float = 300.0
    options_ttl_s: float = 1800.0


def config_from_credentials(credentials: dict[str, Any] | None) -> WeChatConfig:
    """Read ``bot.settings`` (secrets stay out of credentials.yml); keys given there override."""
    names = [field.name for field in dataclasses.fields(WeChatConfig)]
    given = {key: val for key, val in (credentials or {}).items() if val not in (None, "")}
    unknown = sorted(set(given) - set(names))
    if unknown:
        raise RasaException(f"Unknown keys for the wechat channel: {unknown}")
    settings = get_settings()
    values: dict[str, Any] = {name: getattr(settings, f"wechat_{name}") for name in names}
    values.update(given)
    typed: dict[str, Any] = {
        key: float(v) if key in FLOAT_FIELDS else str(v) for key, v in values.items()
    }
    return WeChatConfig(**typed)
