"""Input limits of the service's public API: request body size and a rate per client.

- Any request whose body is larger than ``MAX_BODY_BYTES`` gets 413 (by Content-Length, or
  while the body streams in).
- ``/api/appeals...`` (filing, status by number and phone digits, rating) is rate limited per
  client: a burst, then so many a minute (``RATE_LIMIT_*``); past it 429 with Retry-After.
  The client is the peer address; behind nginx (the peer is loopback and nginx sent
  ``X-Forwarded-For``) the address nginx saw. Our own processes call the service directly
  from loopback without that header (the action server files the chat's appeals) and are not
  limited: their users are limited where they talk to Rasa.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.limits.rate import RateLimiter, client_address
from bot.wording import service_wording

LIMITED_PREFIX = "/api/appeals"


class BodyTooLarge(Exception):
    """The request body passed the limit while it streamed in."""


def client_key(scope: Scope) -> str | None:
    """Return the key a request is limited under, or None for our own processes."""
    peer = (scope.get("client") or ("", 0))[0]
    forwarded = ""
    for name, value in scope.get("headers") or []:
        if name == b"x-forwarded-for":
            forwarded = value.decode("latin-1")
    return client_address(str(peer), forwarded)


async def _json(send: Send, status: int, body: dict[str, Any], headers: list[Any]) -> None:
    data = json.dumps(body, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(data)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})


class InputLimits:
    """ASGI middleware applying the body limit everywhere and the rate limit to the appeal API."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, limiter: RateLimiter) -> None:
        """Wrap ``app``."""
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse what is over a limit; pass everything else on."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = next((v for k, v in scope.get("headers") or [] if k == b"content-length"), b"0")
        if length.isdigit() and int(length) > self.max_body_bytes:
            await _json(send, 413, {"detail": service_wording().body_too_large}, [])
            return
        if str(scope.get("path", "")).startswith(LIMITED_PREFIX):
            key = client_key(scope)
            if key is not None and not self.limiter.allow(key):
                retry = str(self.limiter.retry_after()).encode()
                await _json(
                    send,
                    429,
                    {"detail": service_wording().too_many_requests},
                    [(b"retry-after", retry)],
                )
                return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except BodyTooLarge:
            await _json(send, 413, {"detail": service_wording().body_too_large}, [])
