"""WeChat official-account (公众号) input channel at ``/webhooks/wechat/webhook``.

- GET with ``signature``, ``timestamp``, ``nonce`` and ``echostr`` is WeChat's URL check:
  the signature verified, ``echostr`` is echoed.
- POST carries one message as XML, plain or, with ``encrypt_type=aes`` (safe mode),
  AES-encrypted; signatures, timestamps and keys are checked by
  ``bot.rasa_ext.channels.wechat.security``.
- A text message goes to Rasa with the user's OpenID as sender id. An answer ready within
  ``WECHAT_PASSIVE_TIMEOUT_S`` is the XML body of the HTTP response (a passive reply); a
  slower one gets ``success`` at once and follows through the customer-service message
  API, or is kept for the user's next answer (``bot.rasa_ext.channels.wechat.deferred``).
- WeChat retries an unanswered message three times within 15 s. Retries join the first
  request's turn (keyed by MsgId, or FromUserName+CreateTime for events): one user message
  runs through Rasa once.
- Buttons become numbered options; a reply that is just such a number sends the button's
  payload (``bot.rasa_ext.channels.wechat.render``). Non-text messages get a fixed reply;
  ``subscribe`` reaches Rasa as "你好". The channel's own wording is in
  config/channel_wording.yml.
- Messages Rasa sends outside a turn (human handoff, through Rasa's HTTP API with
  ``output_channel=latest``) go through the customer-service API at once, or are kept like a
  refused answer; see ``bot.rasa_ext.channels.wechat.push``.

Logs carry message ids and OpenID hashes only, never contents (they may hold phone numbers).
Registered in credentials.yml as ``bot.rasa_ext.channels.wechat.channel.WeChatInput``; the
secrets come from ``bot.settings`` (``WECHAT_*`` environment variables or ``.env``).
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections.abc import Awaitable, Callable
from typing import Any
from xml.parsers.expat import ExpatError

import xmltodict
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from wechatpy import parse_message

from bot.limits.rate import RateLimiter
from bot.rasa_ext.channels.embed_ahead import embedding_first
from bot.rasa_ext.channels.limits import sender_limiter
from bot.rasa_ext.channels.wechat.cache import MAX_TRACKED, TTLCache
from bot.rasa_ext.channels.wechat.config import WeChatConfig, config_from_credentials
from bot.rasa_ext.channels.wechat.customer_service import CustomerServiceClient
from bot.rasa_ext.channels.wechat.deferred import Deliveries, Turn
from bot.rasa_ext.channels.wechat.push import WeChatPushOutput
from bot.rasa_ext.channels.wechat.render import (
    NumberedOptions,
    chosen_option,
    render_turn,
    reply_xml,
)
from bot.rasa_ext.channels.wechat.security import Envelope, Refused, openid_hash, query_arg
from bot.rasa_ext.channels.wording import channel_wording

logger = logging.getLogger(__name__)

SUCCESS = "success"  # WeChat's "received, no reply": it neither retries nor shows an error
SUBSCRIBE_EVENTS = frozenset({"subscribe", "subscribe_scan", "subscribe_scan_product"})
# What a new follower "says" to Rasa, so the greeting comes from the domain (an NLU input,
# not wording: it has to be read as the greeting intent).
SUBSCRIBE_TEXT = "你好"
# Turns are remembered well past WeChat's 15 s of retries and a slow answer.
DEDUPE_TTL_S = 300.0

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class WeChatOutput(CollectingOutputChannel):
    """Collect the bot's messages of one turn; the channel sends them as one text."""

    @classmethod
    def name(cls) -> str:
        """Return the name Rasa uses to choose channel-specific responses."""
        return "wechat"


