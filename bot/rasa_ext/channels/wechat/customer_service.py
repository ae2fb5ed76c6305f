"""Helpers of the WeChat channel: signatures, bounded TTL caches, reply text, the API client.

Everything here but :class:`CustomerServiceClient` is pure (no I/O); the channel itself is
``bot.rasa_ext.channels.wechat``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import aiohttp

from bot.input_guard import MAX_BUTTONS
from bot.rasa_ext.channels.limits import capped_buttons

logger = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.weixin.qq.com"
# Reply to images, voice, video, location, links and other non-text messages.
NON_TEXT_REPLY = "目前只能处理文字消息，请直接输入您的问题。"
# What a new follower "says" to Rasa, so the greeting comes from the domain.
SUBSCRIBE_TEXT = "你好"
OPTIONS_HEADER = "回复数字选择："
# Said when Rasa itself fails on a message (the user should not be left with silence).
ERROR_REPLY = "抱歉，系统暂时出现问题，请稍后再试。"
# Put before a message a person (12345 hotline staff) typed during a handoff; such messages
# reach the channel with ``"from": AGENT_SENDER`` in their metadata.
AGENT_LABEL = "【工作人员】"
AGENT_SENDER = "agent"
# errcodes meaning "the access token is invalid or expired": fetch a new one and retry once.
TOKEN_ERRCODES = frozenset({40001, 40014, 42001})

K = TypeVar("K")
V = TypeVar("V")


def sign(*parts: str) -> str:
    """Return WeChat's signature of ``parts``: SHA1 of their sorted concatenation, in hex."""
    data = sorted(part.encode("utf-8") for part in parts)
    return hashlib.sha1(b"".join(data)).hexdigest()


def signature_ok(given: str, *parts: str) -> bool:
    """Tell, in constant time, whether ``given`` is the signature of ``parts``."""
    return hmac.compare_digest(sign(*parts).encode("ascii"), given.encode("utf-8"))


def timestamp_fresh(timestamp: str, now: float, window_s: float) -> bool:
    """Tell whether ``timestamp`` (seconds, as WeChat sends it) is within ``window_s`` of now."""
    try:
        return abs(now - int(timestamp)) <= window_s
    except ValueError:
        return False


def openid_hash(openid: str) -> str:
    """Return a short stable hash of an OpenID, the only form of it the logs carry."""
    return hashlib.sha256(openid.encode("utf-8")).hexdigest()[:12]


def escape_cdata(text: str) -> str:
    """Return ``text`` safe inside a CDATA section (``]]>`` split across two sections)."""
    return text.replace("]]>", "]]]]><![CDATA[>")


