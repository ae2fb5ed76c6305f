"""What WeChat's requests must prove, and the safe-mode envelope of their messages.

Signatures are computed here and compared in constant time (wechatpy compares with ``!=``);
a timestamp further than ``timestamp_window_s`` from now is refused. Safe mode
(``encrypt_type=aes``) carries the message AES-encrypted under the current or the previous
EncodingAESKey, and the reply is sealed under the current one. In plaintext mode the
signature does not cover the body, so safe mode is the one to use in production.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Any
from xml.parsers.expat import ExpatError

import xmltodict
from rasa.shared.exceptions import RasaException
from wechatpy.crypto import WeChatCrypto

from bot.rasa_ext.channels.wechat.config import WeChatConfig

MAX_BODY_BYTES = 64 * 1024


class Refused(Exception):
    """A request the WeChat channel refuses: the HTTP status and the reason (logged only)."""

    def __init__(self, status: int, reason: str) -> None:
        """Keep the status and the reason."""
        super().__init__(reason)
        self.status, self.reason = status, reason


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


def query_arg(request: Any, name: str) -> str:
    """Return a query parameter of a Sanic request ("" when absent)."""
    return str(request.args.get(name, "") or "")


class Envelope:
    """Check a request's signature and open (and seal) the message it carries."""

    def __init__(self, config: WeChatConfig, clock: Callable[[], float]) -> None:
        """Build the ciphers of the configured keys; ``clock`` (wall time) checks timestamps."""
        self.config = config
        self._clock = clock
        current, previous = config.encoding_aes_key, config.previous_encoding_aes_key
        self._current = self._crypto(current) if current else None
        self._decryptors = [self._crypto(key) for key in (current, previous) if key]

    def _crypto(self, key: str) -> WeChatCrypto:
        if len(key) != 43:
            raise RasaException("A WeChat EncodingAESKey has 43 characters; check WECHAT_*_KEY")
        try:
            return WeChatCrypto(self.config.token, key, self.config.app_id)
        except (ValueError, AssertionError) as exc:
            raise RasaException("A WeChat EncodingAESKey is not valid base64") from exc

    def check_signature(self, request: Any) -> None:
        """Raise :class:`Refused` unless the query is signed with our token, and recently."""
        if not self.config.token:
            raise Refused(503, "WECHAT_TOKEN is not set")
        timestamp, nonce = query_arg(request, "timestamp"), query_arg(request, "nonce")
        if not signature_ok(query_arg(request, "signature"), self.config.token, timestamp, nonce):
            raise Refused(403, "bad signature")
        if not timestamp_fresh(timestamp, self._clock(), self.config.timestamp_window_s):
            raise Refused(403, "stale timestamp")

    def open(self, request: Any) -> tuple[str, bool]:
        """Return the message's XML and whether it came in safe mode (signature checked)."""
        body = request.body or b""
        if len(body) > MAX_BODY_BYTES:
            raise Refused(413, "message too large")
        safe = query_arg(request, "encrypt_type").lower() == "aes"
        return (self._decrypt(request, body) if safe else body.decode("utf-8", "replace")), safe

    def _decrypt(self, request: Any, body: bytes) -> str:
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

    def seal(self, xml: str, safe: bool, nonce: str) -> str:
        """Return the reply's XML, encrypted under the current key when the request was."""
        if safe and self._current is not None:
            return str(self._current.encrypt_message(xml, nonce))
        return xml
