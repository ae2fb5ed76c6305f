"""WeChat official-account (公众号) input channel at ``/webhooks/wechat/webhook``.

- GET with ``signature``, ``timestamp``, ``nonce`` and ``echostr`` is WeChat's URL check:
  the signature verified, ``echostr`` is echoed.
- POST carries one message as XML, plain or, with ``encrypt_type=aes`` (safe mode),
  AES-encrypted under the current or the previous EncodingAESKey. Signatures are computed
  here and compared in constant time (wechatpy compares with ``!=``); a timestamp further
  than ``WECHAT_TIMESTAMP_WINDOW_S`` from now is refused. In plaintext mode the signature
  does not cover the body, so safe mode is the one to use in production.
- A text message goes to Rasa with the user's OpenID as sender id. An answer ready within
  ``WECHAT_PASSIVE_TIMEOUT_S`` is the XML body of the HTTP response (a passive reply); a
  slower one gets ``success`` at once and follows through the customer-service message
  API. When that API refuses (48-hour window, unverified account) the answer is kept and
  prepended to the user's next answer.
- WeChat retries an unanswered message three times within 15 s. Retries join the first
  request's turn (keyed by MsgId, or FromUserName+CreateTime for events): one user message
  runs through Rasa once.
- Buttons become numbered options; a reply that is just such a number sends the button's
  payload. Non-text messages get a fixed reply; ``subscribe`` reaches Rasa as "你好".
- Messages Rasa sends outside a turn (human handoff, through Rasa's HTTP API with
  ``output_channel=latest``) go through the customer-service API at once, or are kept like a
  refused answer; see ``bot.rasa_ext.channels.wechat_push``.

Logs carry message ids and OpenID hashes only, never contents (they may hold phone numbers).
Registered in credentials.yml as ``bot.rasa_ext.channels.wechat.WeChatInput``; the secrets come from
``bot.settings`` (``WECHAT_*`` environment variables or ``.env``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
import traceback
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any
from xml.parsers.expat import ExpatError

import xmltodict
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.replies import create_reply

from bot.rasa_ext.channels.embed_ahead import embedding_first
from bot.rasa_ext.channels.limits import SLOW_DOWN_REPLY, sender_limiter
from bot.rasa_ext.channels.wechat_push import WeChatPushOutput
from bot.rasa_ext.channels.wechat_support import (
    ERROR_REPLY,
    NON_TEXT_REPLY,
    SUBSCRIBE_TEXT,
    CustomerServiceClient,
    DeliveryError,
    Refused,
    TTLCache,
    WeChatConfig,
    chosen_option,
    escape_cdata,
    openid_hash,
    query_arg,
    render_turn,
    signature_ok,
    timestamp_fresh,
)
from bot.ratelimit import RateLimiter
from bot.settings import get_settings

logger = logging.getLogger(__name__)

SUCCESS = "success"  # WeChat's "received, no reply": it neither retries nor shows an error
SUBSCRIBE_EVENTS = frozenset({"subscribe", "subscribe_scan", "subscribe_scan_product"})
MAX_BODY_BYTES = 64 * 1024
# Turns are remembered well past WeChat's 15 s of retries and a slow answer.
DEDUPE_TTL_S = 300.0
# Refused answers wait this long for the user's next message.
KEPT_TTL_S = 7 * 24 * 3600.0
MAX_KEPT_PER_USER = 3
MAX_TRACKED = 10_000  # bound of each in-memory table (turns, options, kept answers)
FLOAT_FIELDS = ("passive_timeout_s", "timestamp_window_s", "options_ttl_s")

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class WeChatOutput(CollectingOutputChannel):
    """Collect the bot's messages of one turn; the channel sends them as one text."""

    @classmethod
    def name(cls) -> str:
        """Return the name Rasa uses to choose channel-specific responses."""
        return "wechat"


