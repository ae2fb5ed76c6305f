"""socket.io channel for the web widget: Rasa 3.6's own, with two bugs fixed.

- With ``session_persistence: true`` the stock channel calls ``sio.enter_room`` without
  awaiting it (it is a coroutine in python-socketio 5), so the socket never joins the
  session's room and replies addressed to the session are lost.
- ``send_custom_json`` does ``emit(**json_message)``, which crashes on any payload that is
  not emit's keyword arguments (our ``policy_answer`` payloads); we send
  ``{"custom": payload}`` like every other message.

For the human handoff, ``get_output_channel`` lets Rasa's HTTP API send to a session outside
a user turn (the service appends ``bot`` events with ``output_channel=latest``); a message an
agent typed (metadata ``from: agent``) goes out as ``{"text": ..., "from": "agent"}`` so the
widget labels it.

Conversations: a socket is tied to one session — the one it requested, or the one its first
message names when that comes first (a fresh one if it names none) — and the ``session_id``
inside later messages is ignored. A requested id is kept only if it has the shape of the ids
issued here (32 hex digits); the ids issued are 128 random bits, so only the browser holding
one can reach its conversation. (A client may invent a well-shaped id of its own: it gets a
conversation nobody else knows of.)

Limits (``bot.rasa_ext.channels.limits``): messages per session, per connection and per client
address, connections per client address, the size of a message (``MAX_BODY_BYTES``),
buttons per bot message; a message that is not an object with a text is ignored.

Registered in credentials.yml as ``bot.rasa_ext.channels.socketio.ProjectSocketIOInput``.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage, decode_bearer_token
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncRedisManager, AsyncServer

from bot.limits.rate import client_address
from bot.rasa_ext.channels.embed_ahead import embedding_first
from bot.rasa_ext.channels.limits import capped_buttons, client_limiter, sender_limiter
from bot.rasa_ext.channels.wording import channel_wording
from bot.settings import get_settings

logger = logging.getLogger(__name__)
SESSION_ID = re.compile(r"[0-9a-f]{32}")


class ProjectSocketIOOutput(SocketIOOutput):
    """Output that wraps custom payloads as ``{"custom": ...}``."""

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Send an agent's message as one labelled message; anything else as Rasa does."""
        if message.get("from") == "agent":
            agent_message = {"text": str(message.get("text") or ""), "from": "agent"}
            await self._send_message(recipient_id, agent_message)
            return
        await super().send_response(recipient_id, capped_buttons(message))

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """Send a custom payload inside the usual bot message event."""
        await self._send_message(recipient_id, {"custom": json_message})


class ProjectSocketIOInput(SocketIOInput):
    """socket.io input whose session persistence works and whose payloads do not crash."""

    @classmethod
    def name(cls) -> str:
        """Keep the stock channel's name (and so its metadata and URLs)."""
        return "socketio"

    def get_output_channel(self) -> ProjectSocketIOOutput | None:
        """Output channel for messages sent outside a user turn (e.g. agent replies)."""
        if self.sio is None:
            return None
        return ProjectSocketIOOutput(self.sio, self.bot_message_evt)

    def _sender_id(self, sid: str) -> str | None:
        return self._sessions.get(sid) if self.session_persistence else sid

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Define the socket.io server and its events (mirrors Rasa's, with the fixes)."""
        on_new_message = embedding_first(on_new_message)  # the encoder off the event loop
        wording = channel_wording()  # read now: a broken wording file fails at start
        # With several Rasa processes (the prod profile) a message for a session may be sent
        # by a process the socket is not connected to: Redis carries it to the right one.
        settings = get_settings()
        manager = AsyncRedisManager(settings.redis_url) if settings.redis_url else None
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=[],
            client_manager=manager,
            max_http_buffer_size=settings.max_body_bytes,
        )
        max_bytes = settings.max_body_bytes  # engine.io counts a websocket frame's characters
        limiter, per_client = sender_limiter(), client_limiter()
        self._sessions: dict[str, str] = {}  # socket id -> the session it is tied to
        clients: dict[str, str] = {}  # socket id -> client address (absent: our own)
        socketio_webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: dict[str, Any], auth: dict[str, Any] | None) -> bool:
            # engine.io's Sanic driver sets REMOTE_ADDR to 127.0.0.1: ask Sanic for the peer.
            request = environ.get("sanic.request")
            peer = str(getattr(request, "ip", "") or "")
            client = client_address(peer, str(environ.get("HTTP_X_FORWARDED_FOR", "")))
            if client is not None:
                if not per_client.allow(f"connect:{client}"):
                    logger.warning("socket.io: too many connections from one client address")
                    return False
                clients[sid] = client
            if not self.jwt_key:
                return True
            token = (auth or {}).get("token")
            return bool(token and decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: str) -> None:
            self._sessions.pop(sid, None)
            clients.pop(sid, None)

        async def bind(sid: str, requested: Any) -> str:
            """Tie the socket to the requested session if its id has the issued shape.

            Without a usable id a socket already tied keeps its session, another gets a fresh
            one; a socket moving to another session leaves the old one's room.
            """
            current = self._sessions.get(sid)
            if isinstance(requested, str) and SESSION_ID.fullmatch(requested):
                session_id = requested
            else:
                session_id = current or uuid.uuid4().hex
            if session_id == current:
                return session_id
            self._sessions[sid] = session_id
            if self.session_persistence:
                if current is not None:
                    await sio.leave_room(sid, current, namespace=self.namespace)
                await sio.enter_room(sid, session_id, namespace=self.namespace)
            return session_id

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            session_id = await bind(sid, requested)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            text = data.get("message") if isinstance(data, dict) else None
            if not isinstance(text, str) or len(text.encode("utf-8", "replace")) > max_bytes:
                logger.warning("socket.io message ignored: not an object with a text of the size")
                return
            sender_id = self._sender_id(sid)
            if sender_id is None:
                # socket.io-client sends what was typed offline before its "connect" handler
                # asks for the session: such a first message takes the session it names, or a
                # fresh one (confirmed to the widget), and is answered there.
                sender_id = await bind(sid, data.get("session_id"))
                await sio.emit("session_confirm", sender_id, room=sid, namespace=self.namespace)
            client = clients.get(sid)
            allowed = limiter.allow(f"sid:{sid}") and limiter.allow(f"session:{sender_id}")
            if not (allowed and (client is None or per_client.allow(f"message:{client}"))):
                logger.warning("socket.io: too many messages on one connection, session or address")
                slow_down = {"text": wording.slow_down}
                await sio.emit(self.bot_message_evt, slow_down, room=sid, namespace=self.namespace)
                return
            output = ProjectSocketIOOutput(sio, self.bot_message_evt)
            await on_new_message(
                UserMessage(
                    text,
                    output,
                    sender_id,
                    input_channel=self.name(),
                    metadata=_metadata(data.get(self.metadata_key)),
                )
            )

        return socketio_webhook  # type: ignore[no-any-return]


def _metadata(raw: Any) -> dict[str, Any]:
    """Return the message's metadata as a mapping ({} when absent or unreadable)."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return {}
    return raw if isinstance(raw, dict) else {}
