"""WeChat's customer-service message API: text to a user outside a passive reply.

Used for answers slower than the passive window and for messages Rasa sends outside a turn
(human handoff). The access token is cached and renewed early.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import aiohttp

# errcodes meaning "the access token is invalid or expired": fetch a new one and retry once.
TOKEN_ERRCODES = frozenset({40001, 40014, 42001})


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