@dataclass
class _Turn:
    """One user message's run through Rasa, shared by WeChat's retries of that message."""

    task: asyncio.Future[str]
    # Some request answered "success": the answer goes through the API, retries get success.
    deferred: bool = False


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
        return cls(WeChatConfig(**typed))

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
        self._clock = clock
        self._api = api or CustomerServiceClient(config.api_base, config.app_id, config.app_secret)
        current, previous = config.encoding_aes_key, config.previous_encoding_aes_key
        self._current = self._crypto(current) if current else None
        self._decryptors = [self._crypto(key) for key in (current, previous) if key]
        self._turns: TTLCache[str, _Turn] = TTLCache(DEDUPE_TTL_S, MAX_TRACKED)
        self._options: TTLCache[str, list[str]] = TTLCache(config.options_ttl_s, MAX_TRACKED)
        self._kept: TTLCache[str, list[str]] = TTLCache(KEPT_TTL_S, MAX_TRACKED)
        self._background: set[asyncio.Future[None]] = set()
        self._limiter = limiter or sender_limiter()  # per OpenID; retries of a message are free
        if not config.token:
            logger.warning("WeChat channel: WECHAT_TOKEN is not set; it answers 503 to everything")

    def get_output_channel(self) -> WeChatPushOutput:
        """Return the output channel of messages Rasa sends outside a user turn."""
        return WeChatPushOutput(self._push, self._remember_options)

    def _crypto(self, key: str) -> WeChatCrypto:
        if len(key) != 43:
            raise RasaException("A WeChat EncodingAESKey has 43 characters; check WECHAT_*_KEY")
        try:
            return WeChatCrypto(self.config.token, key, self.config.app_id)
        except (ValueError, AssertionError) as exc:
            raise RasaException("A WeChat EncodingAESKey is not valid base64") from exc

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
                self._check_signature(request)
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

    def _check_signature(self, request: Request) -> None:
        if not self.config.token:
            raise Refused(503, "WECHAT_TOKEN is not set")
        timestamp, nonce = query_arg(request, "timestamp"), query_arg(request, "nonce")
        if not signature_ok(query_arg(request, "signature"), self.config.token, timestamp, nonce):
            raise Refused(403, "bad signature")
        if not timestamp_fresh(timestamp, self._clock(), self.config.timestamp_window_s):
            raise Refused(403, "stale timestamp")

    def _decrypt(self, request: Request, body: bytes) -> str:
        try:
            encrypt = str(xmltodict.parse(body)["xml"]["Encrypt"])
        except (ExpatError, KeyError, TypeError) as exc:
            raise Refused(400, "no Encrypt element in a safe-mode message") from exc
        timestamp, nonce = query_arg(request, "timestamp"), query_arg(request, "nonce")
        msg_signature = query_arg(request, "msg_signature")
        if not signature_ok(msg_signature, self.config.token, timestamp, nonce, encrypt):
            raise Refused(403, "bad msg_signature")
        if self._current is None or not self.config.app_id:
            raise Refused(503, "WECHAT_ENCODING_AES_KEY / WECHAT_APP_ID not set for safe mode")
        for crypto in self._decryptors:  # the current key first, then the previous one
            try:
                payload = {"Encrypt": encrypt}
                return str(crypto.decrypt_message(payload, msg_signature, timestamp, nonce))
            except Exception:  # another key: garbage, bad padding or a foreign AppID
                continue
        raise Refused(400, "cannot decrypt with the current or the previous EncodingAESKey")

    async def _receive(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        self._check_signature(request)
        body = request.body or b""
        if len(body) > MAX_BODY_BYTES:
            raise Refused(413, "message too large")
        safe = query_arg(request, "encrypt_type").lower() == "aes"
        xml = self._decrypt(request, body) if safe else body.decode("utf-8", "replace")
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
            return self._passive(self._with_kept(openid, NON_TEXT_REPLY), message, safe, nonce)
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
            return SLOW_DOWN_REPLY
        if turn is None:
            coro = self._run_turn(on_new_message, ref, openid, text, metadata)
            turn = _Turn(asyncio.ensure_future(coro))
            self._turns.put(key, turn)
        elif turn.deferred:
            logger.info("WeChat %s: retry; the answer goes through the API", ref)
            return ""
        else:
            logger.info("WeChat %s: retry joins the running turn", ref)
        try:
            reply = await asyncio.wait_for(asyncio.shield(turn.task), self.config.passive_timeout_s)
        except asyncio.TimeoutError:
            if not turn.task.done():
                self._defer(turn, ref, openid)
                return ""
            reply = turn.task.result()
        except asyncio.CancelledError:  # WeChat hung up: the answer must still reach the user
            if not turn.task.done():
                self._defer(turn, ref, openid)
            raise
        return "" if turn.deferred else reply

    async def _run_turn(
        self,
        on_new_message: OnNewMessage,
        ref: str,
        openid: str,
        text: str,
        metadata: dict[str, Any],
    ) -> str:
        options = self._options.pop(openid)
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
            return self._with_kept(openid, ERROR_REPLY)
        reply, new_options = render_turn(output.messages)
        self._remember_options(openid, new_options)
        logger.info("WeChat %s: answered (%d bot messages)", ref, len(output.messages))
        return self._with_kept(openid, reply)

    def _defer(self, turn: _Turn, ref: str, openid: str) -> None:
        if turn.deferred:
            return
        turn.deferred = True
        logger.info("WeChat %s: slow answer, it follows through the API", ref)
        self._spawn(self._deliver_later(turn, ref, openid))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Future[None]:
        """Run ``coro`` as a task that outlives its caller's cancellation."""
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    async def _deliver_later(self, turn: _Turn, ref: str, openid: str) -> None:
        reply = await turn.task
        if reply:
            await self._send_or_keep(openid, reply, ref)

    async def _push(self, openid: str, text: str, ref: str) -> None:
        # Shielded: if the HTTP API's caller hangs up, the message is still sent or kept.
        await asyncio.shield(self._spawn(self._send_or_keep(openid, text, ref)))

    async def _send_or_keep(self, openid: str, text: str, ref: str) -> None:
        """Send ``text`` through the customer-service API; if that fails, keep it for later."""
        try:
            await self._api.send_text(openid, text)
        except Exception as exc:  # refused (DeliveryError) or anything unforeseen: keep it
            kept = (self._kept.get(openid) or []) + [text]
            self._kept.put(openid, kept[-MAX_KEPT_PER_USER:])
            logger.warning(
                "WeChat %s: customer-service message refused (errcode %s); kept for the "
                "user's next message",
                ref,
                exc.errcode if isinstance(exc, DeliveryError) else type(exc).__name__,
            )
        else:
            logger.info("WeChat %s: sent through the customer-service API", ref)

    def _remember_options(self, openid: str, options: list[str]) -> None:
        """Let a digit in the user's next message stand for one of ``options``.

        No options forget the earlier ones: a digit answers only the latest message (a "1"
        typed to an agent after a message without buttons stays a "1").
        """
        if options:
            self._options.put(openid, options)
        else:
            self._options.pop(openid)

    def _with_kept(self, openid: str, reply: str) -> str:
        """Prepend the answers the API refused earlier to ``reply`` (and forget them)."""
        kept = self._kept.pop(openid) or []
        return "\n\n".join(part for part in [*kept, reply] if part)

    def _passive(self, reply: str, message: Any, safe: bool, nonce: str) -> HTTPResponse:
        if not reply:
            return response.text(SUCCESS)
        xml = str(create_reply(escape_cdata(reply), message).render())
        if safe and self._current is not None:
            xml = str(self._current.encrypt_message(xml, nonce))
        return response.text(xml, content_type="application/xml; charset=utf-8")