class TTLCache(Generic[K, V]):
    """A dict whose entries expire after ``ttl_s`` and which keeps at most ``max_items``.

    In-process only: with several Rasa processes behind a load balancer a retry may reach
    another process, so deduplication, options and kept replies need a shared store there
    (e.g. Redis; issue 6).
    """

    def __init__(
        self, ttl_s: float, max_items: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl_s, self.max_items, self._clock = ttl_s, max_items, clock
        self._items: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def _expire(self) -> None:
        now = self._clock()
        while self._items:
            key, (expires, _) = next(iter(self._items.items()))
            if expires > now and len(self._items) <= self.max_items:
                break
            del self._items[key]

    def get(self, key: K) -> V | None:
        """Return the live value of ``key``, or None."""
        self._expire()
        item = self._items.get(key)
        return item[1] if item else None

    def put(self, key: K, value: V) -> None:
        """Store ``value`` under ``key`` for ``ttl_s`` (the oldest entries go when full)."""
        self._items.pop(key, None)
        self._items[key] = (self._clock() + self.ttl_s, value)
        self._expire()

    def pop(self, key: K) -> V | None:
        """Remove ``key`` and return its live value, or None."""
        self._expire()
        item = self._items.pop(key, None)
        return item[1] if item else None

    def __len__(self) -> int:
        self._expire()
        return len(self._items)


class Refused(Exception):
    """A request the WeChat channel refuses: the HTTP status and the reason (logged only)."""

    def __init__(self, status: int, reason: str) -> None:
        """Keep the status and the reason."""
        super().__init__(reason)
        self.status, self.reason = status, reason


def query_arg(request: Any, name: str) -> str:
    """Return a query parameter of a Sanic request ("" when absent)."""
    return str(request.args.get(name, "") or "")


def render_turn(messages: Iterable[dict[str, Any]]) -> tuple[str, list[str]]:
    """Return the turn's one WeChat text and the payloads of its numbered options.

    Texts are joined with blank lines; buttons become ``回复数字选择：`` and numbered lines;
    ``custom`` messages (our policy payloads) are left out, the text carries the citation.
    At most ``MAX_BUTTONS`` options in all.
    """
    parts: list[str] = []
    options: list[tuple[str, str]] = []
    for message in messages:
        for key in ("text", "image", "attachment"):
            value = message.get(key)
            if value:
                parts.append(str(value).strip())
        for button in capped_buttons(message).get("buttons") or []:
            title = str(button.get("title") or "").strip()
            payload = str(button.get("payload") or title).strip()
            if title and payload:
                options.append((title, payload))
    del options[MAX_BUTTONS:]  # several messages of one turn share the numbers
    if options:
        lines = [f"{number}. {title}" for number, (title, _) in enumerate(options, 1)]
        parts.append("\n".join([OPTIONS_HEADER, *lines]))
    return "\n\n".join(part for part in parts if part), [payload for _, payload in options]


def chosen_option(text: str, options: list[str]) -> str | None:
    """Return the payload of option ``text`` when the text is just its number, else None."""
    number = unicodedata.normalize("NFKC", text).strip().rstrip(".、")
    if number.isdigit() and 1 <= int(number) <= len(options):
        return options[int(number) - 1]
    return None


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


class DeliveryError(Exception):
    """WeChat refused a customer-service message (``errcode`` != 0) or could not be reached."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"errcode {errcode}: {errmsg}")
        self.errcode = errcode


class CustomerServiceClient:
    """Send text through WeChat's customer-service message API, caching the access token.

    Every process that fetches a token invalidates the others' tokens after a few minutes,
    so several Rasa processes need one shared token holder (issue 6).
    """

    def __init__(
        self,
        api_base: str,
        app_id: str,
        app_secret: str,
        *,
        timeout_s: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api_base = api_base.rstrip("/")
        self._app_id, self._app_secret = app_id, app_secret
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._clock = clock
        self._token: tuple[str, float] | None = None

    async def _call(
        self, session: aiohttp.ClientSession, method: str, path: str, **kwargs: Any
    ) -> dict[str, Any]:
        try:
            async with session.request(method, self.api_base + path, **kwargs) as resp:
                data = await resp.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise DeliveryError(-1, type(exc).__name__) from exc
        if not isinstance(data, dict):
            raise DeliveryError(-1, "not a JSON object")
        return data

    async def _access_token(self, session: aiohttp.ClientSession) -> str:
        if self._token and self._token[1] > self._clock():
            return self._token[0]
        if not (self._app_id and self._app_secret):
            raise DeliveryError(-1, "WECHAT_APP_ID / WECHAT_APP_SECRET not set")
        params = {
            "grant_type": "client_credential",
            "appid": self._app_id,
            "secret": self._app_secret,
        }
        data = await self._call(session, "GET", "/cgi-bin/token", params=params)
        if not data.get("access_token"):
            raise DeliveryError(int(data.get("errcode", -1)), str(data.get("errmsg", "")))
        expires_in = float(data.get("expires_in", 7200))
        # Renew a little early so a token never expires between the check and the call.
        self._token = (str(data["access_token"]), self._clock() + max(expires_in - 300, 0))
        return self._token[0]

    async def send_text(self, openid: str, content: str) -> None:
        """Send ``content`` to ``openid``; raise :class:`DeliveryError` when WeChat refuses."""
        # ensure_ascii=False: WeChat shows \\uXXXX escapes literally.
        body = {"touser": openid, "msgtype": "text", "text": {"content": content}}
        raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"}
        async with aiohttp.ClientSession(timeout=self._timeout) as session:
            for attempt in range(2):
                params = {"access_token": await self._access_token(session)}
                data = await self._call(
                    session,
                    "POST",
                    "/cgi-bin/message/custom/send",
                    params=params,
                    data=raw,
                    headers=headers,
                )
                errcode = int(data.get("errcode", 0))
                if errcode == 0:
                    return
                if errcode in TOKEN_ERRCODES and attempt == 0:
                    self._token = None
                    continue
                raise DeliveryError(errcode, str(data.get("errmsg", "")))