class WeChatInput(InputChannel):
    """WeChat official-account channel (passive replies, customer-service API fallback).

    Deduplication, numbered options and kept answers live in this process's memory. With
    several Rasa processes (the prod profile) nginx sends each user's requests to one
    process (hashed on the ``openid`` WeChat puts in the query), so a retry finds its turn;
    if that process restarts, they start empty (a retry then runs once more).
    """

    @classmethod
    def name(cls) -> str:
        """Return the channel name, which is also its URL prefix."""
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WeChatInput:
        """Build the channel from ``bot.settings``; keys given in credentials.yml override."""
        return cls(config_from_credentials(credentials))

    def __init__(
        self,
        config: WeChatConfig,
        *,
        clock: Callable[[], float] = time.time,
        api: CustomerServiceClient | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        """Keep the configuration; ``clock`` (wall time) checks request timestamps."""
        self.config = config
        self._envelope = Envelope(config, clock)
        self._api = api or CustomerServiceClient(config.api_base, config.app_id, config.app_secret)
        self._deliveries = Deliveries(self._api)
        self._turns: TTLCache[str, Turn] = TTLCache(DEDUPE_TTL_S, MAX_TRACKED)
        self._options = NumberedOptions(config.options_ttl_s)
        self._limiter = limiter or sender_limiter()  # per OpenID; retries of a message are free
        self._wording = channel_wording()  # read now: a broken wording file fails at start
        if not config.token:
            logger.warning("WeChat channel: WECHAT_TOKEN is not set; it answers 503 to everything")

    def get_output_channel(self) -> WeChatPushOutput:
        """Return the output channel of messages Rasa sends outside a user turn."""
        return WeChatPushOutput(self._deliveries.push, self._options.remember)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """Define the webhook: GET for WeChat's URL check, POST for messages."""
        on_new_message = embedding_first(on_new_message)  # the encoder off the event loop
        webhook = Blueprint("wechat_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            try:
                self._envelope.check_signature(request)
            except Refused as refused:
                return self._refusal(refused)
            return response.text(str(request.args.get("echostr", "")))

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                return await self._receive(request, on_new_message)
            except Refused as refused:
                return self._refusal(refused)

        return webhook

    @staticmethod
    def _refusal(refused: Refused) -> HTTPResponse:
        level = logging.ERROR if refused.status >= 500 else logging.WARNING
        logger.log(level, "WeChat request refused (%d): %s", refused.status, refused.reason)
        # The reason stays in the log: the caller learns nothing about the configuration.
        return response.text("refused", status=refused.status)

    async def _receive(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        self._envelope.check_signature(request)
        xml, safe = self._envelope.open(request)
        try:
            # WeChat's own MsgType too: wechatpy calls events it does not know "unknown".
            raw_type = str(xmltodict.parse(xml)["xml"].get("MsgType", "")).lower()
            message = parse_message(xml)
            openid = str(message.source or "")
        except (ExpatError, KeyError, TypeError, ValueError, AttributeError) as exc:
            raise Refused(400, "unreadable message") from exc
        if not openid:
            raise Refused(400, "message without FromUserName")
        nonce = query_arg(request, "nonce")
        msg_id = str(message.id) if message.id else ""
        ref = f"{msg_id or 'event@' + str(message.time)} from {openid_hash(openid)}"
        if message.type == "text":
            text = str(message.content or "")
        elif message.type == "event" and message.event in SUBSCRIBE_EVENTS:
            text = SUBSCRIBE_TEXT
        elif raw_type == "event" or raw_type.startswith("device_"):
            logger.info("WeChat %s: event %s ignored", ref, getattr(message, "event", raw_type))
            return response.text(SUCCESS)
        else:
            logger.info("WeChat %s: %s message gets the text-only notice", ref, message.type)
            notice = self._deliveries.with_kept(openid, self._wording.non_text)
            return self._passive(notice, message, safe, nonce)
        key = f"msg:{msg_id}" if msg_id else f"event:{openid}:{message.time}"
        metadata = {"msg_id": msg_id or None, "msg_type": str(message.type)}
        reply = await self._answer(key, ref, openid, text, metadata, on_new_message)
        return self._passive(reply, message, safe, nonce)

    async def _answer(
        self,
        key: str,
        ref: str,
        openid: str,
        text: str,
        metadata: dict[str, Any],
        on_new_message: OnNewMessage,
    ) -> str:
        """Return the passive reply for this request ("" for ``success``)."""
        turn = self._turns.get(key)
        if turn is None and not self._limiter.allow(openid):  # a retry joins its turn: free
            logger.warning("WeChat %s: too many messages from this user; asked to slow down", ref)
            return self._wording.slow_down
        if turn is None:
            coro = self._run_turn(on_new_message, ref, openid, text, metadata)
            turn = Turn(asyncio.ensure_future(coro))
            self._turns.put(key, turn)
        elif turn.deferred:
            logger.info("WeChat %s: retry; the answer goes through the API", ref)
            return ""
        else:
            logger.info("WeChat %s: retry joins the running turn", ref)
        timeout_s = self.config.passive_timeout_s
        return await self._deliveries.passive_or_deferred(turn, timeout_s, ref, openid)

    async def _run_turn(
        self,
        on_new_message: OnNewMessage,
        ref: str,
        openid: str,
        text: str,
        metadata: dict[str, Any],
    ) -> str:
        options = self._options.take(openid)
        payload = chosen_option(text, options) if options else None
        if payload is not None:
            logger.info("WeChat %s: numbered option sent as its button payload", ref)
            metadata = {**metadata, "wechat_option": text.strip()}
        output = WeChatOutput()
        message = UserMessage(
            payload if payload is not None else text,
            output,
            openid,
            input_channel=self.name(),
            message_id=metadata.get("msg_id"),
            metadata=metadata,
        )
        try:
            await on_new_message(message)
        except Exception as exc:
            # The type and the frames only: an exception's text may quote the message.
            frames = "".join(traceback.format_tb(exc.__traceback__))
            logger.error("WeChat %s: Rasa failed (%s)\n%s", ref, type(exc).__name__, frames)
            return self._deliveries.with_kept(openid, self._wording.error)
        reply, new_options = render_turn(output.messages)
        self._options.remember(openid, new_options)
        logger.info("WeChat %s: answered (%d bot messages)", ref, len(output.messages))
        return self._deliveries.with_kept(openid, reply)

    def _passive(self, reply: str, message: Any, safe: bool, nonce: str) -> HTTPResponse:
        if not reply:
            return response.text(SUCCESS)
        xml = self._envelope.seal(reply_xml(reply, message), safe, nonce)
        return response.text(xml, content_type="application/xml; charset=utf-8")
